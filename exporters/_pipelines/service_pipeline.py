"""Proton service pipelines: rewrite the rendered `pipeline_infrastructure` template so no step calls
the retired Proton API (buildspec commands and IAM `proton:*` actions), and read its CodePipeline
stages back as build/deploy steps for the GitHub Actions form (PROTON.md §2.1 pipeline namespace, §5)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from cfn_flip import load as load_cfn

from exporters import Finding
from exporters._pipelines.retired_api import UNREWRITTEN, CommandContext, mentions_proton_api, rewrite_command
from proton_exodus.cfn.text import dump_template

_JSON_ITEM = re.compile(r'^(\s*)"((?:[^"\\]|\\.)*)"(\s*,?)\s*$')
_YAML_ITEM = re.compile(r"^(\s*-\s+)(.*)$")
_ECR_LOGIN = re.compile(r"\$\(aws ecr get-login --no-include-email(?: --region (\S+))?\)")
STACK_ACTIONS = (
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
)


@dataclass(frozen=True)
class ConvertedPipeline:
    """The rewritten template text and what was replaced."""

    text: str
    findings: tuple[Finding, ...]
    changed: bool


def rewrite_lines(text: str, ctx: CommandContext) -> tuple[str, list[Finding]]:
    """Rewrite every line of a buildspec / script fragment that calls the Proton CLI. A line may be a
    JSON array item (`"cmd",`), a YAML list item (`- cmd`) or a plain shell line."""
    out: list[str] = []
    findings: list[Finding] = []
    for line in text.split("\n"):
        if not mentions_proton_api(line):
            out.append(line)
            continue
        if m := _JSON_ITEM.match(line):
            indent, body, tail = m.group(1), json.loads(f'"{m.group(2)}"'), m.group(3).strip()
            rw = rewrite_command(body, ctx)
            items = [json.dumps(c) for c in rw.commands]
            out.extend(f"{indent}{item}," for item in items[:-1])
            out.append(f"{indent}{items[-1]}{tail}")
        elif m := _YAML_ITEM.match(line):
            body = yaml.safe_load(m.group(2))
            rw = rewrite_command(str(body), ctx)
            out.extend(f"{m.group(1)}{json.dumps(c)}" for c in rw.commands)
        else:
            indent = line[: len(line) - len(line.lstrip())]
            rw = rewrite_command(line.strip(), ctx)
            out.extend(f"{indent}{c}" for c in rw.commands)
        findings.append(rw.finding)
    return "\n".join(out), findings


def _walk_strings(node: Any, fn) -> Any:
    if isinstance(node, str):
        return fn(node)
    if isinstance(node, list):
        return [_walk_strings(v, fn) for v in node]
    if isinstance(node, dict):
        return type(node)((k, _walk_strings(v, fn)) for k, v in node.items())
    return node


def _project_variables(props: Mapping[str, Any]) -> dict[str, str]:
    env = props.get("Environment") or {}
    return {
        v["Name"]: v["Value"]
        for v in env.get("EnvironmentVariables") or []
        if isinstance(v, dict)
        and isinstance(v.get("Value"), str)
        and v.get("Type", "PLAINTEXT") == "PLAINTEXT"
    }


def _stack_arn(stack: str) -> dict[str, str]:
    return {
        "Fn::Sub": (
            f"arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{stack}/*"
        )
    }


def _rewrite_statement(
    stmt: dict[str, Any], stacks: Sequence[str], roles: Sequence[str], where: str
) -> tuple[list[dict[str, Any]], list[Finding]]:
    actions = stmt.get("Action")
    listed = [actions] if isinstance(actions, str) else list(actions or [])
    proton = [a for a in listed if isinstance(a, str) and a.lower().startswith("proton:")]
    if not proton:
        return [stmt], []
    keep = [a for a in listed if a not in proton]
    out = [dict(stmt, Action=keep)] if keep else []
    out.append(
        {"Action": list(STACK_ACTIONS), "Effect": "Allow", "Resource": [_stack_arn(s) for s in stacks]}
    )
    if roles:
        out.append(
            {
                "Action": "iam:PassRole",
                "Effect": "Allow",
                "Resource": sorted(roles),
                "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
            }
        )
    note = Finding(
        "I-PIPE-IAM",
        f"{where}: replaced IAM actions {', '.join(proton)} with change-set actions on "
        "the service's instance stacks",
        "",
        where,
    )
    return out, [note]


def _rewrite_policies(
    node: Any, stacks: Sequence[str], roles: Sequence[str], where: str, findings: list[Finding]
) -> Any:
    if isinstance(node, list):
        return [_rewrite_policies(v, stacks, roles, where, findings) for v in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("Statement"), list):
        statements: list[Any] = []
        for stmt in node["Statement"]:
            new, found = (
                _rewrite_statement(stmt, stacks, roles, where) if isinstance(stmt, dict) else ([stmt], [])
            )
            statements.extend(new)
            findings.extend(found)
        node = type(node)(list(node.items()))
        node["Statement"] = statements
        return node
    return type(node)((k, _rewrite_policies(v, stacks, roles, where, findings)) for k, v in node.items())


def convert_pipeline_template(
    text: str, ctx: CommandContext, *, stack_roles: Sequence[str] = (), where: str = ""
) -> ConvertedPipeline:
    """Replace every retired Proton call in a rendered pipeline template; unchanged text if it has none."""
    if "proton" not in text.lower():
        return ConvertedPipeline(text, (), False)
    data, _fmt = load_cfn(text)
    findings: list[Finding] = []
    resources = data.get("Resources") or {}
    for name, res in resources.items():
        if not isinstance(res, dict):
            continue
        props = res.get("Properties") or {}
        local = CommandContext(
            ctx.service,
            ctx.instance_stacks,
            {**ctx.variables, **_project_variables(props)},
            ctx.resource_stacks,
            where,
            f"{where}#{name}",
        )

        def fix(s: str, local: CommandContext = local) -> str:
            if not mentions_proton_api(s):
                return s
            new, found = rewrite_lines(s, local)
            findings.extend(found)
            return new

        if isinstance(props, dict):
            res["Properties"] = _walk_strings(props, fix)
            res["Properties"] = _rewrite_policies(
                res["Properties"],
                sorted(ctx.instance_stacks.values()),
                stack_roles,
                f"{where}#{name}",
                findings,
            )
    if not findings:
        return ConvertedPipeline(text, (), False)
    # as loaded: statements added here stay long-form plain dicts (the bytes sample_exports holds)
    return ConvertedPipeline(dump_template(data, shorten_all=False), tuple(findings), True)


def place_findings(text: str, findings: Sequence[Finding], path: str) -> list[Finding]:
    """The findings of a converted pipeline template as they concern the export file `path` holding
    `text`: each W-PIPE-UNKNOWN-CALL (a step left failing until rewritten by hand) names its line."""
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if UNREWRITTEN in line]
    out = []
    for f in findings:
        message = f.message
        if f.code == "W-PIPE-UNKNOWN-CALL" and lines:
            message = f"{message}; rewrite the step at {path} line {lines.pop(0)} by hand"
        out.append(Finding(f.code, message, f.resource, path))
    return out


def pipeline_planned_changes(
    stack: str, account: str, region: str, deployed: str, converted: str
) -> list[dict[str, str]]:
    """The resource changes the first deploy of a rewritten pipeline template makes, one per resource and
    top-level property, in the shape of an export's PLANNED_CHANGES.json entries (stack, account,
    region, resource, type, property, effect, description, choice). Nothing for an unchanged template."""
    from proton_exodus.cfn.normalise import load_normalised
    from proton_exodus.verify.diff import diff_templates

    if deployed == converted:
        return []
    out: dict[tuple[str, str], dict[str, str]] = {}
    before, after = load_normalised(deployed, source=stack), load_normalised(converted, source=stack)
    for diff in diff_templates(stack, before, after, region=region):
        prop = diff.path.split("[", 1)[0].split(".")
        prop_path = ".".join(prop[:2]) if prop[0] == "Properties" else prop[0]
        effect = "Replacement" if diff.replacement == "True" else "Modify"
        if out.get((diff.name, prop_path), {}).get("effect") == "Replacement":
            continue
        out[(diff.name, prop_path)] = {
            "stack": stack,
            "account": account,
            "region": region,
            "resource": diff.name,
            "type": diff.resource_type,
            "property": prop_path,
            "effect": effect,
            "description": "build steps and permissions that called the retired Proton API now deploy the "
            "instance stacks with change sets",
            "choice": "service pipelines rewritten (the Proton API is retired)",
        }
    return [out[k] for k in sorted(out)]


@dataclass(frozen=True)
class BuildStep:
    """One CodeBuild action of a pipeline, as the GitHub Actions form needs it."""

    stage: str
    action: str
    project: str
    phases: Mapping[str, list[str]]  # install / pre_build / build / post_build -> commands
    variables: Mapping[str, str]  # literal variables
    stack_refs: Mapping[str, str]  # variable -> logical id of a resource of the pipeline stack (Ref)
    artifacts: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    instance: str | None = None  # the service instance it deploys, when one of its variables names it
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    stack_outputs: Mapping[str, str] = field(
        default_factory=dict
    )  # variable -> output key of the pipeline stack
    unresolved: tuple[str, ...] = ()  # variables set from attributes no output exposes (a workflow variable)
    base_directory: str = ""  # the buildspec's artifacts.base-directory


def _flatten(node: Any, refs: dict[str, str]) -> str:
    """A buildspec value as text; intrinsics become shell variables (`${EXODUS_REF_<id>}`)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and "Fn::Join" in node:
        sep, parts = node["Fn::Join"]
        return str(sep).join(_flatten(p, refs) for p in parts)
    if isinstance(node, dict) and "Ref" in node:
        target = str(node["Ref"])
        if target == "AWS::AccountId":
            return "${AWS_ACCOUNT_ID}"
        if target == "AWS::Region":
            return "${AWS_REGION}"
        var = "EXODUS_REF_" + re.sub(r"[^A-Za-z0-9]", "_", target)
        refs[var] = target
        return "${" + var + "}"
    return ""


