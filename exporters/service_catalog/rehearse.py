"""The `service-catalog` deployer, emulated for `exodus rehearse` with Service Catalog's documented
semantics (ImportAsProvisionedProduct, API Reference; the local cloud's Service Catalog is
engine/moto_servicecatalog.py):

- per account and Region, before its first stack: the artifacts are copied to an artifact bucket and the
  portfolio stack is created (products, artifacts read from that bucket, launch constraints, tag options);
- per stack, in wave order: the Parameter Store Strings its artifact reads are staged with the values the
  stack holds (the runbook stages them from the snapshot's secrets.json, and the rebuilt estate holds
  exactly those values); then the stack's artifact is deployed to it with the adoption file's parameters and
  tags through a change set, described and classified (executed only when the adoption says
  `updateFirst`, as the runbook does; any change it announces is reported), then the stack is imported as
  a provisioned product, one at a time, and its template and resources are compared before and after
  (with the wave runbooks run as written, before the deployer, the runbook does all this with the aws
  CLI: the adopt step then checks the provisioned product it left and reads what its deploy changed);
- day 2, on a stack that is a provisioned product already (`update`): the export's own
  `servicecatalog-update.sh` runs as written (update.py): the template file and parameters/ file
  TEMPLATES.json names are what the provisioned product gets, a template no artifact of the product
  carries (a new minor version's) becomes a new provisioning artifact, and a provisioned product plan (a
  change set on the stack) is described, its resource changes classified, and executed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from exporters.service_catalog import layout, update
from proton_exodus.cfn.text import parse_template
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SSM_PARAMETER_TYPE
from proton_exodus.rehearse.changeset import (
    DONE,
    resource_changes,
    run_change_set,
    secret_placeholders,
    stack_or_none,
)
from proton_exodus.rehearse.model import FAILED, NO_OP, OK, SKIPPED, Change, RehearsalContext, Step
from proton_exodus.rehearse.repo import commit_export
from proton_exodus.rehearse.runbook import ensure_bucket


def sibling_client(cfn: Any, service: str, account: str) -> Any:
    """A `service` client on the same endpoint, Region and credentials as the rehearsal's CloudFormation
    client, acting in `account` (the local cloud reads the account from moto's header)."""
    import boto3

    creds = cfn._request_signer._credentials.get_frozen_credentials()
    client = boto3.session.Session(
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token,
        region_name=cfn.meta.region_name,
    ).client(service, endpoint_url=cfn.meta.endpoint_url)

    def pin_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign", pin_account)
    return client


BUCKET_PREFIX = "exodus-sc-artifacts"  # the rehearsal's ARTIFACT_BUCKET_PREFIX


def _bucket(account: str, region: str) -> str:
    return f"{BUCKET_PREFIX}-{account}-{region}"


def runbook_settings(
    places: Sequence[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path | None = None,
    snapshot_dir: Path | None = None,
) -> dict[str, str]:
    """The runbooks' ARTIFACT_BUCKET_PREFIX in the local cloud: the runbook says the artifact bucket of
    each account and Region exists (a person creates it once, in that account), so it is created here,
    as the rehearsal role of that account would (the runbook's `aws s3 sync` then fills it)."""
    from proton_exodus.engine.cloud import ClientFactory

    clients = ClientFactory(endpoint_url)
    for account, region in sorted(set(places)):
        ensure_bucket(clients.client("s3", account, region), _bucket(account, region), region)
    return {"ARTIFACT_BUCKET_PREFIX": BUCKET_PREFIX}


def _prepare(
    ctx: RehearsalContext, wave: int, account: str, region: str
) -> tuple[Step, dict[str, str] | None]:
    """Upload the artifacts and create the portfolio stack; the step, and the stack's outputs (None when
    it failed)."""
    step = Step(
        wave,
        "prepare",
        layout.PORTFOLIO_STACK,
        account,
        region,
        command=f"aws s3 sync artifacts/{account}/{region}; aws cloudformation deploy portfolio.yaml",
    )
    path = ctx.export_dir / layout.portfolio_path(account, region)
    if not path.is_file():
        step.outcome, step.message = FAILED, f"the export has no {layout.portfolio_path(account, region)}"
        return step, None
    cfn = ctx.cloudformation(account, region)
    s3 = sibling_client(cfn, "s3", account)
    bucket = _bucket(account, region)
    try:
        ensure_bucket(s3, bucket, region)
        base = ctx.export_dir / layout.artifacts_dir(account, region)
        for file in sorted(p for p in base.rglob("*") if p.is_file()):
            s3.put_object(
                Bucket=bucket, Key=file.relative_to(ctx.export_dir).as_posix(), Body=file.read_bytes()
            )
    except Exception as err:  # noqa: BLE001 - reported as the step's failure
        step.outcome, step.message = FAILED, f"artifact upload: {err}"
        return step, None
    run = run_change_set(
        cfn,
        layout.PORTFOLIO_STACK,
        path.read_text(encoding="utf-8"),
        {"ArtifactBucket": bucket},
        {},
        name="exodus-service-catalog-portfolio",
        poll=ctx.poll,
        timeout=ctx.timeout,
    )
    step.status = run.status
    if run.error or run.status not in DONE:
        step.outcome, step.message = FAILED, run.error or run.status
        return step, None
    stack = cfn.describe_stacks(StackName=layout.PORTFOLIO_STACK)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
    step.message = f"portfolio stack created with {len(outputs) - 1} product(s)"
    return step, outputs


def _sub_pattern(text: str, wanted: str) -> re.Pattern[str]:
    """A regex matching what `Fn::Sub` text renders to, capturing `${wanted}` (other variables: anything)."""
    out, pos = "", 0
    for m in re.finditer(r"\$\{([^}!]+)\}", text):
        out += re.escape(text[pos : m.start()]) + ("(?P<v>.*?)" if m.group(1) == wanted else ".*?")
        pos = m.end()
    return re.compile(out + re.escape(text[pos:]) + "$", re.S)


def _values_at(artifact: Any, deployed: Any, names: set[str], found: dict[str, str]) -> None:
    """Walk the artifact and the deployed template together: where the artifact reads an SSM-typed
    parameter (`Ref`, or `${P}` in `Fn::Sub`) the deployed template holds that parameter's value."""
    if isinstance(artifact, dict) and len(artifact) == 1 and isinstance(deployed, str):
        ((fn, arg),) = artifact.items()
        if fn == "Ref" and arg in names:
            found.setdefault(arg, deployed)
        elif fn == "Fn::Sub" and isinstance(arg, str):
            for name in names:
                match = _sub_pattern(arg, name).match(deployed) if "${" + name + "}" in arg else None
                if match:
                    found.setdefault(name, match.group("v"))
    elif isinstance(artifact, dict) and isinstance(deployed, dict):
        for key in artifact.keys() & deployed.keys():
            _values_at(artifact[key], deployed[key], names, found)
    elif isinstance(artifact, list) and isinstance(deployed, list) and len(artifact) == len(deployed):
        for a, d in zip(artifact, deployed, strict=True):
            _values_at(a, d, names, found)


def _stage(cfn: Any, account: str, stack: str, template: str, parameters: dict[str, str]) -> int:
    """Stage the Parameter Store Strings the artifact reads and the cloud lacks, with the values the stack
    holds; how many were staged."""
    artifact = parse_template(template) or {}
    declared = artifact.get("Parameters") or {}
    wanted = {
        key: str(parameters.get(key) or spec.get("Default") or "")
        for key, spec in declared.items()
        if isinstance(spec, dict) and spec.get("Type") == SSM_PARAMETER_TYPE
    }
    if not wanted:
        return 0
    body = cfn.get_template(StackName=stack)["TemplateBody"]
    deployed = parse_template(body) if isinstance(body, str) else body
    values: dict[str, str] = {}
    _values_at(artifact.get("Resources") or {}, (deployed or {}).get("Resources") or {}, set(wanted), values)
    ssm = sibling_client(cfn, "ssm", account)
    staged = 0
    for key, name in sorted(wanted.items()):
        if key in values and name:
            ssm.put_parameter(Name=name, Value=values[key], Type="String", Overwrite=True)
            staged += 1
    return staged


def _unstaged(cfn: Any, account: str, template: str, parameters: dict[str, str]) -> list[str]:
    """The Parameter Store names the template's SSM-typed parameters read that the cloud does not hold
    (CloudFormation would refuse the change set; the runbook stages them first)."""
    declared = (parse_template(template) or {}).get("Parameters") or {}
    names = sorted(
        str(parameters.get(key) or spec.get("Default") or "")
        for key, spec in declared.items()
        if isinstance(spec, dict) and spec.get("Type") == SSM_PARAMETER_TYPE
    )
    if not names:
        return []
    ssm = sibling_client(cfn, "ssm", account)
    missing = []
    for name in names:
        try:
            ssm.get_parameter(Name=name)
        except Exception:  # noqa: BLE001 - ParameterNotFound (or an empty name)
            missing.append(name or "(no name)")
    return missing


def _snapshot_of(cfn: Any, stack: str) -> tuple[Any, ...]:
    """What an adoption must not change: the stack's template, parameters, tags and resources."""
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    return (
        cfn.get_template(StackName=stack)["TemplateBody"],
        sorted((p["ParameterKey"], p.get("ParameterValue")) for p in described.get("Parameters") or []),
        sorted((t["Key"], t["Value"]) for t in described.get("Tags") or []),
        # the local cloud may list a resource with no logical id (moto): compared as it is, never a crash
        sorted(
            (
                str(r.get("LogicalResourceId", "")),
                str(r.get("PhysicalResourceId", "")),
                str(r.get("ResourceType", "")),
            )
            for r in resources
        ),
    )


def _adopt(ctx: RehearsalContext, step: Step, adoption: layout.Adoption, outputs: dict[str, str]) -> None:
    data = adoption.data
    cfn = ctx.cloudformation(step.account, step.region)
    sc = sibling_client(cfn, "servicecatalog", step.account)
    template = (Path(ctx.export_dir) / adoption.template_path).read_text(encoding="utf-8")
    placeholders = secret_placeholders(template)
    if placeholders:
        step.outcome = FAILED
        step.message = (
            f"{adoption.template_path} carries {placeholders} secret placeholder(s): "
            "deploying it before the import would write the placeholder text as the value"
        )
        return
    staged = _stage(cfn, step.account, step.stack, template, data.get("parameters") or {})
    if staged:
        step.command += f"; aws ssm put-parameter (x{staged}, values from secrets.json)"
    missing = _unstaged(cfn, step.account, template, data.get("parameters") or {})
    if missing:
        step.outcome = FAILED
        step.message = (
            "Parameter Store String(s) " + ", ".join(missing) + " not staged: stage them before the adoption "
            "(W-SC-STAGE-SECRET in MANUAL_TASKS.md; PLANNED_CHANGES.json `stage`)"
        )
        return
    run = run_change_set(
        cfn,
        step.stack,
        template,
        data.get("parameters") or {},
        data.get("tags") or {},
        name="exodus-service-catalog-adopt",
        execute=bool(data.get("updateFirst")),
        poll=ctx.poll,
        timeout=ctx.timeout,
    )
    step.changes, step.status = run.changes, run.status
    if run.error or (run.executed and run.status not in DONE):
        step.outcome, step.message = FAILED, run.error or run.status
        return
    before = _snapshot_of(cfn, step.stack)
    product_id = outputs.get(str(data["productOutput"]), "")
    try:
        artifact = sc.describe_provisioning_artifact(
            ProductId=product_id, ProvisioningArtifactName=str(data["artifact"])
        )["ProvisioningArtifactDetail"]["Id"]
        record = sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact,
            ProvisionedProductName=str(data["provisionedProductName"]),
            PhysicalId=str(data["stackId"]),
            IdempotencyToken=step.stack[:128],
        )["RecordDetail"]
        status = sc.describe_provisioned_product(Name=str(data["provisionedProductName"]))[
            "ProvisionedProductDetail"
        ]["Status"]
    except Exception as err:  # noqa: BLE001 - a refused import is the step's failure
        step.outcome, step.message = FAILED, f"ImportAsProvisionedProduct: {err}"
        return
    if _snapshot_of(cfn, step.stack) != before:
        step.outcome, step.message = FAILED, "the import changed the stack"
    elif record["Status"] != "SUCCEEDED" or status != "AVAILABLE":
        step.outcome, step.message = FAILED, f"import record {record['Status']}, provisioned product {status}"
    else:
        step.outcome = OK
        adopted = f"adopted as provisioned product of {data['product']} {data['artifact']}"
        step.message = (
            f"artifact deployed first ({len(run.changes)} change(s)), then {adopted}; the import changed "
            "nothing"
            if run.changes
            else f"{adopted}; no resource changed"
        )


def _portfolio_outputs(cfn: Any) -> dict[str, str] | None:
    """The portfolio stack's outputs when an earlier run created it (day 2), else None."""
    stack = stack_or_none(cfn, layout.PORTFOLIO_STACK)
    if stack is None or stack.get("StackStatus") not in DONE:
        return None
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _provisioned(sc: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"])
    except Exception as err:  # noqa: BLE001 - ResourceNotFoundException: not adopted yet
        if "ResourceNotFound" in type(err).__name__ or "not found" in str(err):
            return None
        raise


def _indexed(export: Path, account: str, region: str, stack: str) -> dict[str, Any]:
    """The stack's TEMPLATES.json row: the template file and parameters/ file it is on now."""
    try:
        rows = json.loads((export / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise BadInput(
            f"TEMPLATES.json: not a readable template index ({str(err).splitlines()[0]})"
        ) from None
    for row in rows:
        if (row.get("account"), row.get("region"), row.get("stack")) == (account, region, stack):
            return dict(row)
    raise BadInput(f"TEMPLATES.json: no row for {stack} ({account} {region})")


def plan_changes(described: Mapping[str, Any]) -> list[Change]:
    """DescribeProvisionedProductPlan's ResourceChanges as `Change`s, in CloudFormation's words (Service
    Catalog upper-cases the change set's Action and Replacement; API Reference, ResourceChange)."""
    actions = {"ADD": "Add", "MODIFY": "Modify", "REMOVE": "Remove"}
    replacement = {"TRUE": "True", "FALSE": "False", "CONDITIONAL": "Conditional"}
    out = []
    for rc in described.get("ResourceChanges") or []:
        action = actions.get(str(rc.get("Action", "")), str(rc.get("Action", "")))
        props = sorted(
            {str((d.get("Target") or {}).get("Name") or "") for d in rc.get("Details") or []} - {""}
        )
        out.append(
            Change(
                action,
                str(rc.get("LogicalResourceId", "")),
                str(rc.get("ResourceType", "")),
                replacement.get(str(rc.get("Replacement", "")), "") if action == "Modify" else "",
                tuple(props),
            )
        )
    return sorted(out, key=lambda c: (c.logical_id, c.action))


def script_env(endpoint_url: str, account: str, region: str, home: Path) -> dict[str, str]:
    """The shell environment servicecatalog-update.sh runs with: the aws CLI on `endpoint_url` with the
    operator's credentials in `account` (the rehearsal role, as the runbooks' profiles assume it)."""
    from proton_exodus.engine.cloud import ClientFactory
    from proton_exodus.rehearse.runbook import REHEARSAL_ROLE

    sts = ClientFactory(endpoint_url).client("sts", account, region)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{REHEARSAL_ROLE}", RoleSessionName="exodus-service-catalog"
    )["Credentials"]
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_PAGER": "",
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "AWS_DEFAULT_REGION": region,
    }


def _update(ctx: RehearsalContext, step: Step, pp: Mapping[str, Any]) -> None:
    """Day 2 on an adopted stack: the export's own `servicecatalog-update.sh STACK BUCKET --execute`, run
    as written (bash, the aws CLI, jq) from a commit of the export with the operator's credentials in the
    stack's account; its plan's ResourceChanges are the step's changes, then the provisioned product and
    the stack are checked."""
    cfn = ctx.cloudformation(step.account, step.region)
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir, "servicecatalog-update")
    row = _indexed(checkout, step.account, step.region, step.stack)
    text = (checkout / str(row["templateFile"])).read_text(encoding="utf-8")
    bucket = _bucket(step.account, step.region)
    step.command = f"bash {update.SCRIPT} {step.stack} {bucket} --execute (@{commit[:12]})"
    placeholders = secret_placeholders(text)
    if placeholders:
        step.outcome = FAILED
        step.message = f"{row['templateFile']} carries {placeholders} secret placeholder(s)"
        return
    if not ctx.endpoint_url:
        step.outcome, step.message = FAILED, "no endpoint to run the aws CLI against"
        return
    if not (checkout / update.SCRIPT).is_file():
        step.outcome, step.message = FAILED, f"the export has no {update.SCRIPT}"
        return
    env = script_env(ctx.endpoint_url, step.account, step.region, Path(ctx.work_dir) / "home")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", update.SCRIPT, step.stack, bucket, "--execute"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = proc.stdout.splitlines()
    plan = next((json.loads(ln) for ln in lines if ln.startswith(update.PLAN_LINE)), None)
    record = next((ln for ln in reversed(lines) if ln.startswith(update.RECORD_LINE)), "")
    step.changes = plan_changes(plan) if plan else []
    notes = [ln for ln in proc.stderr.splitlines() if ln.startswith("new provisioning artifact")]
    if proc.returncode != 0 or plan is None or not record:
        said = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
        step.outcome = FAILED
        step.message = f"{update.SCRIPT}: exit {proc.returncode}: " + (said[-1] if said else "no output")
        return
    sc = sibling_client(cfn, "servicecatalog", step.account)
    after = sc.describe_provisioned_product(Id=pp["Id"])["ProvisionedProductDetail"]
    stack = stack_or_none(cfn, step.stack) or {}
    step.status = str(stack.get("StackStatus", ""))
    deployed = parse_template(cfn.get_template(StackName=step.stack)["TemplateBody"])
    if step.status not in DONE:
        step.outcome, step.message = FAILED, f"{record}; stack {step.status}"
    elif deployed != parse_template(text):
        step.outcome, step.message = FAILED, f"{record}; the stack's template is not {row['templateFile']}"
    else:
        step.outcome = OK if step.changes else NO_OP
        step.message = "; ".join(
            [*notes, f"{record}; provisioned product {after['Status']} on {after['ProvisioningArtifactId']}"]
        )


IMPORTED = "IMPORT_AS_PROVISIONED_PRODUCT"  # the record type of ImportAsProvisionedProduct
CLI_DEPLOY = "awscli-cloudformation-package-deploy-"  # change sets `aws cloudformation deploy` names


def asks_nothing_new(cfn: Any, export: Path, account: str, region: str, stack: str) -> bool:
    """Whether the stack holds what the export says (the template file TEMPLATES.json names and the
    parameters/ file's values): an UpdateProvisionedProduct would change nothing."""
    try:
        row = _indexed(export, account, region, stack)
    except BadInput:
        return False  # the update step reports it
    body = cfn.get_template(StackName=stack)["TemplateBody"]
    deployed = parse_template(body) if isinstance(body, str) else body
    if deployed != parse_template((export / str(row["templateFile"])).read_text(encoding="utf-8")):
        return False
    file = export / str(row.get("parameterFile") or "")
    wanted = json.loads(file.read_text(encoding="utf-8")).get("Parameters") or {} if file.is_file() else {}
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    have = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters") or []}
    # an SSM-typed parameter's value is the Parameter Store name the artifact reads (the local cloud
    # reports the resolved value there): it changes in Parameter Store, not through an update
    declared = (deployed or {}).get("Parameters") or {}
    ssm = {k for k, v in declared.items() if isinstance(v, dict) and str(v.get("Type")) == SSM_PARAMETER_TYPE}
    return all(have.get(k) == str(v) for k, v in wanted.items() if k not in ssm)


def _runbook_changes(cfn: Any, stack: str) -> list[Change]:
    """What the runbook's `aws cloudformation deploy` of the artifact (`updateFirst`) changed: its
    executed change sets, described (CloudFormation keeps an executed change set on the stack)."""
    found: list[Change] = []
    for summary in cfn.list_change_sets(StackName=stack).get("Summaries") or []:
        if (
            summary.get("StackName") == stack  # moto lists every stack's (the API: this stack's)
            and summary.get("ExecutionStatus") == "EXECUTE_COMPLETE"
            and str(summary.get("ChangeSetName", "")).startswith(CLI_DEPLOY)
        ):
            found += resource_changes(
                cfn.describe_change_set(ChangeSetName=summary["ChangeSetId"], StackName=stack)
            )
    return found


def _last_record_type(sc: Any, pp: Mapping[str, Any]) -> str:
    record = sc.describe_record(Id=str(pp.get("LastRecordId", "")))["RecordDetail"]
    return str(record.get("RecordType", ""))


def _imported(step: Step, adoption: layout.Adoption, pp: Mapping[str, Any], cfn: Any, sc: Any) -> None:
    """A stack the wave runbook already imported (its `import-as-provisioned-product`, run as written
    before the deployer): the provisioned product must be AVAILABLE on the adoption's artifact; the
    changes are those of the runbook's deploy of the artifact, if it ran one."""
    data = adoption.data
    step.command = (
        f"aws servicecatalog describe-provisioned-product --name {data['provisionedProductName']} "
        "(imported by the wave runbook)"
    )
    step.status = str((stack_or_none(cfn, step.stack) or {}).get("StackStatus", ""))
    step.changes = _runbook_changes(cfn, step.stack)
    try:
        artifact = sc.describe_provisioning_artifact(
            ProductId=pp["ProductId"], ProvisioningArtifactName=str(data["artifact"])
        )["ProvisioningArtifactDetail"]["Id"]
    except Exception as err:  # noqa: BLE001 - the product has no such artifact
        step.outcome, step.message = FAILED, f"artifact {data['artifact']} of {data['product']}: {err}"
        return
    adopted = f"provisioned product of {data['product']} {data['artifact']}"
    if pp.get("Status") != "AVAILABLE" or pp.get("ProvisioningArtifactId") != artifact:
        step.outcome = FAILED
        step.message = f"the runbook's import left it {pp.get('Status')} on "
        step.message += f"{pp.get('ProvisioningArtifactId')}, not AVAILABLE on {adopted} ({artifact})"
    elif step.status not in DONE:
        step.outcome, step.message = FAILED, f"stack {step.status}"
    else:
        step.outcome = OK
        step.message = f"the wave runbook imported it: {adopted}, AVAILABLE; " + (
            f"its deploy of the artifact made {len(step.changes)} change(s) first"
            if step.changes
            else "no resource changed"
        )


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """A `prepare` step per account and Region, then an `adopt` step per stack of the waves, in order. A
    portfolio stack that exists (the wave runbook's, or day 2's) is not prepared again. A stack the wave
    runbook imported already (its last record the import, the export asking nothing new) gets an `adopt`
    step that checks the import; one the export moves on (day 2) gets an `update` step."""
    found = {(a.account, a.region, a.stack_name): a for a in layout.adoptions(ctx.export_dir)}
    prepared: dict[tuple[str, str], dict[str, str] | None] = {}
    for number, targets in ctx.waves:
        for target in targets:
            place = (target.account, target.region)
            cfn = ctx.cloudformation(*place)
            if place not in prepared:
                prepared[place] = _portfolio_outputs(cfn)
                if prepared[place] is None:
                    step, prepared[place] = _prepare(ctx, number, *place)
                    yield step
            key = (target.account, target.region, target.stack_name)
            adoption = found.get(key)
            pp = None
            if adoption is not None and prepared[place] is not None:
                sc = sibling_client(cfn, "servicecatalog", target.account)
                pp = _provisioned(sc, str(adoption.data["provisionedProductName"]))
            if (
                pp is not None
                and adoption is not None
                and _last_record_type(sc, pp) == IMPORTED
                and asks_nothing_new(cfn, ctx.export_dir, *key)
            ):  # the wave runbook imported it (as written, before the deployer): check what it did
                step = Step(number, "adopt", target.stack_name, target.account, target.region)
                _imported(step, adoption, pp, cfn, sc)
                yield step
                continue
            if pp is not None:
                step = Step(number, "update", target.stack_name, target.account, target.region)
                try:
                    _update(ctx, step, pp)
                except BadInput as err:
                    step.outcome, step.message = FAILED, str(err)
                yield step
                continue
            path = layout.adoption_path(target.account, target.region, target.stack_name)
            step = Step(
                number,
                "adopt",
                target.stack_name,
                target.account,
                target.region,
                command=f"import-as-provisioned-product from {path}",
            )
            outputs = prepared[place]
            if adoption is None:
                step.outcome, step.message = SKIPPED, f"the export has no adoption file {path}"
            elif outputs is None:
                step.outcome, step.message = FAILED, "the portfolio stack of this account and Region failed"
            else:
                _adopt(ctx, step, adoption, outputs)
            yield step
