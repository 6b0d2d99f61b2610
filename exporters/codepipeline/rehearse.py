"""The `codepipeline` deployer, emulated for `exodus rehearse` with CodePipeline's documented semantics for
CloudFormation deploy actions (TARGETS.md §2; https://docs.aws.amazon.com/codepipeline/latest/userguide/
action-reference-CloudFormation.html):

- the pipeline's source action checks out the tracked branch: the export is committed to a real local Git
  repository and every file is read from that commit;
- each stack is deployed by the pipeline's own actions, in stage and RunOrder order: `CHANGE_SET_REPLACE`
  creates (or replaces) the named change set from `TemplatePath` with the `TemplateConfiguration` file's
  parameters and tags (and `ParameterOverrides`), passing `RoleArn` as the stack's service role and the
  action's `Capabilities`; a `Manual` approval between them is given once the change set is reviewed;
  `CHANGE_SET_EXECUTE` executes it; `CREATE_UPDATE` deploys directly (computed through a change set);
- an action runs in the pipeline's account unless it names an action `RoleArn`, then in that role's
  account: a stack must live there, and its CloudFormation service role must be in the stack's account.

Values are resolved the way CloudFormation resolves the pipeline template: parameter defaults, pseudo
parameters for the account the pipeline runs in (the one that ran Proton), conditions and `Fn::If`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exporters._pipelines.rehearse import read_stack_config, role_account
from proton_exodus.cfn.text import load_template
from proton_exodus.errors import BadInput
from proton_exodus.rehearse.changeset import CAPABILITIES, execute_change_set, judge, run_change_set
from proton_exodus.rehearse.model import FAILED, SKIPPED, RehearsalContext, Step
from proton_exodus.rehearse.repo import commit_export

_NO_VALUE = object()


@dataclass
class Deploy:
    """The actions of one pipeline that deploy one stack."""

    pipeline: str  # the pipeline's Name
    path: str  # its template in the export
    stage: str
    mode: str  # CHANGE_SET_REPLACE or CREATE_UPDATE
    change_set: str
    template_path: str
    config_path: str
    overrides: dict[str, str]
    capabilities: list[str]
    cfn_role: str
    action_role: str
    actions: list[str]  # names, in run order
    approval: str = ""
    execute: bool = False


class _Resolver:
    """CloudFormation's resolution of a pipeline template's values, for the account it is deployed in."""

    def __init__(self, tree: Mapping[str, Any], account: str, region: str) -> None:
        params = tree.get("Parameters") or {}
        self.refs: dict[str, Any] = {k: (v or {}).get("Default", "") for k, v in params.items()}
        self.refs.update(
            {
                "AWS::AccountId": account,
                "AWS::Region": region,
                "AWS::Partition": "aws",
                "AWS::NoValue": _NO_VALUE,
            }
        )
        self.conditions = tree.get("Conditions") or {}
        self._cond: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._cond:
            self._cond[name] = bool(self.value(self.conditions.get(name, False)))
        return self._cond[name]

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not _NO_VALUE]
        if not isinstance(node, Mapping):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.refs.get(str(arg), "")
            if key == "Condition":
                return self.condition(str(arg))
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(str(arg[0])) else arg[2])
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::Equals":
                return str(self.value(arg[0])) == str(self.value(arg[1]))
            if key == "Fn::And":
                return all(self.value(a) for a in arg)
            if key == "Fn::Or":
                return any(self.value(a) for a in arg)
            if key == "Fn::Sub" and isinstance(arg, str):
                text = arg
                for name, val in self.refs.items():
                    if isinstance(val, str):
                        text = text.replace("${" + name + "}", val)
                return text
        values = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in values.items() if v is not _NO_VALUE}


def _artifact_path(value: str, field: str, where: str) -> str:
    artifact, sep, rel = str(value).partition("::")
    if not sep or not rel:
        raise BadInput(f"{where}: {field} {value!r} is not ARTIFACT::path")
    return rel


def pipeline_deploys(checkout: Path, account: str, region: str) -> dict[str, Deploy]:
    """Stack name -> the actions that deploy it, over every pipeline template of the export."""
    found: dict[str, Deploy] = {}
    for path in sorted((checkout / "pipelines").glob("**/*.y*ml")):
        rel = path.relative_to(checkout).as_posix()
        tree = load_template(path.read_text(encoding="utf-8"), source=rel)
        r = _Resolver(tree, account, region)
        for res in (tree.get("Resources") or {}).values():
            if (res or {}).get("Type") != "AWS::CodePipeline::Pipeline":
                continue
            props = r.value(res.get("Properties") or {})
            name = str(props.get("Name") or path.stem)
            for stage in props.get("Stages") or []:
                actions = sorted(stage.get("Actions") or [], key=lambda a: int(a.get("RunOrder", 1)))
                pending: dict[str, Deploy] = {}
                approval = ""
                for action in actions:
                    kind = action.get("ActionTypeId") or {}
                    conf = action.get("Configuration") or {}
                    if kind.get("Category") == "Approval":
                        approval = str(action.get("Name", ""))
                        for d in pending.values():
                            d.approval = d.approval or approval
                        continue
                    if kind.get("Provider") != "CloudFormation":
                        continue
                    mode, stack = str(conf.get("ActionMode", "")), str(conf.get("StackName", ""))
                    where = f"{rel} action {action.get('Name')}"
                    if mode in ("CHANGE_SET_REPLACE", "CREATE_UPDATE", "REPLACE_ON_FAILURE"):
                        caps = str(conf.get("Capabilities") or "")
                        deploy = Deploy(
                            name,
                            rel,
                            str(stage.get("Name", "")),
                            mode,
                            str(conf.get("ChangeSetName", "")),
                            _artifact_path(conf.get("TemplatePath", ""), "TemplatePath", where),
                            _artifact_path(conf["TemplateConfiguration"], "TemplateConfiguration", where)
                            if conf.get("TemplateConfiguration")
                            else "",
                            {str(k): str(v) for k, v in _json_object(conf.get("ParameterOverrides")).items()},
                            [c for c in caps.split(",") if c] if caps else [],
                            str(conf.get("RoleArn") or ""),
                            str(action.get("RoleArn") or ""),
                            [str(action.get("Name", ""))],
                            execute=mode != "CHANGE_SET_REPLACE",
                        )
                        pending[stack] = deploy
                        found.setdefault(stack, deploy)
                    elif mode == "CHANGE_SET_EXECUTE" and stack in pending:
                        deploy = pending[stack]
                        if str(conf.get("ChangeSetName", "")) == deploy.change_set:
                            deploy.execute = True
                            deploy.actions.append(str(action.get("Name", "")))
                            if str(action.get("RoleArn") or "") != deploy.action_role:
                                deploy.action_role = deploy.action_role or str(action.get("RoleArn") or "")
    return found


def _json_object(value: Any) -> dict[str, Any]:
    import json

    if not value:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def deploy_stack(ctx: RehearsalContext, checkout: Path, commit: str, step: Step, deploy: Deploy) -> Step:
    """Run one stack's pipeline actions against the cloud, as CodePipeline would."""
    acting = role_account(deploy.action_role) or ctx.home_account
    roles = f" with action role {deploy.action_role}" if deploy.action_role else ""
    step.command = (
        f"codepipeline {deploy.pipeline} ({deploy.path}@{commit[:12]}) stage {deploy.stage}: "
        + " → ".join(deploy.actions)
        + f" ({deploy.mode}) in account {acting}{roles}"
    )
    if acting != step.account:
        step.outcome = FAILED
        step.message = (
            f"the action runs in account {acting} but the stack lives in {step.account}: CloudFormation "
            "would create a second stack of that name there (the action needs a RoleArn in the stack's "
            "account)"
        )
        return step
    cfn_account = role_account(deploy.cfn_role)
    if deploy.cfn_role and cfn_account != step.account:
        step.outcome = FAILED
        step.message = (
            f"RoleArn {deploy.cfn_role} is in account {cfn_account}: CloudFormation accepts a service role "
            f"of the stack's own account ({step.account}) only"
        )
        return step
    template = (checkout / deploy.template_path).read_text(encoding="utf-8")
    params, tags = read_stack_config(checkout, deploy.config_path) if deploy.config_path else ({}, {})
    params.update(deploy.overrides)
    cfn = ctx.cloudformation(step.account, step.region)
    run = run_change_set(
        cfn,
        step.stack,
        template,
        params,
        tags,
        name=deploy.change_set or f"exodus-pipeline-{commit[:12]}",
        role_arn=deploy.cfn_role or None,
        execute=False,
        capabilities=deploy.capabilities if deploy.capabilities else [],
        poll=ctx.poll,
        timeout=ctx.timeout,
    )
    notes = []
    if run.change_set_type == "CREATE":
        notes.append("the stack did not exist: the change set created it")
    if not run.error:
        if not deploy.execute:
            run.error = (
                f"no CHANGE_SET_EXECUTE action for change set {deploy.change_set}: it waits, unexecuted"
            )
        else:
            if deploy.approval:
                notes.append(f"manual approval {deploy.approval}: given after the change set was reviewed")
            execute_change_set(cfn, step.stack, run, poll=ctx.poll, timeout=ctx.timeout)
    step.message = "; ".join(notes)
    return judge(step, run, template, deploy.template_path)


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `deploy` step per stack of the waves, in wave order: the pipeline actions that deploy it.
    Then each pipeline that ran, where it exists in the pipeline account (the runbook deployed it),
    records the run: an execution (moto's succeed at once) when every one of its stacks deployed, none
    when one failed, so the runbook's exit check reads what the run did."""
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir, "pipeline-source")
    regions = sorted({t.region for _, ts in ctx.waves for t in ts if t.region}) or ["us-east-1"]
    deploys = pipeline_deploys(checkout, ctx.home_account, regions[0])
    ran: dict[str, bool] = {}  # pipeline -> every stack it deployed passed
    for number, targets in ctx.waves:
        for target in targets:
            step = Step(number, "deploy", target.stack_name, target.account, target.region)
            deploy = deploys.get(target.stack_name)
            if deploy is None:
                step.outcome, step.message = SKIPPED, "no pipeline of the export deploys this stack"
                yield step
                continue
            done = deploy_stack(ctx, checkout, commit, step, deploy)
            ran[deploy.pipeline] = ran.get(deploy.pipeline, True) and not done.failed
            yield done
    _record_runs(ctx, regions[0], ran)


