"""The `service-catalog` exporter: Proton's templates become AWS Service Catalog products in a portfolio per
account and Region (portfolio.py), and every existing stack is adopted in place as a provisioned product
with ImportAsProvisionedProduct, in runbook order (runbook.py; rehearsed by rehearse.py). Pure: files and
findings out, nothing deployed, no AWS calls.

A stack is imported only into an artifact whose template matches its own (Service Catalog API
Reference, ImportAsProvisionedProduct): each artifact is the template a stack keeps after hand-over
(translate/: shared and parameterised when proven equal, else as deployed). When that differs from the
deployed text, the runbook first deploys it to the stack (a change set translate proved changes no
resource), then imports."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines.convert import pipeline_converter
from exporters._pipelines.estate import templates_index
from exporters._pipelines.rehearse import edit_stack as edit_parameters
from exporters._pipelines.service_pipeline import pipeline_planned_changes, place_findings
from exporters.service_catalog import layout, portfolio, update
from exporters.service_catalog.portfolio import ArtifactSpec, ProductSpec
from exporters.service_catalog.rehearse import rehearse as rehearse_service_catalog
from exporters.service_catalog.rehearse import runbook_settings
from exporters.service_catalog.runbook import ServiceCatalogRunbook
from proton_exodus.cfn.text import load_template
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SECRET_MODES
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.repo.index import repo_files
from proton_exodus.translate.stacks import StackTemplate, StackTemplateBuilder, text_key
from proton_exodus.translate.summary import templates_summary
from proton_exodus.verify.planned import PlannedStack, planned_change_files, planned_changes

IMPORTABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}  # ImportAsProvisionedProduct (API Reference)
OPTIONS = {"secrets": "ssm-parameter", "parameterise": "true"}
PP_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$")  # ProvisionedProductName
TAG_KEY = re.compile(r"^[\w.:/=+@ -]{1,128}$")
SKIPPED_TAG_PREFIXES = ("aws:", "proton:")
ARTIFACTS_PER_PRODUCT = 100  # Service Catalog's default quota of versions per product
TEMPLATE_BYTES = 1_000_000  # CloudFormation template body read from S3
TEMPLATE_RESOURCES = 500


def check_options(options: Mapping[str, str]) -> dict[str, str]:
    """Defaults merged with `options`; BadInput naming an unknown or malformed option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise BadInput(
            f"service-catalog: unknown option {unknown[0]!r}", hint="options: " + ", ".join(sorted(OPTIONS))
        )
    merged = {**OPTIONS, **options}
    if merged["secrets"] not in SECRET_MODES:
        raise BadInput(
            f"service-catalog: secrets={merged['secrets']!r}: expected one of " + ", ".join(SECRET_MODES)
        )
    if merged["parameterise"] not in ("true", "false"):
        raise BadInput(
            f"service-catalog: --opt parameterise={merged['parameterise']!r}: expected true or false"
        )
    return merged


def product_name(unit: DeploymentUnit) -> str:
    """The product a unit's stack belongs to: its Proton template (its pipeline is a product of its own;
    a component defined without a template is one too)."""
    if unit.kind == "component" and not unit.template_name:
        return f"component-{unit.name}"
    if unit.kind == "service_pipeline":
        return f"{unit.template_name}-pipeline"
    return str(unit.template_name or unit.name)


def version_of(unit: DeploymentUnit) -> str:
    return f"{unit.template_major}.{unit.template_minor}" if unit.template_major else "deployed"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "product"


def tag_options(
    units: Sequence[DeploymentUnit], snapshot_tags: Sequence[Mapping[str, Any]]
) -> dict[str, set[str]]:
    """The estate's own tags (stacks and Proton records; not aws:* or proton:*), as tag option values."""
    out: dict[str, set[str]] = {}
    for tags in [u.tags for u in units] + list(snapshot_tags):
        for key, value in (tags or {}).items():
            key, value = str(key), str(value)
            if (
                key.lower().startswith(SKIPPED_TAG_PREFIXES)
                or not TAG_KEY.match(key)
                or not 0 < len(value) <= 256
            ):
                continue
            out.setdefault(key, set()).add(value)
    return out


