"""AWS Service Catalog operations moto (5.x) lacks, so a local cloud can hold a portfolio deployed with
CloudFormation and adopt existing stacks as provisioned products (the `service-catalog` target).

moto emulates CreatePortfolio, CreateProduct (without its provisioning artifact) and a few reads; this
module adds, with the semantics of the Service Catalog API Reference
(https://docs.aws.amazon.com/servicecatalog/latest/dg/API_Operations_AWS_Service_Catalog.html):

- provisioning artifacts: CreateProduct creates the artifact its `ProvisioningArtifactParameters`
  describe; CreateProvisioningArtifact / ListProvisioningArtifacts / DescribeProvisioningArtifact. An
  artifact's template is read from its `LoadTemplateFromURL` (an S3 object of the same cloud) when it is
  created, and refused when missing or not a template (InvalidParametersException);
- AssociateProductWithPortfolio, CreateConstraint (LAUNCH: one per product and portfolio, the product
  associated first), CreateTagOption, AssociateTagOptionWithResource;
- ImportAsProvisionedProduct: only CloudFormation stack ARNs of the caller's account and Region, in
  CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE or IMPORT_ROLLBACK_COMPLETE
  (InvalidStateException otherwise); the stack's template must match the artifact's
  (InvalidParametersException otherwise; compared as parsed documents); a name or a stack already taken
  is DuplicateResourceException; the same IdempotencyToken returns the first record. Nothing about the
  stack changes: the product's constraints apply only from the next UpdateProvisionedProduct;
- DescribeProvisionedProduct, ScanProvisionedProducts, DescribeRecord; TerminateProvisionedProduct
  (the stack deleted, or kept with RetainPhysicalResources: the runbooks' rollback);
- day 2 on a provisioned product: CreateProvisionedProductPlan (an existing product, AVAILABLE or
  TAINTED; one plan at a time) creates a change set on its stack with the artifact's template and the
  parameters, DescribeProvisionedProductPlan lists its ResourceChanges (CloudFormation's, in Service
  Catalog's upper-case words), ExecuteProvisionedProductPlan executes it, DeleteProvisionedProductPlan
  drops it; UpdateProvisionedProduct does both at once. The stack runs with the product's launch
  constraint role (else its own), keeps its tags, and the provisioned product moves to the artifact; a
  change set CloudFormation refuses fails the plan (the update is refused); a failed execution leaves the
  product TAINTED on its artifact;
- the CloudFormation resource types AWS::ServiceCatalog::Portfolio, CloudFormationProduct,
  PortfolioProductAssociation, LaunchRoleConstraint, TagOption and TagOptionAssociation, backed by the
  same state (without them moto_cfn_gaps would stub them: a product with no artifact to import into).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from moto.core.common_models import CloudFormationModel  # moto_compat, its only importer, needs moto anyway

__all__ = ["ADDED", "IMPORTABLE", "patch_moto_servicecatalog"]

# What this module adds, for docs/engine-coverage.md (engine/coverage.py reads this).
ADDED = (
    "CreateProduct creates the provisioning artifact its `ProvisioningArtifactParameters` describe (moto "
    "made none); CreateProvisioningArtifact, ListProvisioningArtifacts, DescribeProvisioningArtifact (by "
    "id or name). The template is read from `LoadTemplateFromURL` in this cloud's S3 on creation; a "
    "missing object or a document without Resources is InvalidParametersException.",
    "AssociateProductWithPortfolio; CreateConstraint and ListConstraintsForPortfolio for LAUNCH constraints "
    "(RoleArn or LocalRoleName; the product associated first; one per product and portfolio); "
    "CreateTagOption and AssociateTagOptionWithResource.",
    "ImportAsProvisionedProduct: a CloudFormation stack ARN of the caller's account and Region in "
    "CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE or IMPORT_ROLLBACK_COMPLETE "
    "(else InvalidStateException), whose template equals the artifact's as a parsed document (else "
    "InvalidParametersException); a taken name or an already imported stack is DuplicateResourceException; "
    "the same IdempotencyToken returns the first record; the stack itself is untouched. The record type of "
    "an import, `IMPORT_AS_PROVISIONED_PRODUCT`, is not documented [assumed].",
    "DescribeProvisionedProduct, ScanProvisionedProducts, DescribeRecord; TerminateProvisionedProduct (the "
    "stack deleted, or kept with RetainPhysicalResources).",
    "Day 2: CreateProvisionedProductPlan for an existing provisioned product (AVAILABLE or TAINTED, one plan "
    "at a time) creates a change set on its stack with the artifact's template and parameters "
    "(UsePreviousValue, and a declared parameter without Default not given, take the stack's value "
    "[assumed]; an undeclared Key is InvalidParametersException); DescribeProvisionedProductPlan returns its "
    "ResourceChanges (Action ADD/MODIFY/REMOVE, Replacement TRUE/FALSE, Details) before anything runs; "
    "ExecuteProvisionedProductPlan executes it (record UPDATE_PROVISIONED_PRODUCT; the product moves to the "
    "plan's artifact, or is TAINTED on its own when the stack fails); DeleteProvisionedProductPlan. "
    "UpdateProvisionedProduct (artifact by id or name, the current one by default; UpdateToken idempotent) "
    "is a plan executed at once, refused (InvalidParametersException) when CloudFormation refuses the change "
    "set. The stack runs with the product's launch constraint role (else its own) and keeps its tags. "
    "Records complete synchronously [emulation].",
    "CloudFormation types AWS::ServiceCatalog::Portfolio, CloudFormationProduct (`Ref` the product id; "
    "`ProvisioningArtifactIds`/`Names` attributes), PortfolioProductAssociation, LaunchRoleConstraint, "
    "TagOption and TagOptionAssociation, on the same state. Updating or deleting them through a stack "
    "changes no Service Catalog state [gap].",
)

IMPORTABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
_STACK_ARN = re.compile(r"^arn:aws[a-z-]*:cloudformation:([a-z0-9-]+):(\d{12}):stack/([^/]+)/")
_PATCHED = False
TIME = "2026-01-01T00:00:00Z"  # the emulation's clock: records carry no wall-clock time (reproducible runs)


def _id(prefix: str, *parts: str) -> str:
    """An id of Service Catalog's shape (`prod-`, `pa-`, `pp-`, `rec-`, `cons-`, `tag-` + 13 characters),
    derived from what it names so runs are reproducible."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:13]}"


