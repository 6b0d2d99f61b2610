"""Rebuild snapshot records from classified stacks, recovering template versions and inputs.

Order matters: environments first (their outputs feed instances), then instances (with the
environment's and an attached component's outputs), then pipelines (with the recovered instances).
Every record says where it came from (`provenance`); recovered ones carry `recovery`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proton_exodus.inventory.bundles import Candidate as BundleCandidate
from proton_exodus.inventory.stacks_discover import FoundStack
from proton_exodus.inventory.stacks_inputs import SpecFiles
from proton_exodus.inventory.stacks_records import (
    Backed,
    base_record,
    env_spec,
    proton_tags,
    service_spec,
    template_arn,
)
from proton_exodus.proton.recover import (
    Candidate,
    RecoveryResult,
    recover_environment,
    recover_pipeline,
    recover_service_instance,
)
from proton_exodus.proton.recover.versions import ENV_OUTPUTS, Known
from proton_exodus.proton.render.context import EnvironmentContext, InstanceContext


def bundle_texts(bundle: Any) -> list[str]:
    """The text of every IaC template file of a bundle (its CloudFormation or other infrastructure files)."""
    return [
        data.decode("utf-8", errors="replace")
        for rel, data in sorted(bundle.files.items())
        if rel.rsplit(".", 1)[-1] in ("yaml", "yml", "json", "j2", "jinja")
        and not rel.startswith("schema/")
        and not rel.endswith("manifest.yaml")
    ]


STACKLESS = (
    "no AWSProton stack of its own: a customer-managed or self-managed (Terraform) environment "
    "(pass --provisioning-repo), or one in an account not crawled (pass --assume-role); "
    "outputs recovered from its instances' stacks"
)


class Rebuilder:
    """Records per kind from Proton-made stacks, bundles and spec files."""

    def __init__(
        self, backed: list[Backed], candidates: list[BundleCandidate], specs: SpecFiles, warnings: list[str]
    ) -> None:
        self.backed = backed
        self.bundles = candidates
        self.specs = specs
        self.warnings = warnings
        self.per_stack: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        self._cands: dict[tuple[str, str], list[Candidate]] = {}

    def of(self, kind: str) -> list[Backed]:
        return sorted((b for b in self.backed if b.kind == kind), key=lambda b: (b.account, b.region, b.arn))

    def rebuild(self) -> dict[str, list[dict[str, Any]]]:
        envs = {(b.account, b.region, b.name): self._environment(b) for b in self.of("environments")}
        comps = [self._component(b) for b in self.of("components")]
        instances = [self._instance(b, envs, comps) for b in self.of("service_instances")]
        stackless = self._stackless_environments(envs, instances)
        envs.update({(e["account"], e["region"], e["name"]): e for e in stackless})
        pipelines = [self._pipeline(b, envs, instances) for b in self.of("service_pipelines")]
        self.records = {
            "environments": list(envs.values()),
            "components": comps,
            "service_instances": instances,
            "service_pipelines": pipelines,
        }
        self.records["services"] = self._services()
        self.records["account_settings"] = self._roles(envs)
        self.add_templates()
        return self.records

    def _roles(self, envs: Mapping[tuple[str, str, str], dict[str, Any]]) -> list[dict[str, Any]]:
        """The roles Proton gave CloudFormation (each stack's RoleARN): an environment's Proton service
        role and component role (same-account environments; across accounts it is the connection's
        role), and the account's pipeline service role, returned as account_settings records."""

        def role(b: Backed) -> str | None:
            same_account = b.stack.record["account"] == b.account
            return b.stack.record.get("RoleARN") if same_account else None

        for kind, member in (("environments", "protonServiceRoleArn"), ("components", "componentRoleArn")):
            for b in self.of(kind):
                env = envs.get(
                    (b.account, b.region, b.name if kind == "environments" else b.environment or "")
                )
                if env is not None and role(b):
                    env.setdefault(member, role(b))
        settings: dict[tuple[str, str], set[str]] = {}
        for b in self.of("service_pipelines"):
            if role(b):
                settings.setdefault((b.account, b.region), set()).add(str(role(b)))
        found = []
        for (account, region), roles in sorted(settings.items()):
            if len(roles) > 1:
                self.warnings.append(
                    f"pipeline stacks in {account}/{region} use different roles: "
                    f"{', '.join(sorted(roles))}; pipelineServiceRoleArn left out"
                )
                continue
            found.append(
                {
                    "account": account,
                    "region": region,
                    "pipelineServiceRoleArn": roles.pop(),
                    "provenance": "stack",
                }
            )
        return found

    def unreadable(self, stack: FoundStack) -> None:
        """A stack that could not be described: unrecoverable, with the reason (the resource is unknown)."""
        rec = stack.record
        key = f"{rec['account']}/{rec['region']}/{rec['StackName']}"
        reason = f"unreadable: {rec.get('unreachableReason') or 'DescribeStacks failed'}"
        self.per_stack[key] = {
            "resource": None,
            "kind": None,
            **RecoveryResult("unrecoverable", reason=reason).as_record(),
        }

    # -- candidates -------------------------------------------------------------------------------------
    def candidates(self, ttype: str, name: str | None) -> list[Candidate]:
        """Bundles that may be versions of template `name` (named after it, or nameless of its type)."""
        key = (ttype, name or "")
        if key not in self._cands:
            seen: dict[tuple[str, str], Candidate] = {}
            mine = [
                c
                for c in self.bundles
                if name and c.bundle.template_type in (ttype, None) and c.name in (name, None)
            ]
            exact: dict[str, int] = {}
            for c in mine:
                if c.major and c.minor is not None:
                    exact[c.major] = max(exact.get(c.major, -1), int(c.minor))
            for c in sorted(mine, key=lambda c: c.minor is None):
                major = c.major or "1"
                minor = c.minor
                if minor is None:
                    minor = self._described_minor(name or "", major, c.bundle)
                if minor is None:
                    # Template sync turns the newest content of `vN/` into N's next minor (PROTON.md §4.8).
                    minor = str(exact.get(major, -1) + 1)
                    self.warnings.append(
                        f"bundle {c.origin}: minor version unknown (a template-sync folder); "
                        f"taken as {major}.{minor}, after the bundles that name their minor "
                        f"(name the folder v{major}.<minor> to say which)"
                    )
                seen.setdefault((major, minor), Candidate(name or "", major, minor, c.bundle))
            self._cands[key] = list(seen.values())
        return self._cands[key]

    def _described_minor(self, name: str, major: str, bundle: Any) -> str | None:
        """The minor an unnumbered bundle declares in its template's Description (`<name> <major>.<m>`),
        when a deployed stack of that template carries the same in its Description: what Proton
        rendered from that bundle. None when the bundle says nothing or no stack confirms it."""
        said = re.compile(rf"(?<![\w-]){re.escape(name)}[\s:@_-]*v?{re.escape(major)}\.(\d+)(?!\w|\.\d)")
        declared = {
            m.group(1)
            for text in bundle_texts(bundle)
            for line in text.splitlines()
            if line.lstrip().startswith(("Description:", '"Description":'))
            for m in said.finditer(line)
        }
        if len(declared) != 1:
            return None
        (minor,) = declared
        shown = {
            m.group(1)
            for b in self.backed
            if b.template == name
            for m in said.finditer(str(b.stack.record.get("Description") or ""))
        }
        return minor if minor in shown else None

    def _recovered(
        self, rec: dict[str, Any], b: Backed, result: RecoveryResult | None, why: str, spec_used: bool
    ) -> None:
        """Set version, `recovery` and `provenance` on a record and remember the per-stack verdict."""
        if result is None:
            result = RecoveryResult("unrecoverable", reason=why)
        rec["recovery"] = result.as_record()
        if result.status != "unrecoverable":
            rec.update(templateMajorVersion=result.major, templateMinorVersion=result.minor)
            rec["provenance"] = "spec-file" if spec_used and not result.conflicts else "recovered"
        key = f"{b.stack.record['account']}/{b.stack.record['region']}/{b.stack.record['StackName']}"
        self.per_stack[key] = {"resource": rec.get("arn") or b.arn, "kind": b.kind, **rec["recovery"]}

    def _deployed(self, b: Backed, ttype: str) -> tuple[list[Candidate], str]:
        if b.stack.template is None:
            error = b.stack.template_error
            return [], "the deployed template could not be read" + (f": {error}" if error else "")
        cands = self.candidates(ttype, b.template)
        if b.template_version and any(c.version == b.template_version for c in cands):
            cands = [c for c in cands if c.version == b.template_version]  # the tag names the version
        return cands, "" if cands else f"no bundle of template {b.template} (pass --bundles)"

    # -- kinds ------------------------------------------------------------------------------------------
    def _environment(self, b: Backed) -> dict[str, Any]:
        rec = {
            **base_record(b),
            "templateName": b.template,
            "environmentAccountId": b.stack.record["account"],
        }
        spec = self.specs.environment(b.name)
        cands, why = self._deployed(b, "environment")
        known = Known(environment=b.name, account_id=b.stack.record["account"], spec_inputs=spec)
        result = recover_environment(b.stack.template or "", cands, known) if cands else None
        self._recovered(rec, b, result, why, spec is not None)
        if result is not None and result.status != "unrecoverable":
            rec["spec"] = env_spec(dict(result.inputs))
        return rec

    def _component(self, b: Backed) -> dict[str, Any]:
        # A directly defined component's template file is not kept anywhere else: the deployed
        # template stands in for it (it is what the file rendered to).
        rec = {
            **base_record(b),
            "environmentName": b.environment,
            "serviceName": b.service,
            "serviceInstanceName": b.instance,
            "templateFile": b.stack.template,
        }
        return {k: v for k, v in rec.items() if v is not None}

    def _instance(
        self, b: Backed, envs: Mapping[tuple[str, str, str], dict[str, Any]], comps: list[dict[str, Any]]
    ) -> dict[str, Any]:
        rec = {
            **base_record(b),
            "serviceName": b.service,
            "environmentName": b.environment,
            "templateName": b.template,
        }
        env = envs.get((b.account, b.region, b.environment or ""), {})
        comp = next(
            (
                c
                for c in comps
                if (c["account"], c["region"], c.get("serviceName"), c.get("serviceInstanceName"))
                == (b.account, b.region, b.service, b.name)
            ),
            None,
        )
        spec_inputs = self._instance_spec(b)
        known = Known(
            environment=b.environment,
            account_id=env.get("environmentAccountId"),
            environment_outputs=(env.get("outputs") or {}) if env else None,
            service=b.service,
            instance=b.name,
            component_outputs=comp["outputs"] if comp else None,
            component_name=comp["name"] if comp else None,
            spec_inputs=spec_inputs,
        )
        cands, why = self._deployed(b, "service")
        result = recover_service_instance(b.stack.template or "", cands, known) if cands else None
        self._recovered(rec, b, result, why, spec_inputs is not None)
        if result is not None and result.status != "unrecoverable":
            rec["_inputs"] = dict(result.inputs)
            rec["spec"] = service_spec(None, [(b.name, b.environment or "", dict(result.inputs))])
            outputs = {
                k[len(ENV_OUTPUTS) :]: v for k, v in result.context.items() if k.startswith(ENV_OUTPUTS)
            }
            if not env:
                rec["_environmentOutputs"] = outputs
        return rec

    def _stackless_environments(
        self, envs: Mapping[tuple[str, str, str], dict[str, Any]], instances: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Environments that instances name but that left no stack: customer-managed, self-managed
        (Terraform) or in an account not crawled. Their outputs come from what their instances'
        stacks show; outputs the instances disagree on are left out with a warning."""
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for b, inst in zip(self.of("service_instances"), instances, strict=True):
            key = (b.account, b.region, b.environment or "")
            if not b.environment or key in envs:
                continue
            rec = found.setdefault(
                key,
                {
                    "name": b.environment,
                    "arn": b.stack.tags.get("proton:environment", ""),
                    "account": b.account,
                    "region": b.region,
                    "provenance": "stack",
                    "outputs": {},
                    "tags": proton_tags("environments", {**b.stack.tags, "proton:template": ""}),
                    "provisionedResources": [],
                    "environmentAccountId": b.account,  # instances deploy into their environment's account
                    "recovery": {"status": "unrecoverable", "reason": STACKLESS},
                },
            )
            for name, value in sorted((inst.pop("_environmentOutputs", None) or {}).items()):
                if rec["outputs"].setdefault(name, value) != value:
                    self.warnings.append(
                        f"environment {b.environment}: its instances' stacks disagree on "
                        f"output {name}; left out"
                    )
                    rec.setdefault("_conflicts", set()).add(name)
                rec["provenance"] = "recovered"
        for rec in found.values():
            for name in rec.pop("_conflicts", ()):
                rec["outputs"].pop(name, None)
            self._customer_managed(rec)
        return [found[k] for k in sorted(found)]

    def _customer_managed(self, rec: dict[str, Any]) -> None:
        """A customer-managed environment template's schema inputs are the environment's outputs: when
        the outputs recovered for a stackless environment fit exactly one such template, take it,
        with the outputs as its spec (inputs no instance reads stay unknown)."""
        fits = sorted(
            {
                c.name
                for c in self.bundles
                if c.name
                and c.bundle.template_type == "environment"
                and c.bundle.provisioning == "customer-managed"
                and c.bundle.schema is not None
                and rec["outputs"]
                and set(rec["outputs"]) <= set(c.bundle.schema.properties("environment"))
            }
        )
        if len(fits) != 1:
            return
        cands = sorted(self.candidates("environment", fits[0]), key=Candidate.sort_key, reverse=True)
        newest = cands[0]
        missing = sorted(set(newest.bundle.schema.properties("environment")) - set(rec["outputs"]))
        reason = (
            f"customer-managed environment template {fits[0]}: its spec is the outputs its instances read"
        )
        if missing:
            reason += "; no instance reads " + ", ".join(missing)
        rec.update(
            templateName=fits[0],
            templateMajorVersion=newest.major,
            templateMinorVersion=newest.minor,
            spec=env_spec(dict(rec["outputs"])),
            provisioning="CUSTOMER_MANAGED",
        )
        rec["tags"] = dict(
            sorted(
                {
                    **rec["tags"],
                    "aws:proton:template": template_arn(
                        rec["region"], rec["account"], "environment", fits[0]
                    ),
                }.items()
            )
        )
        rec["recovery"] = {
            "status": "partial" if missing or len(cands) > 1 else "exact",
            "templateVersion": newest.version,
            "versionCandidates": [c.version for c in cands],
            "unknownInputs": {m: [] for m in missing},
            "assumedInputs": {},
            "conflicts": [],
            "reason": reason,
        }

    def _service_doc(self, service: str | None) -> dict[str, Any] | None:
        wanted = {
            (b.name, b.environment or "")
            for b in self.backed
            if b.kind == "service_instances" and b.service == service
        }
        found = self.specs.service(service or "", wanted)
        return found[1] if found else None

    def _instance_spec(self, b: Backed) -> dict[str, Any] | None:
        doc = self._service_doc(b.service)
        for entry in (doc or {}).get("instances") or []:
            if isinstance(entry, dict) and entry.get("name") == b.name:
                return dict(entry.get("spec") or {})
        return None

    def _pipeline(
        self, b: Backed, envs: Mapping[tuple[str, str, str], dict[str, Any]], instances: list[dict[str, Any]]
    ) -> dict[str, Any]:
        rec = {
            **base_record(b),
            "serviceName": b.service,
            "templateName": b.template,
            "arn": f"{b.arn}/pipeline",
        }
        rec.pop("name", None)
        mine = sorted(
            (
                i
                for i in instances
                if (i["account"], i["region"], i["serviceName"]) == (b.account, b.region, b.service)
                and "_inputs" in i
                and i["deploymentStatus"] not in ("DELETE_IN_PROGRESS",)
            ),
            key=lambda i: i["name"],
        )
        contexts = []
        for inst in mine:
            env = envs.get((b.account, b.region, inst["environmentName"]), {})
            contexts.append(
                InstanceContext(
                    inst["name"],
                    inst["_inputs"],
                    inst["outputs"],
                    EnvironmentContext(
                        inst["environmentName"], env.get("environmentAccountId"), env.get("outputs") or {}
                    ),
                )
            )
        doc = self._service_doc(b.service)
        pipeline_spec = dict(doc["pipeline"]) if doc and isinstance(doc.get("pipeline"), dict) else None
        cands, why = self._deployed(b, "service")
        known = Known(service=b.service, spec_inputs=pipeline_spec)
        result = recover_pipeline(b.stack.template or "", cands, known, contexts) if cands else None
        self._recovered(rec, b, result, why, pipeline_spec is not None)
        if result is not None and result.status != "unrecoverable":
            rec["_inputs"] = dict(result.inputs)
            rec["_context"] = {
                k.split(".", 1)[1]: v for k, v in result.context.items() if k.startswith("service.")
            }
        return rec

    def _services(self) -> list[dict[str, Any]]:
        by_name: dict[tuple[str, str, str], dict[str, Any]] = {}
        for b in self.backed:
            if b.service and b.kind in ("service_instances", "service_pipelines"):
                arn = b.stack.tags.get("proton:service", "")
                entry = by_name.setdefault(
                    (b.account, b.region, b.service),
                    {
                        "name": b.service,
                        "arn": arn,
                        "account": b.account,
                        "region": b.region,
                        "templateName": b.template,
                        "status": "ACTIVE",
                        "provenance": "stack",
                        "tags": {},
                    },
                )
                entry["arn"] = entry["arn"] or arn
                entry["tags"] = {**proton_tags("services", b.stack.tags), **entry["tags"]}
        for key, svc in by_name.items():
            self._fill_service(key, svc)
        return [by_name[k] for k in sorted(by_name)]

    def _fill_service(self, key: tuple[str, str, str], svc: dict[str, Any]) -> None:
        insts = [
            i
            for i in self.records["service_instances"]
            if (i["account"], i["region"], i["serviceName"]) == key
        ]
        pipe = next(
            (
                p
                for p in self.records["service_pipelines"]
                if (p["account"], p["region"], p["serviceName"]) == key
            ),
            None,
        )
        complete = all("_inputs" in i for i in insts) and (pipe is None or "_inputs" in pipe)
        pipeline_inputs = pipe.get("_inputs") if pipe else None
        spec = service_spec(
            pipeline_inputs, [(i["name"], i["environmentName"], i.get("_inputs", {})) for i in insts]
        )
        for rec in [*insts, *([pipe] if pipe else [])]:
            if "_inputs" in rec:
                rec["spec"] = spec  # as the API: an instance's and a pipeline's spec is the service's
        if complete:
            svc.update(spec=spec, provenance="recovered")
        if pipe is not None:
            for name, member in (
                ("repository_id", "repositoryId"),
                ("branch_name", "branchName"),
                ("repository_connection_arn", "repositoryConnectionArn"),
            ):
                if (pipe.get("_context") or {}).get(name) not in (None, ""):
                    svc[member] = pipe["_context"][name]
            svc["pipeline"] = {
                k: v
                for k, v in pipe.items()
                if not k.startswith("_")
                and k not in ("account", "region", "serviceName", "provenance", "recovery", "tags")
            }
        for rec in [*insts, *([pipe] if pipe else [])]:
            rec.pop("_inputs", None)
            rec.pop("_context", None)

    def add_templates(self) -> None:
        """Template and version records for every template a stack names, versions from the bundles."""
        compat: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
        envs = {(e["account"], e["region"], e["name"]): e for e in self.records["environments"]}
        for inst in self.records["service_instances"]:
            env = envs.get((inst["account"], inst["region"], inst.get("environmentName")))
            if env and env.get("templateMajorVersion") and inst.get("templateMajorVersion"):
                compat.setdefault((inst["templateName"], inst["templateMajorVersion"], ""), set()).add(
                    (env["templateName"], env["templateMajorVersion"])
                )
        for ttype, kinds in (
            ("environment", ("environments",)),
            ("service", ("service_instances", "service_pipelines", "services")),
        ):
            used = sorted(
                {
                    (r["account"], r["region"], r["templateName"])
                    for k in kinds
                    for r in self.records[k]
                    if r.get("templateName")
                }
            )
            templates, versions = [], []
            for account, region, name in used:
                arn = template_arn(region, account, ttype, name)
                cands = self.candidates(ttype, name)
                best = _newest_minors(cands)
                templates.append(
                    {
                        "name": name,
                        "arn": arn,
                        "account": account,
                        "region": region,
                        "provenance": "stack",
                        **_template_members(ttype, cands, best),
                    }
                )
                for c in cands:
                    schema = c.bundle.files.get("schema/schema.yaml", b"").decode("utf-8", errors="replace")
                    version = {
                        "templateName": name,
                        "majorVersion": c.major,
                        "minorVersion": c.minor,
                        "arn": f"{arn}:{c.major}.{c.minor}",
                        "status": "PUBLISHED",
                        "recommendedMinorVersion": best.get(c.major),
                        "schema": schema,
                        "account": account,
                        "region": region,
                        "provenance": "recovered",
                    }
                    if ttype == "service":
                        version["compatibleEnvironmentTemplates"] = [
                            {"templateName": t, "majorVersion": m}
                            for t, m in sorted(compat.get((name, c.major, ""), set()))
                        ]
                    versions.append(version)
            self.records[f"{ttype}_templates"] = templates
            self.records[f"{ttype}_template_versions"] = versions

    def summary(self) -> dict[str, Any]:
        """Counts per recovery status and the per-stack verdicts (partial/unrecoverable with why)."""
        counts = {"exact": 0, "partial": 0, "unrecoverable": 0}
        for verdict in self.per_stack.values():
            counts[verdict["status"]] += 1
        return {"counts": counts, "stacks": dict(sorted(self.per_stack.items()))}


def _newest_minors(cands: list[Candidate]) -> dict[str, str]:
    """major -> its newest minor among the bundles found: Proton recommended the newest published minor
    of each major (template sync published every version it synced), so the bundles say which it was."""
    best: dict[str, str] = {}
    for c in cands:
        if str(c.major).isdigit() and str(c.minor).isdigit() and int(c.minor) > int(best.get(c.major, -1)):
            best[c.major] = c.minor
    return best


def _template_members(ttype: str, cands: list[Candidate], best: Mapping[str, str]) -> dict[str, str]:
    """The template record's members the bundles tell: `recommendedVersion` (newest minor of the newest
    major), and `provisioning` / `pipelineProvisioning` CUSTOMER_MANAGED as the API gave them."""
    out: dict[str, str] = {}
    if best:
        top = max(best, key=int)
        out["recommendedVersion"] = f"{top}.{best[top]}"
    newest = max(cands, key=Candidate.sort_key, default=None)
    if newest is not None and ttype == "environment" and newest.bundle.provisioning == "customer-managed":
        out["provisioning"] = "CUSTOMER_MANAGED"
    if newest is not None and ttype == "service" and not newest.bundle.has_pipeline:
        out["pipelineProvisioning"] = "CUSTOMER_MANAGED"
    return out