def _record_runs(ctx: RehearsalContext, region: str, ran: Mapping[str, bool]) -> None:
    from proton_exodus.engine.cloud import ClientFactory

    client = ClientFactory(ctx.endpoint_url).client("codepipeline", ctx.home_account, region)
    existing = {p["name"] for p in client.list_pipelines().get("pipelines", [])}
    for pipeline, passed in sorted(ran.items()):
        if passed and pipeline in existing:
            client.start_pipeline_execution(name=pipeline)


def runbook_settings(
    places: list[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path,
    snapshot_dir: Path,
) -> dict[str, str]:
    """The runbooks' operator settings in the rehearsal's cloud: the repository its connection serves
    (the connection itself, CONNECTION_NAME, the rehearsal makes AVAILABLE in every account), the
    pipeline account and the other accounts' service roles as the export's pipelines name them, and a
    SECRETS_DIR under the work folder holding the secrets README.md lists."""
    from exporters._pipelines.secrets import write_secrets_dir
    from proton_exodus.rehearse.runbook import REPOSITORY

    home = pipeline_account_of(export_dir)
    values = {
        "REPOSITORY": "/".join(REPOSITORY),
        "SECRETS_DIR": str(write_secrets_dir(export_dir, work_dir, snapshot_dir)),
    }
    if home:
        region = sorted(r for a, r in places if a == home)[:1] or ["us-east-1"]
        values["PIPELINE_ACCOUNT"] = home
        values["CFN_ROLE_ARNS"] = ",".join(remote_service_roles(export_dir, home, region[0]))
    return values


def _stack_accounts(export_dir: Path) -> dict[str, str]:
    import json

    rows = json.loads((Path(export_dir) / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    return {str(r["stack"]): str(r["account"]) for r in rows}


def pipeline_account_of(export_dir: Path) -> str:
    """The account the export's pipelines run in: the one account of its stacks that no pipeline
    reaches through an action role (`ActionRoleArn<account>`); "" when that is not one account."""
    remote: set[str] = set()
    for path in sorted((Path(export_dir) / "pipelines").glob("**/*.y*ml")):
        params = load_template(path.read_text(encoding="utf-8"), source=path.name).get("Parameters") or {}
        remote |= {k.removeprefix("ActionRoleArn") for k in params if k.startswith("ActionRoleArn")}
    local = set(_stack_accounts(export_dir).values()) - remote
    return next(iter(local)) if len(local) == 1 else ""


def remote_service_roles(export_dir: Path, home: str, region: str) -> list[str]:
    """The CloudFormation service roles the pipelines pass for stacks outside `home` (the action role
    there must be allowed to pass them)."""
    accounts = _stack_accounts(export_dir)
    deploys = pipeline_deploys(Path(export_dir), home, region)
    return sorted({d.cfn_role for s, d in deploys.items() if d.cfn_role and accounts.get(s, home) != home})


__all__ = ["CAPABILITIES", "pipeline_deploys", "rehearse", "runbook_settings"]