@dataclass
class Artifact:
    id: str
    name: str
    description: str
    template: Any  # parsed template document
    type: str = "CLOUD_FORMATION_TEMPLATE"
    active: bool = True
    text: str = ""  # the template as read from LoadTemplateFromURL: what an update deploys

    def detail(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "Type": self.type,
            "CreatedTime": TIME,
            "Active": self.active,
            "Guidance": "DEFAULT",
        }


@dataclass
class ProvisionedProduct:
    id: str
    name: str
    product_id: str
    artifact_id: str
    physical_id: str
    record_id: str
    status: str = "AVAILABLE"

    def detail(self) -> dict[str, Any]:
        return {
            "Name": self.name,
            "Arn": self.physical_id,
            "Type": "CFN_STACK",
            "Id": self.id,
            "Status": self.status,
            "CreatedTime": TIME,
            "IdempotencyToken": self.record_id,
            "LastRecordId": self.record_id,
            "LastProvisioningRecordId": self.record_id,
            "LastSuccessfulProvisioningRecordId": self.record_id,
            "ProductId": self.product_id,
            "ProvisioningArtifactId": self.artifact_id,
        }


@dataclass
class State:
    """What this module adds to one moto ServiceCatalogBackend (one account and Region)."""

    artifacts: dict[str, list[Artifact]] = field(default_factory=dict)  # product id -> artifacts
    associations: set[tuple[str, str]] = field(default_factory=set)  # (portfolio id, product id)
    constraints: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag_option_links: set[tuple[str, str]] = field(default_factory=set)  # (tag option id, resource id)
    provisioned: dict[str, ProvisionedProduct] = field(default_factory=dict)  # id -> product
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # import idempotency token -> record id
    plans: dict[str, Plan] = field(default_factory=dict)  # plan id -> provisioned product plan


@dataclass
class Plan:
    """A provisioned product plan of an existing provisioned product: a change set on its stack."""

    id: str
    name: str
    pp_id: str
    product_id: str
    artifact_id: str
    parameters: list[dict[str, Any]]
    change_set_id: str = ""
    status: str = "CREATE_SUCCESS"
    message: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)

    def detail(self, pp_name: str) -> dict[str, Any]:
        return {
            "CreatedTime": TIME,
            "UpdatedTime": TIME,
            "PlanName": self.name,
            "PlanId": self.id,
            "PlanType": "CLOUDFORMATION",
            "ProductId": self.product_id,
            "ProvisionProductId": self.pp_id,
            "ProvisionProductName": pp_name,
            "ProvisioningArtifactId": self.artifact_id,
            "ProvisioningParameters": self.parameters,
            "Status": self.status,
            "StatusMessage": self.message,
            "Tags": [],
            "NotificationArns": [],
        }


def state(backend: Any) -> State:
    """The added state of a moto ServiceCatalogBackend (created on first use)."""
    found = getattr(backend, "_exodus_state", None)
    if found is None:
        found = State()
        backend._exodus_state = found
    return found


def _errors() -> Any:
    from moto.servicecatalog import exceptions

    class DuplicateResourceException(exceptions.ServiceCatalogException):
        code = "DuplicateResourceException"

    class InvalidStateException(exceptions.ServiceCatalogException):
        code = "InvalidStateException"

    exceptions.DuplicateResourceException = getattr(
        exceptions, "DuplicateResourceException", DuplicateResourceException
    )
    exceptions.InvalidStateException = getattr(exceptions, "InvalidStateException", InvalidStateException)
    return exceptions


def _parse(text: str) -> Any:
    from proton_exodus.cfn.text import parse_template

    return parse_template(text)


def _template_from_url(url: str, account_id: str) -> tuple[Any, str]:
    """The template an artifact's LoadTemplateFromURL names, read from this cloud's S3; the parsed
    document and its text, or InvalidParametersException (Service Catalog validates the template on
    creation)."""
    ex = _errors()
    parsed = urlparse(url or "")
    host, path = parsed.netloc, unquote(parsed.path.lstrip("/"))
    match = re.match(r"^(?P<bucket>.+)\.s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$", host)
    if match:
        bucket, key = match.group("bucket"), path
    elif re.match(r"^s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$", host) and "/" in path:
        bucket, key = path.split("/", 1)
    else:
        raise ex.InvalidParametersException(f"LoadTemplateFromURL {url!r} is not an Amazon S3 object URL")
    from moto.s3.models import s3_backends

    try:
        body = s3_backends[account_id]["aws"].get_object(bucket, key).value
    except Exception:  # noqa: BLE001 - moto raises several types for a missing bucket or key
        raise ex.InvalidParametersException(f"Unable to retrieve the template from {url}") from None
    try:
        text = body.decode("utf-8")
        doc = _parse(text)
    except Exception:  # noqa: BLE001 - any parse failure is an invalid template
        raise ex.InvalidParametersException(f"The template at {url} is not a valid template") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ex.InvalidParametersException(f"The template at {url} has no Resources")
    return doc, text


