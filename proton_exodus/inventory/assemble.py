"""Pure steps after the calls: records from crawled parts, provisioning folders, stack references,
sensitive values swapped for placeholders, and the merge of several accounts/Regions."""

from __future__ import annotations

from typing import Any

from proton_exodus.inventory.stacks import StackRef, parse_stack_identifier
from proton_exodus.model.secrets import redact_spec

PROVENANCE = "proton-api"
RESOURCE_KINDS = {
    "environments": "environment",
    "service_instances": "service_instance",
    "service_pipelines": "service_pipeline",
    "components": "component",
}


def build_records(
    parts: dict[tuple[str, tuple[str, ...]], dict[str, Any]], account: str, region: str, warnings: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """One record per crawled resource: the List summary overlaid with the Get detail, plus additions."""
    out: dict[str, list[dict[str, Any]]] = {}
    for (kind, key), part in sorted(parts.items()):
        if "detail" in part and part["detail"] is None:
            warnings.append(f"{kind} {'/'.join(key)} in {account}/{region} disappeared during the crawl")
            continue
        record = {**part.get("summary", {}), **(part.get("detail") or {})}
        for extra in ("tags", "outputs", "provisionedResources"):
            if extra in part:
                record[extra] = part[extra]
        record.update(account=account, region=region, provenance=PROVENANCE)
        out.setdefault(kind, []).append(record)
    return out


def _folder_info(engine: str, repository: Any, folder: str | None) -> dict[str, Any]:
    return {"engine": engine, "repository": repository, "folder": folder}


def environment_provisioning(env: dict[str, Any]) -> dict[str, Any]:
    """How an environment is provisioned (PROTON.md §3): the engine and, for Terraform, where."""
    resources = env.get("provisionedResources") or []
    if env.get("provisioning") == "CUSTOMER_MANAGED":
        return _folder_info("customer-managed", None, None)
    if env.get("provisioningRepository") or any(
        r.get("provisioningEngine") == "TERRAFORM" for r in resources
    ):
        return _folder_info("terraform", env.get("provisioningRepository"), env["name"])
    names = [parse_stack_identifier(r.get("identifier") or r.get("name") or "")[2] for r in resources]
    if any(n.startswith("AWSProton-CodeBuild-") for n in names) or (
        env.get("codebuildRoleArn")
        and not env.get("protonServiceRoleArn")
        and not env.get("environmentAccountConnectionId")
    ):
        return _folder_info("codebuild", None, None)
    return _folder_info("cloudformation", None, None)


def add_provisioning(records: dict[str, list[dict[str, Any]]]) -> None:
    """Set `provisioning` ({engine, repository, folder}) on the four deployable kinds.

    Terraform folders follow Proton's pull-request layout (PROTON.md §3.3): `<env>`, instances in
    `<env>/<service>-<instance>`, components in `<env>/<component>`, pipelines in `<service>/pipeline`
    (an `environments/` prefix applies when the repository has that folder, which only it knows).
    """
    for scoped in _by_scope(records).values():
        envs = {e["name"]: e for e in scoped.get("environments", [])}
        settings = (scoped.get("account_settings") or [{}])[0]
        for env in envs.values():
            env["provisioning"] = environment_provisioning(env)
        for inst in scoped.get("service_instances", []):
            env_info = envs.get(inst.get("environmentName"), {}).get("provisioning") or _folder_info(
                "cloudformation", None, None
            )
            folder = f"{inst.get('environmentName')}/{inst['serviceName']}-{inst['name']}"
            inst["provisioning"] = _folder_info(
                env_info["engine"],
                env_info["repository"],
                folder if env_info["engine"] == "terraform" else None,
            )
        for comp in scoped.get("components", []):
            env_info = envs.get(comp.get("environmentName"), {}).get("provisioning") or _folder_info(
                "cloudformation", None, None
            )
            terraform = env_info["engine"] == "terraform"
            comp["provisioning"] = _folder_info(
                "terraform" if terraform else "cloudformation",
                env_info["repository"] if terraform else None,
                f"{comp.get('environmentName')}/{comp['name']}" if terraform else None,
            )
        for pipe in scoped.get("service_pipelines", []):
            pipe["provisioning"] = _pipeline_provisioning(pipe, settings)


def _pipeline_provisioning(pipe: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    if settings.get("pipelineProvisioningRepository") or any(
        r.get("provisioningEngine") == "TERRAFORM" for r in pipe.get("provisionedResources") or []
    ):
        return _folder_info(
            "terraform", settings.get("pipelineProvisioningRepository"), f"{pipe['serviceName']}/pipeline"
        )
    if settings.get("pipelineCodebuildRoleArn") and not settings.get("pipelineServiceRoleArn"):
        return _folder_info("codebuild", None, None)
    return _folder_info("cloudformation", None, None)


def _by_scope(
    records: dict[str, list[dict[str, Any]]],
) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
    scopes: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
    for kind, recs in records.items():
        for rec in recs:
            scopes.setdefault((rec["account"], rec["region"]), {}).setdefault(kind, []).append(rec)
    return scopes


def stack_refs(records: dict[str, list[dict[str, Any]]]) -> list[StackRef]:
    """Every CloudFormation stack behind an environment, instance, pipeline or component.

    A stack lives where its ARN says; without an ARN, in the environment's account
    (`environmentAccountId`), reached through that environment's account connection role.
    """
    refs: list[StackRef] = []
    for (account, region), scoped in sorted(_by_scope(records).items()):
        envs = {e["name"]: e for e in scoped.get("environments", [])}
        roles = {c["id"]: c.get("roleArn") for c in scoped.get("environment_account_connections", [])}
        for kind, singular in RESOURCE_KINDS.items():
            for rec in scoped.get(kind, []):
                env = rec if kind == "environments" else envs.get(rec.get("environmentName") or "", {})
                home = (
                    account if kind == "service_pipelines" else (env.get("environmentAccountId") or account)
                )
                role = (
                    roles.get(env.get("environmentAccountConnectionId") or "")
                    if kind != "service_pipelines"
                    else None
                )
                for res in rec.get("provisionedResources") or []:
                    if res.get("provisioningEngine", "CLOUDFORMATION") != "CLOUDFORMATION":
                        continue
                    arn_account, arn_region, name = parse_stack_identifier(
                        res.get("identifier") or res.get("name") or ""
                    )
                    stack_account = arn_account or home
                    refs.append(
                        StackRef(
                            name,
                            stack_account,
                            arn_region or region,
                            role if stack_account != account else None,
                            rec["arn"],
                            singular,
                        )
                    )
                    rec.setdefault("stackName", name)
    return refs


SPEC_FIELDS = {
    "environments": ("spec",),
    "services": ("spec",),
    "service_instances": ("spec",),
    "service_pipelines": ("spec",),
    "components": ("serviceSpec",),
}


def _identity(kind: str, rec: dict[str, Any]) -> str:
    from proton_exodus.model.snapshot import record_identity

    return "/".join(str(p) for p in record_identity(kind, rec))


def redact_records(records: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Swap sensitive spec values for placeholders everywhere specs appear; return {id: clear value}."""
    secrets: dict[str, Any] = {}
    touched: list[tuple[dict[str, Any], str]] = []

    def swap(holder: dict[str, Any], key: str, scope: str) -> None:
        text = holder.get(key)
        if isinstance(text, str) and text:
            holder[key], found = redact_spec(text, scope)
            secrets.update(found)
            if found:
                touched.append((holder, key))

    for kind, fields in SPEC_FIELDS.items():
        for rec in records.get(kind, []):
            for name in fields:
                swap(rec, name, f"{kind}/{_identity(kind, rec)}/{name}")
            if kind == "services" and isinstance(rec.get("pipeline"), dict):
                swap(rec["pipeline"], "spec", f"service_pipelines/{_identity(kind, rec)}/spec")
    for rec in records.get("deployments", []):
        for state_key in ("initialState", "targetState"):
            for member, state in (rec.get(state_key) or {}).items():
                if isinstance(state, dict):
                    for name in ("spec", "serviceSpec"):
                        swap(
                            state,
                            name,
                            f"deployments/{_identity('deployments', rec)}/{state_key}/{member}/{name}",
                        )
    return _one_id_per_value(secrets, touched)


def _one_id_per_value(secrets: dict[str, Any], touched: list[tuple[dict[str, Any], str]]) -> dict[str, Any]:
    """One placeholder per clear value: a value held in several places (a service spec, its
    instances, deployments) keeps one of its ids everywhere, so a template that renders it
    (scrubbed with that id) and the spec input it came from name the same secret. The id kept is
    the one met first (environments, services, instances... before deployments), so two snapshots
    of one estate agree on it however many deployments each recorded."""
    import json

    from proton_exodus.model.secrets import PLACEHOLDER, PLACEHOLDER_RE

    canonical: dict[str, str] = {}
    for secret_id in secrets:  # first met wins: records before deployments, as the snapshot lists them
        canonical.setdefault(json.dumps(secrets[secret_id], sort_keys=True, default=str), secret_id)
    renames = {sid: canonical[json.dumps(v, sort_keys=True, default=str)] for sid, v in secrets.items()}
    renames = {old: new for old, new in renames.items() if old != new}
    if renames:  # canonical ids are never renamed, so one pass is enough
        for holder, key in touched:
            holder[key] = PLACEHOLDER_RE.sub(
                lambda m: PLACEHOLDER.format(renames.get(m.group(1), m.group(1))), holder[key]
            )
    return {sid: value for sid, value in sorted(secrets.items()) if sid not in renames}


def merge_connections(records: dict[str, list[dict[str, Any]]]) -> None:
    """A connection crawled from both of its accounts is one record: keep the management side's."""
    best: dict[str, dict[str, Any]] = {}
    for rec in records.get("environment_account_connections", []):
        current = best.get(rec["id"])
        if current is None or (
            rec["account"] == rec.get("managementAccountId")
            and current["account"] != current.get("managementAccountId")
        ):
            best[rec["id"]] = rec
    if "environment_account_connections" in records:
        records["environment_account_connections"] = list(best.values())
