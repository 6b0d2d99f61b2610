"""The `terraform` deployer, emulated for `exodus rehearse` with the AWS provider's semantics
(exporters/terraform/plan_effect.py has the sources):

- `import` reads the stack by its StackId: DescribeStacks and GetTemplate (Original) in the local
  cloud, kept as the provider's Read keeps them (no parameters right after an import);
- the plan compares the export's configuration of the stack with that state; a replacement (name,
  timeout) fails the step, as the runbook's plan check does;
- an in-place update is applied as the provider applies it, an UpdateStack with the normalised
  template, every configured parameter and the tags: here a change set of the same content, described
  (so the rehearsal sees every resource it would touch) and executed when it has changes;
- the stack is read back and planned again: that plan must be empty (NoEcho parameters aside).

NoEcho parameters take the stack's current value, as TF_VAR_ would give it. The Parameter Store values
the export asks to stage before the first apply (PLANNED_CHANGES.json `stage`, finding W-TF-STAGE-SECRET)
are staged in the local cloud first, as the operator would, with the value the stack holds: the secret's
placeholder, which is what a stack rebuilt from a snapshot without secrets.json carries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from exporters.terraform import layout
from exporters.terraform.plan_effect import (
    MASK,
    StackConfig,
    apply_state,
    cloudformation_updates,
    normalise_template,
    plan_stack,
    read_stack,
)
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import PLACEHOLDER
from proton_exodus.rehearse.changeset import DONE, run_change_set, secret_placeholders, stack_or_none
from proton_exodus.rehearse.model import FAILED, NO_OP, OK, SKIPPED, RehearsalContext, Step


def _records(
    ctx: RehearsalContext,
) -> dict[tuple[str, str, str], tuple[dict[str, Any], str, str, dict[str, str]]]:
    """(account, region, stack name) -> (plan-effect record, template text, module dir, parameters), the
    template and parameters as the export's files now give them (what `terraform plan` would read)."""
    out = {}
    for folder, doc in layout.load_effects(ctx.export_dir):
        _, account, region = folder.split("/")
        for record in doc["stacks"]:
            _, text, params = layout.configured(ctx.export_dir, folder, record)
            out[(account, region, record["name"])] = (record, text, folder, params)
    return out


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `import` step per stack of the waves, in wave order: import, plan, apply, plan again."""
    records = _records(ctx)
    staged = planned_staging(ctx)
    for number, targets in ctx.waves:
        for target in targets:
            key = (target.account, target.region, target.stack_name)
            step = Step(number, "import", target.stack_name, target.account, target.region)
            found = records.get(key)
            if found is None:
                step.command = f"terraform import of {target.stack_name}"
                step.outcome, step.message = (
                    SKIPPED,
                    "the export has no aws_cloudformation_stack for this stack",
                )
                yield step
                continue
            record, text, folder, params = found
            config = layout.stack_config(record, text, params)
            step.command = (
                f"terraform -chdir={folder} plan/apply -target={layout.RESOURCE}.{config.address} "
                "(import by StackId, then UpdateStack when the plan updates in place)"
            )
            yield _run(ctx, step, config, text, staged.get(key, ()))


# What stands for the runbook's `$TF` lines (rehearse/runbook.py records them, does not run them): the
# providers come from the internet, and this module performs what those lines would.
STAND_IN = (
    "the rehearsal's terraform deployer (exporters/terraform/rehearse.py) stands for it: it imports each "
    "stack by its StackId, plans it with the AWS provider's documented semantics (a plan that adds, "
    "destroys or replaces fails the step, as the runbook's `show -json | jq` check does), applies the "
    "in-place update as the provider's UpdateStack (a change set, described first) and plans again, which "
    "must be empty; its state is its own, so init, validate and state rm have no separate effect here"
)
STAND_INS = {"terraform": STAND_IN, "tofu": STAND_IN}


def state_bucket(account: str) -> str:
    """The rehearsal's name for the S3 bucket holding every root module's state."""
    return f"exodus-rehearsal-tf-state-{account}"


def runbook_settings(
    places: Sequence[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path | None = None,
    snapshot_dir: Path | None = None,
) -> dict[str, str]:
    """TF_STATE_BUCKET and TF_STATE_REGION as the operator sets them: the S3 bucket they create before the
    first `init`, made here in the plan's first account and Region, versioned (state history), with a
    bucket policy letting every account of the plan read and write its states and lock files under
    `exodus/` (the S3 backend runs with each root module's own account credentials)."""
    from proton_exodus.engine.cloud import ClientFactory
    from proton_exodus.rehearse.runbook import ensure_bucket

    if not places:
        return {}
    account, region = sorted(places)[0]
    bucket = state_bucket(account)
    s3 = ClientFactory(endpoint_url).client("s3", account, region)
    ensure_bucket(s3, bucket, region)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    others = sorted({a for a, _ in places} - {account})
    if others:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(state_policy(bucket, others)))
    return {"TF_STATE_BUCKET": bucket, "TF_STATE_REGION": region}