def _product(backend: Any, product_id: str) -> Any:
    product = backend.products.get(product_id)
    if product is None:
        raise _errors().ResourceNotFoundException(f"Product {product_id} not found.")
    return product


# ------------------------------------------------------------------------------------------ the backend


def _create_artifact(backend: Any, product_id: str, params: dict[str, Any]) -> Artifact:
    ex = _errors()
    _product(backend, product_id)
    info = params.get("Info") or {}
    kind = params.get("Type") or "CLOUD_FORMATION_TEMPLATE"
    if kind != "CLOUD_FORMATION_TEMPLATE":
        raise ex.InvalidParametersException(f"Provisioning artifact type {kind} is not emulated")
    if "LoadTemplateFromURL" not in info:
        raise ex.InvalidParametersException("Info must contain LoadTemplateFromURL")
    name = str(params.get("Name") or "")
    existing = state(backend).artifacts.setdefault(product_id, [])
    if any(a.name == name for a in existing) and name:
        raise ex.DuplicateResourceException(f"A provisioning artifact named {name} already exists")
    template, text = _template_from_url(info["LoadTemplateFromURL"], backend.account_id)
    artifact = Artifact(
        _id("pa", backend.account_id, backend.region_name, product_id, name, str(len(existing))),
        name,
        str(params.get("Description") or ""),
        template,
        kind,
        text=text,
    )
    existing.append(artifact)
    return artifact


def _artifact(backend: Any, product_id: str, artifact_id: str) -> Artifact:
    for artifact in state(backend).artifacts.get(product_id, []):
        if artifact.id == artifact_id:
            return artifact
    raise _errors().ResourceNotFoundException(
        f"Provisioning artifact {artifact_id} not found for product {product_id}."
    )


