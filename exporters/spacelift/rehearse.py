"""The `spacelift` deployer, emulated for `exodus rehearse` with Spacelift's CloudFormation vendor as
documented (https://docs.spacelift.io/vendors/cloudformation/reference): a run packages the entry
template of the stack's project root, then makes a change set on the configured `stack_name` with the
`CF_PARAM_<name>` environment variables as parameters and the `CF_CAPABILITY_<name>` capabilities, and
executes it after the plan. The change set names no tags and no role, so CloudFormation keeps the
stack's own. The export's templates hold no local artifacts, so `cloudformation package` leaves them as
they are. Parameter Store values the export asks to stage are staged first, as for `terraform`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from exporters.spacelift import layout
from exporters.terraform.layout import LISTING, listing_rows, stack_files
from exporters.terraform.rehearse import planned_staging, stage_parameters
from exporters.terraform.rehearse import runbook_settings as state_settings
from proton_exodus.errors import BadInput
from proton_exodus.rehearse.changeset import DONE, run_change_set, secret_placeholders, stack_or_none
from proton_exodus.rehearse.model import FAILED, NO_OP, OK, SKIPPED, RehearsalContext, Step

# What stands for the runbook's lines of Spacelift's own tools (rehearse/runbook.py records them, does not
# run them): both talk to Spacelift's API, which is not here; this module performs the runs they start.
STAND_INS = {
    "terraform": (
        "the spacelift provider creates the Spacelift stacks, their CF_PARAM_ variables, contexts and "
        "policies through Spacelift's API (not here); the rehearsal's Spacelift deployer "
        "(exporters/spacelift/rehearse.py) reads each stack it would create from "
        "spacelift/exodus-stacks.json and TEMPLATES.json (stack name, entry template, parameter file) "
        "and runs it"
    ),
    "spacectl": (
        "the rehearsal's Spacelift deployer (exporters/spacelift/rehearse.py) stands for the stack's "
        "tracked run: the CloudFormation vendor's change set on the configured stack with its CF_PARAM_ "
        "values and the stack's own tags, described (what the preview shows the plan policy) then executed, "
        "wave by wave; show and disable have no Spacelift to ask here"
    ),
}
STAND_INS["tofu"] = STAND_INS["terraform"]


def template_bucket(account: str, region: str) -> str:
    """The rehearsal's name for the bucket the CloudFormation vendor uploads an account's templates to."""
    return f"exodus-rehearsal-cfn-templates-{account}-{region}"


def runbook_settings(
    places: Sequence[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path | None = None,
    snapshot_dir: Path | None = None,
) -> dict[str, str]:
    """The runbook's settings as the operator gives them: TEMPLATE_BUCKETS (TF_VAR_template_buckets) names
    one S3 bucket per account and Region of the plan (the vendor's template_bucket; the operator creates
    them first, each in its own account), made here; REPOSITORY is the rehearsal's linked repository;
    TF_STATE_BUCKET and TF_STATE_REGION hold spacelift/'s state, made as terraform's rehearsal makes
    them (one versioned bucket every account of the plan may use)."""
    from proton_exodus.engine.cloud import ClientFactory
    from proton_exodus.rehearse.runbook import REPOSITORY, ensure_bucket

    factory, buckets = ClientFactory(endpoint_url), {}
    for account, region in sorted(set(places)):
        bucket = template_bucket(account, region)
        ensure_bucket(factory.client("s3", account, region), bucket, region)
        buckets[f"{account}/{region}"] = bucket
    return {
        **state_settings(places, export_dir, endpoint_url),
        "REPOSITORY": REPOSITORY[1],
        "TEMPLATE_BUCKETS": json.dumps(buckets, sort_keys=True),
    }


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `run` step per stack of the waves: the tracked run of its Spacelift stack."""
    records = {(s.account, s.region, s.stack_name): s for s in layout.exported_stacks(ctx.export_dir)}
    staged = planned_staging(ctx)
    for number, targets in ctx.waves:
        for target in targets:
            key = (target.account, target.region, target.stack_name)
            step = Step(number, "run", target.stack_name, target.account, target.region)
            exported = records.get(key)
            if exported is None:
                step.command = f"spacelift run of {target.stack_name}"
                step.outcome, step.message = SKIPPED, "the export has no CloudFormation-vendor stack for it"
                yield step
                continue
            step.command = (
                f"spacelift tracked run ({exported.deployment_file}): change set on {exported.stack_name}"
            )
            cfn = ctx.cloudformation(target.account, target.region)
            current = stack_or_none(cfn, exported.stack_name)
            if current is None:
                step.outcome, step.message = FAILED, "no stack of that name: the run would create a new one"
                yield step
                continue
            body = cfn.get_template(StackName=current["StackId"], TemplateStage="Original")["TemplateBody"]
            done = stage_parameters(ctx, step, body if isinstance(body, str) else "", staged.get(key, ()))
            if done:
                step.command += f"; staged {len(done)} Parameter Store value(s) first"
            placeholders = secret_placeholders(exported.template)
            if placeholders:
                step.outcome = FAILED
                step.message = (
                    f"the template carries {placeholders} secret placeholder(s): the run would deploy them"
                )
                yield step
                continue
            masked = {p["ParameterKey"]: p.get("ParameterValue", "") for p in current.get("Parameters") or []}
            parameters = {
                k: (masked.get(k, "") if v == "****" else v) for k, v in exported.parameters.items()
            }
            run = run_change_set(
                cfn,
                exported.stack_name,
                exported.template,
                parameters,
                {t["Key"]: t["Value"] for t in current.get("Tags") or []},  # none named: the stack's stay
                name=f"spacelift-{layout.slug(exported.stack_name.lower())[:100]}"[:128],
                poll=ctx.poll,
                timeout=ctx.timeout,
            )
            step.changes, step.status = run.changes, run.status or current["StackStatus"]
            if run.error or (run.executed and run.status not in DONE):
                step.outcome, step.message = FAILED, run.error or run.status
            else:
                step.outcome = OK if run.changes else NO_OP
                step.message = "the run's change set " + (
                    "changed the stack" if run.changes else "had no changes"
                )
            yield step


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as a Spacelift user makes it: `edit` gets the stack's entry template and its
    parameters (the files TEMPLATES.json names) and returns them changed; the template and the values of
    the stack's parameter file (its CF_PARAM_ variables) are rewritten. A shared template is never edited
    for one stack, nor a parameter added, dropped or NoEcho one set (BadInput)."""
    export_dir = Path(export_dir)
    row = listing_rows(export_dir).get((account, region, stack_name))
    if row is None:
        raise BadInput(f"{LISTING}: no Spacelift stack takes over {stack_name}")
    template_rel, before, params, params_rel = stack_files(export_dir, row)
    after, new_params = edit(before, dict(params))
    changed = []
    if after != before:
        others = sorted(
            str(r.get("stack"))
            for r in listing_rows(export_dir).values()
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
        masked = sorted(k for k in diff if params[k] == "****")
        if masked:
            raise BadInput(f"{stack_name}: {masked[0]} is NoEcho: give it as its Terraform variable")
        current = json.loads((export_dir / params_rel).read_text(encoding="utf-8"))
        current["Parameters"] = dict(sorted({**current["Parameters"], **diff}.items()))
        (export_dir / params_rel).write_text(
            json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        changed.append(params_rel)
    return sorted(changed)