def state_policy(bucket: str, accounts: Sequence[str]) -> dict[str, Any]:
    """The bucket policy other accounts' root modules need: list the bucket, read and write their keys."""
    principals = {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ExodusStateList",
                "Effect": "Allow",
                "Principal": principals,
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
            },
            {
                "Sid": "ExodusStateObjects",
                "Effect": "Allow",
                "Principal": principals,
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/exodus/*",
            },
        ],
    }


def planned_staging(ctx: RehearsalContext) -> dict[tuple[str, str, str], list[Mapping[str, str]]]:
    """(account, Region, stack name) -> the Parameter Store values to stage before its apply."""
    path = ctx.export_dir / "PLANNED_CHANGES.json"
    if not path.is_file():
        return {}
    out: dict[tuple[str, str, str], list[Mapping[str, str]]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8")).get("stage") or []:
        stack = str(entry["name"]).split("/")[2] if str(entry["name"]).count("/") >= 3 else ""
        out.setdefault((entry["account"], entry["region"], stack), []).append(entry)
    return out


def stage_parameters(ctx: RehearsalContext, step: Step, template: str, entries: Any) -> list[str]:
    """Put each value to stage in the local cloud's Parameter Store when the deployed template holds the
    secret's placeholder (the value it carries); the names staged."""
    factory = getattr(ctx.cloudformation, "__self__", None)
    if not entries or factory is None or not hasattr(factory, "client"):
        return []
    ssm = factory.client("ssm", step.account, step.region)
    done = []
    for entry in entries:
        value = PLACEHOLDER.format(entry["secretId"])
        if value in template:
            ssm.put_parameter(Name=entry["name"], Value=value, Type="String", Overwrite=True)
            done.append(entry["name"])
    return done


def _run(ctx: RehearsalContext, step: Step, config: StackConfig, text: str, entries: Any = ()) -> Step:
    cfn = ctx.cloudformation(step.account, step.region)
    described = stack_or_none(cfn, config.name)
    if described is None:
        step.outcome, step.message = FAILED, "the import found no stack of that name (Terraform would fail)"
        return step
    template = cfn.get_template(StackName=described["StackId"], TemplateStage="Original")["TemplateBody"]
    template = template if isinstance(template, str) else _dump(template)
    staged = stage_parameters(ctx, step, template, entries)
    state = read_stack(described, template)
    effect = plan_stack(config, state, importing=True)
    step.status = described["StackStatus"]
    if effect.action == "replace":
        step.outcome = FAILED
        step.message = "the plan replaces the stack: " + "; ".join(w for _, w in effect.changed)
        return step
    placeholders = secret_placeholders(text)
    if placeholders:
        step.outcome = FAILED
        step.message = (
            f"the template carries {placeholders} secret placeholder(s): the apply would deploy them"
        )
        return step
    if effect.action == "no-op":
        step.outcome, step.message = NO_OP, "imported; the plan shows no change"
        return step
    if staged:
        step.command += f"; staged {len(staged)} Parameter Store value(s) first"
    current = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters") or []}
    parameters = {k: (current.get(k, "") if v == MASK else v) for k, v in config.parameters.items()}
    run = run_change_set(
        cfn,
        config.name,
        normalise_template(config.template_body),
        parameters,
        config.tags,
        name="exodus-terraform-apply",
        role_arn=config.iam_role_arn or None,
        poll=ctx.poll,
        timeout=ctx.timeout,
    )
    step.changes, step.status = run.changes, run.status or step.status
    if run.error or (run.executed and run.status not in DONE):
        step.outcome, step.message = FAILED, run.error or run.status
        unstaged = sorted(set(_staged_parameters(text, config)) - set(staged))
        if unstaged:
            step.message += (
                "; the template reads Parameter Store " + ", ".join(unstaged) + ", which must be staged "
                "before the apply (W-TF-STAGE-SECRET)"
            )
        return step
    after = stack_or_none(cfn, config.name) or described
    body = cfn.get_template(StackName=after["StackId"], TemplateStage="Original")["TemplateBody"]
    reread = read_stack(after, body if isinstance(body, str) else _dump(body), prior=config.parameters)
    expected = apply_state(config, state)
    predicted = plan_stack(config, expected, importing=False)
    second = plan_stack(config, reread, importing=False)
    why = ", ".join(a for a, _ in effect.changed)
    stored = cloudformation_updates(config, state)
    left = [a for a, _ in second.changed if a != "parameters" or not _only_noecho(second, config)]
    foreseen = [a for a, _ in predicted.changed]
    if second.action != "no-op" and not (
        _only_noecho(second, config) or left == foreseen == ["template_body"]
    ):
        step.outcome = FAILED
        step.message = f"applied the import plan's update ({why}); the next plan still changes " + "; ".join(
            f"{a}: {w}" for a, w in second.changed
        )
    else:
        step.outcome = OK if run.changes else NO_OP
        if run.changes:
            done = "changed the stack"
        elif run.executed:
            done = "changed no resource (UpdateStack stored the configured template)"
        else:
            done = "changed nothing (No updates are to be performed)"
        step.message = f"imported; the plan's in-place update ({why}) {done}"
        if second.action != "no-op" and _only_noecho(second, config):
            step.message += "; the next plan shows only the provider's permanent NoEcho diff"
        elif second.action != "no-op":
            step.message += (
                "; the next plan shows ~ template_body (the stack kept its text, W-TF-TEMPLATE-TEXT)"
            )
        if expected.parameters != reread.parameters:
            step.message += "; parameters read back differ from the model's"
        if stored != (run.executed or bool(run.changes)):
            step.message += (
                "; CloudFormation "
                + ("did not store" if stored else "stored")
                + (" the template, unlike the model")
            )
    return step


def _staged_parameters(text: str, config: StackConfig) -> list[str]:
    """The Parameter Store names the template's SSM-typed parameters are given (secrets exodus moved out)."""
    from proton_exodus.cfn.text import load_template

    try:
        declared = load_template(text).get("Parameters") or {}
    except Exception:  # noqa: BLE001 - an unreadable template names nothing
        return []
    return sorted(
        str(config.parameters.get(k))
        for k, v in declared.items()
        if str((v or {}).get("Type", "")).startswith("AWS::SSM::Parameter::Value") and k in config.parameters
    )


def _only_noecho(effect: Any, config: StackConfig) -> bool:
    """The provider's permanent diff of NoEcho parameters (read back as ****), nothing else."""
    return bool(config.sensitive | config.noecho) and [w for a, w in effect.changed] == [
        w for a, w in effect.changed if a == "parameters" and "NoEcho" in w
    ]


def _dump(body: Any) -> str:
    return json.dumps(body)


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as a Terraform user makes it: `edit` gets the stack's template and its parameters
    (as TEMPLATES.json and the parameter file give them) and returns them changed; the template file and
    the values of the stack's parameter file (which its `aws_cloudformation_stack` reads) are rewritten.
    A shared template is never edited for one stack (BadInput: change a parameter, or `exodus repo`), nor
    is a parameter added or dropped (the template declares them)."""
    export_dir = Path(export_dir)
    folder = layout.module_dir(account, region)
    path = export_dir / folder / layout.PLAN_EFFECT
    if not path.is_file():
        raise BadInput(f"the export has no {folder}/{layout.PLAN_EFFECT}")
    doc = json.loads(path.read_text(encoding="utf-8"))
    record = next((r for r in doc.get("stacks") or [] if r.get("name") == stack_name), None)
    if record is None:
        raise BadInput(f"{folder}/{layout.PLAN_EFFECT}: no aws_cloudformation_stack for {stack_name}")
    template_rel, before, params = layout.configured(export_dir, folder, record)
    after, new_params = edit(before, dict(params))
    changed = []
    if after != before:
        others = sorted(
            str(r.get("stack"))
            for r in _rows(export_dir)
            if r.get("templateFile") == template_rel and r.get("stack") != stack_name
        )
        if others:
            raise BadInput(f"{template_rel} is shared with {others[0]}: change a parameter instead")
        (export_dir / template_rel).write_text(after, encoding="utf-8")
        changed.append(template_rel)
    if new_params != params:
        if set(new_params) != set(params):
            raise BadInput(f"{stack_name}: a day-2 edit adds or drops parameters; the template declares them")
        diff = {k: v for k, v in new_params.items() if params[k] != v}
        masked = sorted(k for k in diff if params[k] == MASK)
        if masked:
            raise BadInput(f"{stack_name}: {masked[0]} is NoEcho: give it as its TF_VAR_ variable")
        rel = _parameter_rel(export_dir, folder, record)
        current = json.loads((export_dir / rel).read_text(encoding="utf-8"))
        current["Parameters"] = dict(sorted({**current["Parameters"], **diff}.items()))
        (export_dir / rel).write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        changed.append(rel)
    return sorted(changed)


def _rows(export_dir: Path) -> list[dict[str, Any]]:
    return list(layout.listing_rows(export_dir).values())


def _parameter_rel(export_dir: Path, folder: str, record: Mapping[str, Any]) -> str:
    """The stack's parameter file, as TEMPLATES.json names it (BadInput for an export without one)."""
    _, account, region = folder.split("/")
    row = layout.listing_rows(export_dir).get((account, region, str(record["name"])))
    if row is None:
        raise BadInput(f"{layout.LISTING}: no parameter file for {record['name']}")
    return str(row["parameterFile"])