def import_as_provisioned_product(
    backend: Any, product_id: str, artifact_id: str, name: str, physical_id: str, token: str
) -> dict[str, Any]:
    """The import, as the API Reference describes it; the record detail."""
    ex = _errors()
    st = state(backend)
    if token and token in st.tokens:
        return st.records[st.tokens[token]]
    _product(backend, product_id)
    artifact = _artifact(backend, product_id, artifact_id)
    if not re.match(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$", name or ""):
        raise ex.InvalidParametersException(f"ProvisionedProductName {name!r} is not valid")
    match = _STACK_ARN.match(physical_id or "")
    if not match:
        raise ex.InvalidParametersException("PhysicalId must be the ARN of a CloudFormation stack")
    region, account, stack_name = match.groups()
    if (account, region) != (backend.account_id, backend.region_name):
        raise ex.InvalidParametersException(f"Stack {physical_id} is not in this account and Region")
    from moto.cloudformation.models import cloudformation_backends

    cfn = cloudformation_backends[account][region]
    stack = cfn.stacks.get(physical_id) or next(
        (s for s in cfn.stacks.values() if s.name == stack_name and s.status != "DELETE_COMPLETE"), None
    )
    if stack is None or stack.status == "DELETE_COMPLETE":
        raise ex.ResourceNotFoundException(f"Stack {physical_id} does not exist")
    if stack.status not in IMPORTABLE:
        raise ex.InvalidStateException(
            f"Stack {stack_name} is in {stack.status}; it must be one of " + ", ".join(sorted(IMPORTABLE))
        )
    if any(p.name == name for p in st.provisioned.values()):
        raise ex.DuplicateResourceException(f"A provisioned product named {name} already exists")
    if any(p.physical_id == stack.stack_id for p in st.provisioned.values()):
        raise ex.DuplicateResourceException(f"Stack {stack_name} is already a provisioned product")
    body = stack.template if isinstance(stack.template, str) else json.dumps(stack.template)
    if _parse(body) != artifact.template:
        raise ex.InvalidParametersException(
            f"The template of stack {stack_name} does not match provisioning artifact {artifact_id}"
        )
    pp_id = _id("pp", account, region, stack.stack_id)
    record_id = _id("rec", account, region, stack.stack_id, "import")
    record = {
        "RecordId": record_id,
        "ProvisionedProductName": name,
        "Status": "SUCCEEDED",
        "CreatedTime": TIME,
        "UpdatedTime": TIME,
        "ProvisionedProductType": "CFN_STACK",
        # The API Reference lists no record type for imports; this one names the operation [not documented].
        "RecordType": "IMPORT_AS_PROVISIONED_PRODUCT",
        "ProvisionedProductId": pp_id,
        "ProductId": product_id,
        "ProvisioningArtifactId": artifact_id,
        "RecordErrors": [],
        "RecordTags": [],
    }
    st.records[record_id] = record
    st.provisioned[pp_id] = ProvisionedProduct(
        pp_id, name, product_id, artifact_id, stack.stack_id, record_id
    )
    if token:
        st.tokens[token] = record_id
    return record


def _provisioned(backend: Any, pp_id: str | None, name: str | None) -> ProvisionedProduct:
    for pp in state(backend).provisioned.values():
        if (pp_id and pp.id == pp_id) or (name and pp.name == name):
            return pp
    raise _errors().ResourceNotFoundException(f"Provisioned product {pp_id or name} not found.")


def terminate_provisioned_product(
    backend: Any, pp_id: str | None, name: str | None, token: str, retain: bool
) -> dict[str, Any]:
    """TerminateProvisionedProduct: the provisioned product is removed; its stack is deleted unless
    `RetainPhysicalResources` (then Service Catalog only lets the stack go). The same TerminateToken
    returns the first record."""
    st = state(backend)
    if token and f"terminate:{token}" in st.tokens:
        return st.records[st.tokens[f"terminate:{token}"]]
    pp = _provisioned(backend, pp_id, name)
    if not retain:
        from moto.cloudformation.models import cloudformation_backends

        cloudformation_backends[backend.account_id][backend.region_name].delete_stack(pp.physical_id)
    record_id = _id("rec", backend.account_id, backend.region_name, pp.physical_id, "terminate", token)
    record = {
        **st.records[pp.record_id],
        "RecordId": record_id,
        "RecordType": "TERMINATE_PROVISIONED_PRODUCT",
        "Status": "SUCCEEDED",
    }
    st.records[record_id] = record
    del st.provisioned[pp.id]
    if token:
        st.tokens[f"terminate:{token}"] = record_id
    return record


def _stack_of(backend: Any, pp: ProvisionedProduct) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    cfn = cloudformation_backends[backend.account_id][backend.region_name]
    stack = cfn.stacks.get(pp.physical_id)
    if stack is None or stack.status == "DELETE_COMPLETE":
        raise _errors().ResourceNotFoundException(f"The stack of provisioned product {pp.name} is gone")
    return cfn, stack


def _launch_role(backend: Any, product_id: str) -> str | None:
    """The product's LAUNCH constraint role (any portfolio): an update runs the stack with it."""
    for c in sorted(state(backend).constraints.values(), key=lambda c: c["ConstraintId"]):
        if c["ProductId"] == product_id and c["Type"] == "LAUNCH":
            return json.loads(c["Parameters"]).get("RoleArn") or None
    return None


def _values(artifact: Artifact, stack: Any, given: list[dict[str, Any]]) -> dict[str, str]:
    """The stack parameters an update sends: each given Key's Value, the stack's current value for
    `UsePreviousValue` and for a declared parameter not given that has no Default (CloudFormation would
    otherwise refuse the update) [assumed]; a Key the artifact does not declare is refused."""
    ex = _errors()
    declared = (artifact.template or {}).get("Parameters") or {}
    previous = {str(k): str(v) for k, v in (stack.parameters or {}).items()}
    out: dict[str, str] = {}
    for item in given or []:
        key = str(item.get("Key") or "")
        if key not in declared:
            raise ex.InvalidParametersException(
                f"Parameter {key} is not declared by provisioning artifact {artifact.id}"
            )
        use_previous = item.get("UsePreviousValue") in (True, "true", "True")
        if use_previous and key not in previous:
            raise ex.InvalidParametersException(f"Parameter {key} has no previous value to use")
        out[key] = previous[key] if use_previous else str(item.get("Value", ""))
    for key, spec in declared.items():
        if key in out or (isinstance(spec, dict) and "Default" in spec):
            continue
        if key not in previous:
            raise ex.InvalidParametersException(f"Parameter {key} needs a value")
        out[key] = previous[key]
    return out


def _resource_changes(change_set: Any) -> list[dict[str, Any]]:
    """The change set's changes as Service Catalog's ResourceChange (API Reference: Action ADD, MODIFY,
    REMOVE; Replacement TRUE, FALSE, CONDITIONAL; Scope and Details' Target upper-cased)."""
    out = []
    for c in change_set.changes if change_set.status == "CREATE_COMPLETE" else []:
        item: dict[str, Any] = {
            "Action": str(c.action).upper(),
            "LogicalResourceId": c.logical_resource_id,
            "ResourceType": c.resource_type,
            "Scope": [str(x).upper() for x in getattr(c, "scope", None) or []],
            "Details": [
                {
                    "Target": {
                        "Attribute": str(d["Target"].get("Attribute", "")).upper(),
                        "Name": d["Target"].get("Name", ""),
                        "RequiresRecreation": {"Always": "ALWAYS", "Never": "NEVER"}.get(
                            d["Target"].get("RequiresRecreation", ""), "CONDITIONALLY"
                        ),
                    },
                    "Evaluation": str(d.get("Evaluation", "Static")).upper(),
                    "CausingEntity": d.get("CausingEntity", ""),
                }
                for d in getattr(c, "details", None) or []
            ],
        }
        if getattr(c, "physical_resource_id", None):
            item["PhysicalResourceId"] = c.physical_resource_id
        if c.action == "Modify":
            item["Replacement"] = str(getattr(c, "replacement", "False")).upper()
        out.append(item)
    return sorted(out, key=lambda i: i["LogicalResourceId"])


def create_plan(
    backend: Any,
    name: str,
    product_id: str,
    pp_name: str,
    artifact_id: str,
    parameters: list[dict[str, Any]],
    token: str,
) -> Plan:
    """CreateProvisionedProductPlan for an existing provisioned product (AVAILABLE or TAINTED, the API
    Reference's rule): a change set on its stack with the artifact's template and the parameters, to
    describe (DescribeProvisionedProductPlan) and then execute. One plan per provisioned product."""
    ex = _errors()
    st = state(backend)
    if token and st.tokens.get(f"plan:{token}") in st.plans:
        return st.plans[st.tokens[f"plan:{token}"]]
    pp = _provisioned(backend, None, pp_name)
    if pp.status not in ("AVAILABLE", "TAINTED"):
        raise ex.InvalidStateException(f"Provisioned product {pp_name} is {pp.status}")
    if product_id != pp.product_id:
        raise ex.InvalidParametersException(f"Provisioned product {pp_name} is not of product {product_id}")
    if any(p.pp_id == pp.id and p.status == "CREATE_SUCCESS" for p in st.plans.values()):
        raise ex.InvalidStateException(f"Provisioned product {pp_name} has a plan already")
    artifact = _artifact(backend, product_id, artifact_id)
    if not artifact.active:
        raise ex.InvalidParametersException(f"Provisioning artifact {artifact_id} is not active")
    cfn, stack = _stack_of(backend, pp)
    plan_id = _id(
        "plan", backend.account_id, backend.region_name, pp.id, token or f"{len(st.plans)}/{len(st.records)}"
    )
    plan = Plan(plan_id, name, pp.id, product_id, artifact.id, list(parameters or []))
    try:
        values = _values(artifact, stack, parameters)
        plan.change_set_id, _ = cfn.create_change_set(
            stack.name,
            f"servicecatalog-{plan_id}",
            artifact.text or json.dumps(artifact.template),
            values,
            f"Service Catalog plan {name}",
            "UPDATE",
            None,
            None,  # no Tags: UpdateProvisionedProduct cannot change them, the stack keeps its own
            _launch_role(backend, product_id) or stack.role_arn,
        )
    except ex.ServiceCatalogException:
        raise
    except Exception as err:  # noqa: BLE001 - CloudFormation's refusal is the plan's failure
        plan.status, plan.message = "CREATE_FAILED", str(getattr(err, "message", "") or err)
    else:
        change_set = cfn.change_sets[plan.change_set_id]
        if change_set.status == "FAILED" and "didn't contain changes" not in str(change_set.status_reason):
            plan.status, plan.message = "CREATE_FAILED", str(change_set.status_reason)
        plan.changes = _resource_changes(change_set)
    st.plans[plan_id] = plan
    if token:
        st.tokens[f"plan:{token}"] = plan_id
    return plan


def _plan(backend: Any, plan_id: str) -> Plan:
    found = state(backend).plans.get(plan_id)
    if found is None:
        raise _errors().ResourceNotFoundException(f"Plan {plan_id} not found.")
    return found


def execute_plan(
    backend: Any, plan_id: str, token: str, record_type: str = "UPDATE_PROVISIONED_PRODUCT"
) -> dict[str, Any]:
    """ExecuteProvisionedProductPlan: the plan's change set executed on the stack; the record. On
    success the provisioned product is on the plan's artifact; when the stack fails and rolls back it
    stays on its artifact and is TAINTED (the API Reference's status for an update that rolled back)."""
    ex = _errors()
    st = state(backend)
    if token and f"execute:{token}" in st.tokens:
        return st.records[st.tokens[f"execute:{token}"]]
    plan = _plan(backend, plan_id)
    if plan.status != "CREATE_SUCCESS":
        raise ex.InvalidStateException(f"Plan {plan_id} is {plan.status}")
    pp = st.provisioned[plan.pp_id]
    cfn, stack = _stack_of(backend, pp)
    errors: list[dict[str, str]] = []
    change_set = cfn.change_sets.get(plan.change_set_id)
    if change_set is not None and change_set.status == "CREATE_COMPLETE":
        try:
            cfn.execute_change_set(plan.change_set_id, stack.name)
        except Exception as err:  # noqa: BLE001 - a failed execution is the record's error
            errors.append({"Code": "CloudFormation", "Description": str(getattr(err, "message", "") or err)})
        if not errors and stack.status not in ("UPDATE_COMPLETE", "CREATE_COMPLETE"):
            errors.append(
                {"Code": "CloudFormation", "Description": f"stack {stack.name} ended {stack.status}"}
            )
    record_id = _id("rec", backend.account_id, backend.region_name, pp.physical_id, "update", plan_id, token)
    record = {
        **st.records[pp.record_id],
        "RecordId": record_id,
        "RecordType": record_type,
        "Status": "FAILED" if errors else "SUCCEEDED",
        "ProvisioningArtifactId": plan.artifact_id,
        "RecordErrors": errors,
    }
    st.records[record_id] = record
    plan.status = "EXECUTE_FAILED" if errors else "EXECUTE_SUCCESS"
    pp.record_id = record_id
    if errors:
        pp.status = "TAINTED"
    else:
        pp.status, pp.artifact_id = "AVAILABLE", plan.artifact_id
    if token:
        st.tokens[f"execute:{token}"] = record_id
    return record


def delete_plan(backend: Any, plan_id: str) -> None:
    """DeleteProvisionedProductPlan: the plan and its change set (when not executed) go."""
    plan = _plan(backend, plan_id)
    pp = state(backend).provisioned.get(plan.pp_id)
    if pp is not None and plan.status == "CREATE_SUCCESS":
        cfn, _ = _stack_of(backend, pp)
        cfn.change_sets.pop(plan.change_set_id, None)
    del state(backend).plans[plan_id]


def update_provisioned_product(
    backend: Any,
    pp_id: str | None,
    pp_name: str | None,
    product_id: str | None,
    artifact_id: str | None,
    artifact_name: str | None,
    parameters: list[dict[str, Any]],
    token: str,
) -> dict[str, Any]:
    """UpdateProvisionedProduct: the stack updated through a change set with the artifact's template
    (by id or name; the current one when neither is given) and the parameters; the record (complete when
    returned: the emulation runs the update at once). The same UpdateToken returns the first record."""
    ex = _errors()
    st = state(backend)
    if token and f"update:{token}" in st.tokens:
        return st.records[st.tokens[f"update:{token}"]]
    pp = _provisioned(backend, pp_id, pp_name)
    product = product_id or pp.product_id
    if artifact_id:
        artifact = _artifact(backend, product, artifact_id)
    elif artifact_name:
        artifact = next((a for a in st.artifacts.get(product, []) if a.name == artifact_name), None)
        if artifact is None:
            raise ex.ResourceNotFoundException(f"Provisioning artifact {artifact_name} not found.")
    else:
        artifact = _artifact(backend, product, pp.artifact_id)
    plan = create_plan(backend, f"update-{token}", product, pp.name, artifact.id, parameters, "")
    if plan.status != "CREATE_SUCCESS":
        del st.plans[plan.id]
        raise ex.InvalidParametersException(plan.message)
    record = execute_plan(backend, plan.id, "")
    del st.plans[plan.id]
    if token:
        st.tokens[f"update:{token}"] = record["RecordId"]
    return record


def associate_product(backend: Any, portfolio_id: str, product_id: str) -> None:
    if portfolio_id not in backend.portfolios:
        raise _errors().ResourceNotFoundException(f"Portfolio {portfolio_id} not found.")
    _product(backend, product_id)
    state(backend).associations.add((portfolio_id, product_id))


def create_constraint(
    backend: Any, portfolio_id: str, product_id: str, kind: str, parameters: str, description: str = ""
) -> dict[str, Any]:
    ex = _errors()
    st = state(backend)
    if (portfolio_id, product_id) not in st.associations:
        raise ex.ResourceNotFoundException(
            f"Product {product_id} is not associated with portfolio {portfolio_id}"
        )
    if kind != "LAUNCH":
        raise ex.InvalidParametersException(f"Constraint type {kind} is not emulated")
    try:
        params = json.loads(parameters)
    except (TypeError, ValueError):
        raise ex.InvalidParametersException("Parameters must be JSON") from None
    if not isinstance(params, dict) or not (params.get("RoleArn") or params.get("LocalRoleName")):
        raise ex.InvalidParametersException("A LAUNCH constraint needs RoleArn or LocalRoleName")
    if any(
        c["PortfolioId"] == portfolio_id and c["ProductId"] == product_id and c["Type"] == "LAUNCH"
        for c in st.constraints.values()
    ):
        raise ex.DuplicateResourceException(
            "A launch constraint already exists for this product and portfolio"
        )
    cid = _id("cons", backend.account_id, backend.region_name, portfolio_id, product_id, kind)
    st.constraints[cid] = {
        "ConstraintId": cid,
        "Type": kind,
        "Description": description,
        "Owner": backend.account_id,
        "ProductId": product_id,
        "PortfolioId": portfolio_id,
        "Parameters": parameters,
    }
    return st.constraints[cid]


def create_tag_option(backend: Any, key: str, value: str) -> dict[str, Any]:
    ex = _errors()
    st = state(backend)
    if any(t["Key"] == key and t["Value"] == value for t in st.tag_options.values()):
        raise ex.DuplicateResourceException(f"TagOption {key}={value} already exists")
    if not key or len(key) > 128 or key.lower().startswith("aws:") or not value or len(value) > 256:
        raise ex.InvalidParametersException(f"TagOption {key!r}={value!r} is not valid")
    tid = _id("tag", backend.account_id, backend.region_name, key, value)
    st.tag_options[tid] = {"Key": key, "Value": value, "Active": True, "Id": tid, "Owner": backend.account_id}
    return st.tag_options[tid]


def associate_tag_option(backend: Any, resource_id: str, tag_option_id: str) -> None:
    ex = _errors()
    st = state(backend)
    if tag_option_id not in st.tag_options:
        raise ex.ResourceNotFoundException(f"TagOption {tag_option_id} not found.")
    if resource_id not in backend.portfolios and resource_id not in backend.products:
        raise ex.ResourceNotFoundException(f"Resource {resource_id} not found.")
    st.tag_option_links.add((tag_option_id, resource_id))


# ------------------------------------------------------------------------------------------ the wire


def _patch_backend_and_responses() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.servicecatalog.models import ServiceCatalogBackend
    from moto.servicecatalog.responses import ServiceCatalogResponse

    original_create = ServiceCatalogBackend.create_product

    def create_product(self: Any, *args: Any, **kwargs: Any) -> Any:
        product = original_create(self, *args, **kwargs)
        params = kwargs.get("provisioning_artifact_parameters")
        if params and not state(self).artifacts.get(product.id):
            try:
                _create_artifact(self, product.id, params)
            except Exception:
                self.products.pop(product.id, None)  # CreateProduct fails as a whole
                raise
        return product

    ServiceCatalogBackend.create_product = create_product  # type: ignore[method-assign]

    original_create_response = ServiceCatalogResponse.create_product

    def create_product_response(self: Any) -> Any:
        result = original_create_response(self)
        body = getattr(result, "result", None)
        if isinstance(body, dict):
            pid = body["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
            arts = state(self.servicecatalog_backend).artifacts.get(pid) or []
            if arts:
                body["ProvisioningArtifactDetail"] = arts[0].detail()
        return result

    def p(self: Any, name: str) -> Any:
        return self._get_param(name)

    def create_provisioning_artifact_r(self: Any) -> Any:
        art = _create_artifact(self.servicecatalog_backend, p(self, "ProductId"), p(self, "Parameters") or {})
        return ActionResult({"ProvisioningArtifactDetail": art.detail(), "Info": {}, "Status": "AVAILABLE"})

    def list_provisioning_artifacts_r(self: Any) -> Any:
        backend = self.servicecatalog_backend
        _product(backend, p(self, "ProductId"))
        arts = state(backend).artifacts.get(p(self, "ProductId"), [])
        return ActionResult({"ProvisioningArtifactDetails": [a.detail() for a in arts]})

    def describe_provisioning_artifact_r(self: Any) -> Any:
        backend = self.servicecatalog_backend
        product_id = p(self, "ProductId")
        wanted_id, wanted_name = p(self, "ProvisioningArtifactId"), p(self, "ProvisioningArtifactName")
        for art in state(backend).artifacts.get(product_id, []):
            if art.id == wanted_id or (wanted_name and art.name == wanted_name):
                return ActionResult(
                    {"ProvisioningArtifactDetail": art.detail(), "Info": {}, "Status": "AVAILABLE"}
                )
        raise _errors().ResourceNotFoundException(
            f"Provisioning artifact {wanted_id or wanted_name} not found."
        )

    def associate_product_with_portfolio_r(self: Any) -> Any:
        associate_product(self.servicecatalog_backend, p(self, "PortfolioId"), p(self, "ProductId"))
        return EmptyResult()

    def create_constraint_r(self_: Any) -> Any:
        found = create_constraint(
            self_.servicecatalog_backend,
            p(self_, "PortfolioId"),
            p(self_, "ProductId"),
            p(self_, "Type"),
            p(self_, "Parameters"),
            p(self_, "Description") or "",
        )
        detail = {k: v for k, v in found.items() if k != "Parameters"}
        return ActionResult(
            {"ConstraintDetail": detail, "ConstraintParameters": found["Parameters"], "Status": "AVAILABLE"}
        )

    def list_constraints_for_portfolio_r(self: Any) -> Any:
        found = [
            {k: v for k, v in c.items() if k != "Parameters"}
            for c in state(self.servicecatalog_backend).constraints.values()
            if c["PortfolioId"] == p(self, "PortfolioId")
            and (not p(self, "ProductId") or c["ProductId"] == p(self, "ProductId"))
        ]
        return ActionResult({"ConstraintDetails": found})

    def create_tag_option_r(self: Any) -> Any:
        return ActionResult(
            {
                "TagOptionDetail": create_tag_option(
                    self.servicecatalog_backend, p(self, "Key"), p(self, "Value")
                )
            }
        )

    def associate_tag_option_with_resource_r(self: Any) -> Any:
        associate_tag_option(self.servicecatalog_backend, p(self, "ResourceId"), p(self, "TagOptionId"))
        return EmptyResult()

    def import_as_provisioned_product_response(self: Any) -> Any:
        record = import_as_provisioned_product(
            self.servicecatalog_backend,
            p(self, "ProductId"),
            p(self, "ProvisioningArtifactId"),
            p(self, "ProvisionedProductName"),
            p(self, "PhysicalId"),
            p(self, "IdempotencyToken") or "",
        )
        return ActionResult({"RecordDetail": record})

    def terminate_provisioned_product_r(self: Any) -> Any:
        retain = p(self, "RetainPhysicalResources")
        record = terminate_provisioned_product(
            self.servicecatalog_backend,
            p(self, "ProvisionedProductId"),
            p(self, "ProvisionedProductName"),
            p(self, "TerminateToken") or "",
            retain is True or str(retain).lower() == "true",
        )
        return ActionResult({"RecordDetail": record})

    def describe_provisioned_product_r(self: Any) -> Any:
        pp = _provisioned(self.servicecatalog_backend, p(self, "Id"), p(self, "Name"))
        return ActionResult({"ProvisionedProductDetail": pp.detail(), "CloudWatchDashboards": []})

    def scan_provisioned_products_r(self: Any) -> Any:
        found = sorted(state(self.servicecatalog_backend).provisioned.values(), key=lambda pp: pp.name)
        return ActionResult({"ProvisionedProducts": [pp.detail() for pp in found]})

    def describe_record_r(self: Any) -> Any:
        record = state(self.servicecatalog_backend).records.get(p(self, "Id"))
        if record is None:
            raise _errors().ResourceNotFoundException(f"Record {p(self, 'Id')} not found.")
        return ActionResult({"RecordDetail": record, "RecordOutputs": []})

    def create_provisioned_product_plan_r(self: Any) -> Any:
        plan = create_plan(
            self.servicecatalog_backend,
            p(self, "PlanName"),
            p(self, "ProductId"),
            p(self, "ProvisionedProductName"),
            p(self, "ProvisioningArtifactId"),
            p(self, "ProvisioningParameters") or [],
            p(self, "IdempotencyToken") or "",
        )
        return ActionResult(
            {
                "PlanName": plan.name,
                "PlanId": plan.id,
                "ProvisionProductId": plan.pp_id,
                "ProvisionedProductName": p(self, "ProvisionedProductName"),
                "ProvisioningArtifactId": plan.artifact_id,
            }
        )

    def describe_provisioned_product_plan_r(self: Any) -> Any:
        backend = self.servicecatalog_backend
        plan = _plan(backend, p(self, "PlanId"))
        pp = state(backend).provisioned.get(plan.pp_id)
        return ActionResult(
            {
                "ProvisionedProductPlanDetails": plan.detail(pp.name if pp else ""),
                "ResourceChanges": plan.changes,
            }
        )

    def execute_provisioned_product_plan_r(self: Any) -> Any:
        record = execute_plan(
            self.servicecatalog_backend, p(self, "PlanId"), p(self, "IdempotencyToken") or ""
        )
        return ActionResult({"RecordDetail": record})

    def delete_provisioned_product_plan_r(self: Any) -> Any:
        delete_plan(self.servicecatalog_backend, p(self, "PlanId"))
        return EmptyResult()

    def update_provisioned_product_r(self: Any) -> Any:
        record = update_provisioned_product(
            self.servicecatalog_backend,
            p(self, "ProvisionedProductId"),
            p(self, "ProvisionedProductName"),
            p(self, "ProductId"),
            p(self, "ProvisioningArtifactId"),
            p(self, "ProvisioningArtifactName"),
            p(self, "ProvisioningParameters") or [],
            p(self, "UpdateToken") or "",
        )
        return ActionResult({"RecordDetail": record})

    for name, fn in {
        "create_provisioned_product_plan": create_provisioned_product_plan_r,
        "describe_provisioned_product_plan": describe_provisioned_product_plan_r,
        "execute_provisioned_product_plan": execute_provisioned_product_plan_r,
        "delete_provisioned_product_plan": delete_provisioned_product_plan_r,
        "update_provisioned_product": update_provisioned_product_r,
        "create_product": create_product_response,
        "create_provisioning_artifact": create_provisioning_artifact_r,
        "list_provisioning_artifacts": list_provisioning_artifacts_r,
        "describe_provisioning_artifact": describe_provisioning_artifact_r,
        "associate_product_with_portfolio": associate_product_with_portfolio_r,
        "create_constraint": create_constraint_r,
        "list_constraints_for_portfolio": list_constraints_for_portfolio_r,
        "create_tag_option": create_tag_option_r,
        "associate_tag_option_with_resource": associate_tag_option_with_resource_r,
        "import_as_provisioned_product": import_as_provisioned_product_response,
        "describe_provisioned_product": describe_provisioned_product_r,
        "terminate_provisioned_product": terminate_provisioned_product_r,
        "scan_provisioned_products": scan_provisioned_products_r,
        "describe_record": describe_record_r,
    }.items():
        setattr(ServiceCatalogResponse, name, fn)


# ------------------------------------------------------------------------------------------ CloudFormation


def _backend(account_id: str, region: str) -> Any:
    from moto.servicecatalog.models import servicecatalog_backends

    return servicecatalog_backends[account_id][region]


class _Resource(CloudFormationModel):
    """A Service Catalog resource created through CloudFormation: its id is `Ref`."""

    TYPE = ""

    def __init__(self, physical_id: str, attributes: dict[str, Any] | None = None) -> None:
        self.physical_id = physical_id
        self.attributes = attributes or {}

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE or "Exodus::Local::ServiceCatalogResource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        return None


class PortfolioResource(_Resource):
    TYPE = "AWS::ServiceCatalog::Portfolio"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        token = f"{kwargs.get('StackId')}/{kwargs.get('LogicalId')}"
        portfolio = backend.create_portfolio(
            accept_language=None,
            display_name=props.get("DisplayName"),
            description=props.get("Description"),
            provider_name=props.get("ProviderName"),
            tags=props.get("Tags") or [],
            idempotency_token=token,
        )
        return cls(portfolio.id, {"PortfolioName": portfolio.display_name})


class ProductResource(_Resource):
    TYPE = "AWS::ServiceCatalog::CloudFormationProduct"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        artifacts = list(props.get("ProvisioningArtifactParameters") or [])
        first = {**artifacts[0], "Type": "CLOUD_FORMATION_TEMPLATE"} if artifacts else None
        product = backend.create_product(
            name=props.get("Name"),
            owner=props.get("Owner"),
            description=props.get("Description"),
            distributor=props.get("Distributor"),
            support_description=props.get("SupportDescription"),
            support_email=props.get("SupportEmail"),
            support_url=props.get("SupportUrl"),
            product_type="CLOUD_FORMATION_TEMPLATE",
            tags=props.get("Tags") or [],
            provisioning_artifact_parameters=first,
            idempotency_token=f"{kwargs.get('StackId')}/{kwargs.get('LogicalId')}",
        )
        for params in artifacts[1:]:
            _create_artifact(backend, product.id, params)
        made = state(backend).artifacts.get(product.id, [])
        return cls(
            product.id,
            {
                "ProductName": product.name,
                "ProvisioningArtifactIds": ",".join(a.id for a in made),
                "ProvisioningArtifactNames": ",".join(a.name for a in made),
            },
        )


class AssociationResource(_Resource):
    TYPE = "AWS::ServiceCatalog::PortfolioProductAssociation"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        associate_product(_backend(account_id, region_name), props.get("PortfolioId"), props.get("ProductId"))
        return cls(f"{props.get('PortfolioId')}|{props.get('ProductId')}")


class LaunchRoleResource(_Resource):
    TYPE = "AWS::ServiceCatalog::LaunchRoleConstraint"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        params = {k: props[k] for k in ("RoleArn", "LocalRoleName") if props.get(k)}
        found = create_constraint(
            _backend(account_id, region_name),
            props.get("PortfolioId"),
            props.get("ProductId"),
            "LAUNCH",
            json.dumps(params),
            props.get("Description") or "",
        )
        return cls(found["ConstraintId"])


class TagOptionResource(_Resource):
    TYPE = "AWS::ServiceCatalog::TagOption"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        found = create_tag_option(
            _backend(account_id, region_name), str(props.get("Key")), str(props.get("Value"))
        )
        return cls(found["Id"])


class TagOptionAssociationResource(_Resource):
    TYPE = "AWS::ServiceCatalog::TagOptionAssociation"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        associate_tag_option(
            _backend(account_id, region_name), props.get("ResourceId"), props.get("TagOptionId")
        )
        return cls(f"{props.get('TagOptionId')}|{props.get('ResourceId')}")


RESOURCES = {
    cls.TYPE: cls
    for cls in (
        PortfolioResource,
        ProductResource,
        AssociationResource,
        LaunchRoleResource,
        TagOptionResource,
        TagOptionAssociationResource,
    )
}


def _patch_cloudformation_types() -> None:
    from moto.cloudformation import parsing

    original = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> Any:
        return RESOURCES.get(resource_type) or original(resource_type)

    parsing.resource_class_from_type = resource_class_from_type


def patch_moto_servicecatalog() -> None:
    """Add the operations and CloudFormation types above to moto (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    _errors()
    _patch_backend_and_responses()
    _patch_cloudformation_types()
    _PATCHED = True
