"""Find shell commands that call the retired Proton API and replace them with direct CloudFormation
equivalents (PROTON.md §5: pipelines call `get-service` / `update-service-instance`; §2.5: CodeBuild
provisioning calls `notify-resource-deployment-status-change`). Every replacement is a Finding."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from exporters import Finding
from exporters._pipelines.estate import ADOPTABLE_STATUSES

PROTON_CALL = re.compile(r"\baws\s+proton\b")
UNREWRITTEN = (
    "a retired Proton API call was removed here"  # the text of a step left failing (W-PIPE-UNKNOWN-CALL)
)
_GLOBAL_WITH_VALUE = {
    "--region",
    "--profile",
    "--output",
    "--endpoint-url",
    "--query",
    "--color",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--ca-bundle",
}
_SEPARATORS = re.compile(r"\s(\|\||&&|\||;)\s")
CHANGE_SET = "exodus-${CODEBUILD_BUILD_NUMBER:-${GITHUB_RUN_ID:-manual}}"
CAPABILITIES = "CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND"
# Turns an edited Proton spec file into CloudFormation parameters for one instance stack: edited spec
# inputs override the stack parameter of the same name (case, `_` and `-` ignored); every other
# parameter keeps its value. PyYAML comes with the AWS CLI v1 the buildspecs install.
PARAMS_PY = (
    'import json,re,sys,yaml; n=lambda s: re.sub("[^a-z0-9]","",s.lower()); '
    'doc=yaml.safe_load(open(sys.argv[1])) or {}; '
    'spec=next((i.get("spec") or {} for i in doc.get("instances") or [] if i.get("name")==sys.argv[2]),{}); '
    'want={n(k):str(v) for k,v in spec.items()}; keys=json.load(open(sys.argv[3])) or []; '
    'out=[{"ParameterKey":k,"ParameterValue":want.pop(n(k))} if n(k) in want else '
    '{"ParameterKey":k,"UsePreviousValue":True} for k in keys]; '
    'sys.exit("spec inputs "+",".join(sorted(want))+" are not parameters of the stack: change them in its '
    'template in Git") if want else print(json.dumps(out))'
)


@dataclass(frozen=True)
class CommandContext:
    """What a rewrite may resolve: instance name -> stack name for the service, literal variables."""

    service: str | None = None
    instance_stacks: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)  # e.g. CodeBuild PLAINTEXT env vars
    resource_stacks: Mapping[str, str] = field(default_factory=dict)  # Proton ARN -> stack name
    where: str = ""  # file / resource the command is in, for findings
    resource: str = ""


@dataclass(frozen=True)
class Rewrite:
    commands: tuple[str, ...]
    finding: Finding


def mentions_proton_api(text: str) -> bool:
    """True when `text` still calls the Proton CLI."""
    return bool(PROTON_CALL.search(text))


def rewrite_command(command: str, ctx: CommandContext) -> Rewrite | None:
    """The replacement of one shell command that calls `aws proton ...`, or None if it calls none."""
    match = PROTON_CALL.search(command)
    if not match:
        return None
    prefix = command[: match.start()]
    rest = command[match.start() :]
    sep = _SEPARATORS.search(rest)
    segment, suffix = (rest[: sep.start()], rest[sep.start() :]) if sep else (rest, "")
    try:
        words = shlex.split(segment, posix=True)[2:]
    except ValueError:
        words = segment.split()[2:]
    region, op, args = _parse(words)
    new, code, text = _replace(op, args, region, ctx)
    if prefix.strip() or suffix.strip():
        joined = " && ".join(new) if len(new) > 1 else new[0]
        new = [f"{prefix}{{ {joined}; }}{suffix}" if len(new) > 1 else f"{prefix}{joined}{suffix}"]
    finding = Finding(
        code, f"{ctx.resource or ctx.where}: replaced `proton {op}` ({text})", ctx.resource, ctx.where
    )
    return Rewrite(tuple(new), finding)


def _parse(words: list[str]) -> tuple[str, str, dict[str, str]]:
    region, i = "", 0
    while i < len(words) and words[i].startswith("--"):
        if words[i] in _GLOBAL_WITH_VALUE and i + 1 < len(words):
            region = words[i + 1] if words[i] == "--region" else region
            i += 2
        else:
            i += 1
    op = words[i] if i < len(words) else ""
    if op == "wait" and i + 1 < len(words):
        op, i = f"wait {words[i + 1]}", i + 1
    args: dict[str, str] = {}
    rest = words[i + 1 :]
    for j, word in enumerate(rest):
        if word.startswith("--"):
            key, _, value = word.partition("=")
            nxt = rest[j + 1] if j + 1 < len(rest) and not value else value
            args[key[2:]] = nxt if nxt and not nxt.startswith("--") else ""
    return region, op, args


def _cfn(region: str) -> str:
    return f"aws cloudformation --region {region}" if region else "aws cloudformation"


def _resolve(value: str, ctx: CommandContext) -> str:
    name = value[1:].strip("{}") if value.startswith("$") else None
    return ctx.variables.get(name, value) if name else value


def _stack_lines(args: Mapping[str, str], ctx: CommandContext) -> list[str]:
    """Shell lines setting EXODUS_STACK to the instance's stack (static when the name is known)."""
    instance = _resolve(args.get("name", ""), ctx)
    if instance in ctx.instance_stacks:
        return [f"EXODUS_STACK={ctx.instance_stacks[instance]}"]
    arms = " ".join(f"{name}) EXODUS_STACK={stack};;" for name, stack in sorted(ctx.instance_stacks.items()))
    return [
        f'case "{instance}" in {arms} *) echo "no stack known for service instance {instance}" >&2; '
        "exit 1;; esac"
    ]