class ServiceCatalogExporter:
    name = "service-catalog"
    summary = (
        "AWS Service Catalog: a portfolio of the Proton templates; "
        "existing stacks adopted as provisioned products"
    )
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = ServiceCatalogRunbook()
    exported_stacks = staticmethod(layout.exported_stacks)
    rehearse = staticmethod(rehearse_service_catalog)
    # day 2 edits the stack's parameters/ file (or its template file) that TEMPLATES.json names
    edit_stack = staticmethod(edit_parameters)
    follows_listing = True  # servicecatalog-update.sh reads each stack's template file from TEMPLATES.json
    # the wave runbooks' artifact buckets, made in the rehearsal's local cloud (the runbook says they exist)
    runbook_settings = staticmethod(runbook_settings)

    def export(self, ctx: ExportContext) -> ExportResult:
        opts = check_options(ctx.options)
        units = list(ctx.units) or build_units(ctx.snapshot)
        all_units = units if not ctx.only else build_units(ctx.snapshot)
        findings: list[Finding] = []
        eligible = []
        for unit in units:
            if unit.provisioning != "cloudformation" or not unit.stack_name:
                findings.append(
                    Finding(
                        "W-SC-NOT-CFN",
                        f"{unit.kind} {unit.label} is provisioned by {unit.provisioning}, not a "
                        "CloudFormation "
                        "stack Service Catalog can import: keep it on another target",
                        unit.arn,
                    )
                )
            elif unit.deployed_template is None:
                findings.append(
                    Finding(
                        "E-SC-NO-TEMPLATE",
                        f"stack {unit.stack_name} has no deployed template in the snapshot "
                        "(re-run the inventory with access to it)",
                        unit.arn,
                    )
                )
            else:
                eligible.append(unit)
        builder = StackTemplateBuilder(
            ctx.snapshot, all_units, parameterise=opts["parameterise"] == "true", secrets=opts["secrets"]
        )
        stacks, pipeline_findings, pipeline_changes = convert_pipelines(builder.build(eligible), all_units)
        files: dict[str, str] = {}
        by_place: dict[tuple[str, str], list[StackTemplate]] = {}
        for st in stacks:
            by_place.setdefault((st.unit.account, st.unit.region), []).append(st)
        record_tags = [
            r.get("tags") or {} for k in ("services", "environments") for r in ctx.snapshot.kind(k)
        ]
        products_total = artifacts_total = 0
        rows: list[tuple[DeploymentUnit, str, str, Any]] = []
        for (account, region), place in sorted(by_place.items()):
            products = self.products(account, region, place, files, findings, pipeline_findings, rows)
            products_total += len(products)
            artifacts_total += sum(len(p.artifacts) for p in products)
            options = tag_options([st.unit for st in place], record_tags)
            path = layout.portfolio_path(account, region)
            files[path] = portfolio.template(account, region, products, options)
            findings.extend(quota_findings(account, region, path, products, files[path]))
        files["README.md"] = readme(products_total, artifacts_total, len(stacks))
        files[update.SCRIPT] = update.TEXT
        # which template file and parameters/ file each stack is on (and what a shared template's
        # parameters stand for): `exodus repo set / upgrade` edit them, day 2 sends them to Service Catalog
        files["TEMPLATES.json"] = templates_index(rows)
        files["TEMPLATES.md"] = templates_summary(builder.reports.values(), stacks, "parameters file")
        # the repository index: templates, schemas, bundles and every instance's inputs and parameter file
        files.update(repo_files(ctx.snapshot, all_units, files, self.name))
        # what deploying the artifacts changes before the imports (secrets leave the templates), planned
        changes = sorted(
            planned_changes(
                (PlannedStack(st.unit, st.text, st.parameters) for st in stacks), choice=opts["secrets"]
            )
            + pipeline_changes,
            key=lambda c: (c.get("stack", ""), c.get("resource", ""), c.get("property", "")),
        )
        staged = [(st.unit.account, st.unit.region, p) for st in stacks for p in st.secret_parameters]
        files.update(planned_change_files(changes, choice=opts["secrets"], staged=staged))
        findings.append(
            Finding(
                "I-SC-CONSTRAINTS-LATER",
                "Service Catalog applies a product's launch constraint only from the next "
                "UpdateProvisionedProduct: the import leaves every stack with the role it runs with today",
            )
        )
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))

    def products(
        self,
        account: str,
        region: str,
        place: Sequence[StackTemplate],
        files: dict[str, str],
        findings: list[Finding],
        pipeline_findings: Mapping[str, Sequence[Finding]],
        rows: list[tuple[DeploymentUnit, str, str, Any]],
    ) -> list[ProductSpec]:
        """The products of one account and Region, their artifact files, the stacks' adoption and
        parameters files; `rows` gets each stack's TEMPLATES.json row."""
        grouped: dict[str, list[StackTemplate]] = {}
        for st in place:
            grouped.setdefault(product_name(st.unit), []).append(st)
        taken: set[str] = {"Portfolio", "PrincipalAssociation"}
        out = []
        for name, members in sorted(grouped.items()):
            spec = ProductSpec(
                portfolio.logical_id("Product", name, taken),
                name,
                f"Proton template {name}"
                if not name.startswith("component-")
                else f"Proton component {name[10:]}",
            )
            versions: dict[str, list[str]] = {}  # version -> template keys, in the order of their first stack
            for st in sorted(members, key=lambda s: s.unit.stack_name or ""):
                keys = versions.setdefault(version_of(st.unit), [])
                if st.key not in keys:
                    keys.append(st.key)
            artifacts: dict[tuple[str, str], ArtifactSpec] = {}
            for version, keys in sorted(versions.items()):
                for index, key in enumerate(keys, start=1):
                    art_name = version if len(keys) == 1 else f"{version}-{index}"
                    path = f"{layout.artifacts_dir(account, region)}/{_slug(name)}/{art_name}.yaml"
                    artifacts[(version, key)] = ArtifactSpec(art_name, path, f"Proton {name} {version}")
            for st in sorted(members, key=lambda s: s.unit.stack_name or ""):
                u = st.unit
                art = artifacts[(version_of(u), st.key)]
                art.stacks.append(u.stack_name or "")
                files[art.path] = st.text
                if u.role_arn:
                    spec.roles[u.role_arn] = spec.roles.get(u.role_arn, 0) + 1
                files[layout.adoption_path(account, region, u.stack_name or "")] = self.adoption(
                    st, spec, art, findings, pipeline_findings
                )
                params_path = layout.parameters_path(account, region, u.stack_name or "")
                files[params_path] = parameters_file(st)
                rows.append((u, art.path, params_path, st.mapping))
            for art in artifacts.values():
                shown = ", ".join(art.stacks[:3]) + (" ..." if len(art.stacks) > 3 else "")
                art.description = f"Proton {name} {art.name.split('-')[0]}: the template of {shown}"[:8000]
            spec.artifacts = sorted(artifacts.values(), key=lambda a: a.name)
            if not spec.launch_role:
                findings.append(
                    Finding(
                        "W-SC-NO-LAUNCH-ROLE",
                        f"product {name} in {account}/{region}: none of its stacks runs with a service "
                        "role, so "
                        "it has no launch constraint; users then need permissions for its resources",
                        f"{account}/{region}",
                        layout.portfolio_path(account, region),
                    )
                )
            elif len(spec.roles) > 1:
                findings.append(
                    Finding(
                        "W-SC-LAUNCH-ROLES",
                        f"product {name} in {account}/{region}: its stacks run with {len(spec.roles)} roles; "
                        f"the launch constraint uses {spec.launch_role} (one per product and portfolio)",
                        f"{account}/{region}",
                        layout.portfolio_path(account, region),
                    )
                )
            out.append(spec)
        return out

    def adoption(
        self,
        st: StackTemplate,
        product: ProductSpec,
        art: ArtifactSpec,
        findings: list[Finding],
        pipeline_findings: Mapping[str, Sequence[Finding]],
    ) -> str:
        u = st.unit
        path = layout.adoption_path(u.account, u.region, u.stack_name or "")
        if u.stack_status not in IMPORTABLE:
            findings.append(
                Finding(
                    "E-SC-STATUS",
                    f"stack {u.stack_name} is {u.stack_status}: ImportAsProvisionedProduct takes only "
                    + ", ".join(sorted(IMPORTABLE))
                    + "; repair the stack first",
                    u.arn,
                    path,
                )
            )
        if not PP_NAME.match(u.stack_name or ""):
            findings.append(
                Finding(
                    "E-SC-NAME",
                    f"stack name {u.stack_name} is not a valid provisioned product name",
                    u.arn,
                    path,
                )
            )
        findings.extend(place_findings(st.text, pipeline_findings.get(u.arn, ()), art.path))
        for p in st.secret_parameters:
            findings.append(
                Finding(
                    "W-SC-STAGE-SECRET",
                    f"stage Parameter Store String {p.ssm_name} with input {p.input_name} of {u.label} "
                    f"(secrets.json id {p.secret_id}) before the adoption",
                    u.arn,
                    path,
                )
            )
        data = {
            "stack": u.stack_name,
            "stackId": u.stack_id,
            "label": u.label,
            "product": product.name,
            "productOutput": f"{product.logical_id}Id",
            "artifact": art.name,
            "template": art.path,
            "provisionedProductName": u.stack_name,
            "parameterFile": layout.parameters_path(u.account, u.region, u.stack_name or ""),
            "updateFirst": st.text != u.deployed_template,
            # Parameter Store Strings to stage from the snapshot's secrets.json before deploying the artifact
            "stage": [{"name": p.ssm_name, "secretId": p.secret_id} for p in st.secret_parameters],
            "parameters": {k: str(v) for k, v in sorted(st.parameters.items())},
            "tags": {k: str(v) for k, v in sorted(u.tags.items()) if not k.startswith("aws:")},
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"


def parameters_file(st: StackTemplate) -> str:
    """The stack's parameters/ file: what its provisioned product is given after the adoption, in the
    template-configuration format (`exodus repo` edits it; day 2 sends it with UpdateProvisionedProduct).
    Tags ride along for the record only: UpdateProvisionedProduct cannot change a product's tags."""
    doc = {
        "Parameters": {k: str(v) for k, v in sorted(st.parameters.items())},
        "Tags": {k: str(v) for k, v in sorted(st.unit.tags.items()) if not k.startswith("aws:")},
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def convert_pipelines(
    stacks: Sequence[StackTemplate], units: Sequence[DeploymentUnit]
) -> tuple[list[StackTemplate], dict[str, list[Finding]], list[dict[str, str]]]:
    """The stacks with every service pipeline's retired Proton calls rewritten (the pipeline targets'
    rewrite: its builds deploy the stacks directly), that rewrite's findings by unit ARN, and the resource
    changes deploying it makes, as PLANNED_CHANGES.json entries (the only resource changes of the
    adoption: a pipeline that keeps calling the retired API fails)."""
    convert = pipeline_converter(units)
    out, found, planned = [], {}, []
    for st in stacks:
        u = st.unit
        if u.kind == "service_pipeline":
            text, found[u.arn] = convert(u, st.text)
            if text != st.text:
                changes = pipeline_planned_changes(u.stack_name or "", u.account, u.region, st.text, text)
                planned += changes
                found[u.arn].append(
                    Finding(
                        "W-SC-PIPELINE-CHANGES",
                        f"planned change: deploying the artifact of pipeline stack {u.stack_name} before its "
                        f"import changes {len(changes)} resource propert(ies) ("
                        + ", ".join(sorted({f"{c['resource']}.{c['property']}" for c in changes}))
                        + "): its build steps no longer call the retired Proton API",
                        u.arn,
                    )
                )
                st = replace(st, text=text, key=text_key(text), reason=st.reason + "; Proton calls rewritten")
        out.append(st)
    return out, found, planned


def quota_findings(
    account: str, region: str, path: str, products: Sequence[ProductSpec], text: str
) -> list[Finding]:
    """Limits the portfolio stack would hit: versions per product (Service Catalog quota, 100 by default,
    adjustable [Service Quotas console]), a template body through S3 (1 MB) and 500 resources per
    template (CloudFormation quotas)."""
    out = []
    for p in products:
        if len(p.artifacts) > ARTIFACTS_PER_PRODUCT:
            out.append(
                Finding(
                    "E-SC-ARTIFACT-QUOTA",
                    f"product {p.name} in {account}/{region} needs {len(p.artifacts)} provisioning "
                    "artifacts (one per distinct stack template; Service Catalog allows "
                    f"{ARTIFACTS_PER_PRODUCT} per product unless the quota is raised): stacks that share a "
                    "parameterised template need one",
                    f"{account}/{region}",
                    path,
                )
            )
    resources = len(load_template(text, source=path).get("Resources") or {})
    if len(text.encode()) > TEMPLATE_BYTES or resources > TEMPLATE_RESOURCES:
        out.append(
            Finding(
                "E-SC-TEMPLATE-LIMIT",
                f"{path}: {len(text.encode())} bytes and {resources} resources; CloudFormation takes at most "
                f"{TEMPLATE_BYTES} bytes (from S3) and {TEMPLATE_RESOURCES} resources: split the portfolio",
                f"{account}/{region}",
                path,
            )
        )
    return out


def readme(products: int, artifacts: int, stacks: int) -> str:
    return "\n".join(
        [
            "# AWS Service Catalog (exodus export)",
            "",
            f"{products} product(s) with {artifacts} provisioning artifact(s) in",
            "`portfolio/<account>/<region>/portfolio.yaml`,",
            f"and {stacks} stack(s) adopted in place (`adoptions/`), one ImportAsProvisionedProduct each, in",
            "the order of the plan's runbooks. Copy `artifacts/<account>/<region>/` to the artifact bucket",
            "before deploying the portfolio stack (the runbook's account step does both).",
            "",
            "Import requires the stack's template to match its artifact: when the adoption file says",
            "`updateFirst: true`, the runbook first deploys the artifact to the stack (a change set exodus",
            "proved changes no resource). Launch constraints apply from the next UpdateProvisionedProduct.",
            "",
            "## Day 2: Proton's operations on a provisioned product",
            "",
            "Each adopted stack has `parameters/<account>/<region>/<StackName>.json` (its parameters, in",
            "the template-configuration format) and a row in `TEMPLATES.json` naming the template file it",
            "is on. `.exodus-repo/` indexes the Proton templates (schemas, bundles) and every instance, so",
            "`exodus repo validate | outdated | set | upgrade | new-instance` work on a checkout of this",
            "repository: `set` (a new image, an input) edits the parameters file; `upgrade` (a minor",
            "version) moves the stack to that version's shared artifact file (or its own copy) and edits",
            "the parameters file and TEMPLATES.json. Review and merge the pull request, then apply it:",
            "",
            "    bash servicecatalog-update.sh <StackName> <artifact bucket>            # plan: review it",
            "    bash servicecatalog-update.sh <StackName> <artifact bucket> --execute  # then apply it",
            "",
            "with credentials for the stack's account and Region. The script is UpdateProvisionedProduct",
            "with a review: a template file no artifact of the product carries becomes a new provisioning",
            "artifact (CreateProvisioningArtifact, uploaded to the artifact bucket), then a provisioned",
            "product plan (a change set on the stack) prints its ResourceChanges as one JSON line before",
            "anything changes, and `--execute` runs it and follows the record. A new instance",
            "(`exodus repo new-instance`) is a new provisioned product: `aws servicecatalog",
            "provision-product` with its parameters file's values. Tags cannot change on an update.",
            "",
        ]
    )


exporter = ServiceCatalogExporter()