def build_steps(text: str, instances: Sequence[str]) -> list[BuildStep]:
    """The CodeBuild actions of the template's CodePipeline pipelines, in stage order."""
    data, _fmt = load_cfn(text)
    resources = data.get("Resources") or {}
    steps: list[BuildStep] = []
    for pipeline in (
        r
        for r in resources.values()
        if isinstance(r, dict) and r.get("Type") == "AWS::CodePipeline::Pipeline"
    ):
        for stage in pipeline.get("Properties", {}).get("Stages") or []:
            for action in stage.get("Actions") or []:
                step = _step(stage, action, resources, instances, data.get("Outputs") or {})
                if step:
                    steps.append(step)
    return steps


def _step(
    stage: Mapping[str, Any],
    action: Mapping[str, Any],
    resources: Mapping[str, Any],
    instances: Sequence[str],
    outputs_section: Mapping[str, Any],
) -> BuildStep | None:
    type_id = action.get("ActionTypeId") or {}
    if type_id.get("Provider") != "CodeBuild":
        return None
    ref = (action.get("Configuration") or {}).get("ProjectName")
    project = ref.get("Ref") if isinstance(ref, dict) else ref
    props = (resources.get(project) or {}).get("Properties") or {}
    refs: dict[str, str] = {}
    spec_text = _flatten((props.get("Source") or {}).get("BuildSpec") or "", refs)
    try:
        spec = yaml.safe_load(spec_text) or {}
    except yaml.YAMLError:
        spec = {}
    phases = {
        name: [str(c) for c in (body or {}).get("commands") or []]
        for name, body in (spec.get("phases") or {}).items()
        if isinstance(body, dict)
    }
    env = (props.get("Environment") or {}).get("EnvironmentVariables") or []
    variables = _project_variables(props)
    from_outputs: dict[str, str] = {}
    unresolved: list[str] = []
    for var in env:
        value = var.get("Value") if isinstance(var, dict) else None
        if isinstance(value, dict) and "Ref" in value:
            refs[var["Name"]] = value["Ref"]
        elif isinstance(value, dict) and "Fn::GetAtt" in value:
            key = _output_key(outputs_section, value)
            if key:
                from_outputs[var["Name"]] = key
            else:
                unresolved.append(str(var["Name"]))
    instance = next((v for v in variables.values() if v in instances), None)
    return BuildStep(
        stage=str(stage.get("Name", "")),
        action=str(action.get("Name", "")),
        project=str(project),
        phases=phases,
        variables=variables,
        stack_refs=dict(sorted(refs.items())),
        artifacts=tuple(str(f) for f in (spec.get("artifacts") or {}).get("files") or []),
        inputs=tuple(a["Name"] for a in action.get("InputArtifacts") or []),
        outputs=tuple(a["Name"] for a in action.get("OutputArtifacts") or []),
        instance=instance,
        stack_outputs=dict(sorted(from_outputs.items())),
        unresolved=tuple(sorted(unresolved)),
        base_directory=str((spec.get("artifacts") or {}).get("base-directory") or ""),
    )


def _getatt(value: Any) -> tuple[str, str] | None:
    arg = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(arg, str) and "." in arg:
        arg = arg.split(".", 1)
    return (str(arg[0]), str(arg[1])) if isinstance(arg, list) and len(arg) == 2 else None


def _output_key(outputs: Mapping[str, Any], value: Any) -> str | None:
    """The output of the pipeline stack holding the same attribute, if any."""
    want = _getatt(value)
    return next(
        (
            str(k)
            for k, v in sorted(outputs.items())
            if want and isinstance(v, dict) and _getatt(v.get("Value")) == want
        ),
        None,
    )


def modernise_ecr_login(command: str) -> str:
    """`$(aws ecr get-login ...)` exists only in AWS CLI v1; runners have v2."""

    def repl(m: re.Match[str]) -> str:
        region = m.group(1) or "$AWS_REGION"
        return (
            f"aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin "
            f"\"$(aws sts get-caller-identity --query Account --output text).dkr.ecr.{region}.amazonaws.com\""
        )

    return _ECR_LOGIN.sub(repl, command)