def _replace(
    op: str, args: Mapping[str, str], region: str, ctx: CommandContext
) -> tuple[list[str], str, str]:
    cfn = _cfn(region)
    if op == "get-service":
        items = ", ".join(
            f'{{\\"name\\": \\"{n}\\", \\"stack\\": \\"{s}\\"}}'
            for n, s in sorted(ctx.instance_stacks.items())
        )
        service = _resolve(args.get("name", ""), ctx)
        spec = f"instances: [{items}]"
        return (
            [f"jq -n '{{service: {{name: \"{service}\", spec: \"{spec}\"}}}}'"],
            "I-PIPE-GET-SERVICE",
            "the spec now only lists the instances and their stacks; inputs not edited by the build keep "
            "their current stack parameter values",
        )
    if op == "update-service-instance":
        spec = args.get("spec", "").removeprefix("file://")
        instance = _resolve(args.get("name", ""), ctx)
        statuses = "|".join(ADOPTABLE_STATUSES)
        return (
            [
                *_stack_lines(args, ctx),
                f'{cfn} describe-stacks --stack-name "$EXODUS_STACK" --query "Stacks[0].StackStatus" '
                f'--output text | grep -Eqx "{statuses}" || {{ echo "stack $EXODUS_STACK is not in a '
                'deployable state" >&2;'
                " exit 1; }",
                f'{cfn} describe-stacks --stack-name "$EXODUS_STACK" --query '
                '"Stacks[0].Parameters[].ParameterKey"'
                " --output json > exodus-parameter-keys.json",
                f"python3 -c '{PARAMS_PY}' {spec} {instance} exodus-parameter-keys.json > "
                "exodus-parameters.json",
                f'{cfn} create-change-set --stack-name "$EXODUS_STACK" --change-set-name "{CHANGE_SET}"'
                f" --change-set-type UPDATE --use-previous-template --capabilities {CAPABILITIES}"
                " --parameters file://exodus-parameters.json",
                f'{cfn} wait change-set-create-complete --stack-name "$EXODUS_STACK" --change-set-name '
                f'"{CHANGE_SET}"',
                f'{cfn} execute-change-set --stack-name "$EXODUS_STACK" --change-set-name "{CHANGE_SET}"',
            ],
            "I-PIPE-UPDATE-INSTANCE",
            "the instance stack is now updated directly with a change set on its current template; edited "
            "spec inputs become parameter overrides",
        )
    if op.startswith("wait "):
        return (
            [*_stack_lines(args, ctx), f'{cfn} wait stack-update-complete --stack-name "$EXODUS_STACK"'],
            "I-PIPE-WAIT",
            "now waits for the instance stack update to complete",
        )
    if op == "notify-resource-deployment-status-change":
        outputs = args.get("outputs", "").removeprefix("file://")
        keep = f"cat {outputs}" if outputs else "true"
        return (
            [keep],
            "I-PIPE-NOTIFY",
            "dropped: nothing waits for a deployment status any more; outputs are read from the stack or "
            "state",
        )
    if op.startswith("list-") and op.endswith("-outputs"):
        stack = ctx.resource_stacks.get(
            args.get("environment-name") or args.get("service-instance-name") or "", ""
        )
        lines = (
            _stack_lines({"name": args.get("service-instance-name", "")}, ctx)
            if not stack
            else [f"EXODUS_STACK={stack}"]
        )
        return (
            [
                *lines,
                f'{cfn} describe-stacks --stack-name "$EXODUS_STACK" --query '
                '"{outputs: Stacks[0].Outputs[].{key: OutputKey, valueString: OutputValue}}" --output json',
            ],
            "I-PIPE-OUTPUTS",
            "outputs are now read from the stack with describe-stacks",
        )
    return (
        [f'echo "exodus: {UNREWRITTEN}; see MANUAL_TASKS.md" >&2', "exit 1"],
        "W-PIPE-UNKNOWN-CALL",
        "no direct equivalent is known: the step now fails until it is rewritten by hand",
    )
