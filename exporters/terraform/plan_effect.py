"""What `terraform plan` shows for an adopted CloudFormation stack, computed the way the AWS provider
computes it (hashicorp/terraform-provider-aws, internal/service/cloudformation/stack.go and flex.go;
exodus cannot run the provider here, so this module models its documented and coded behaviour):

- import is a passthrough: the import ID is handed to DescribeStacks as `StackName`, which takes the
  stack name or its StackId (ARN); exodus imports by StackId so a stack recreated under the same name
  is never adopted by mistake. Created stacks get the StackId as their ID too.
- Read stores `template_body` from GetTemplate (TemplateStage Original) through its StateFunc: JSON
  (text starting with `{`) is normalised (parsed, keys sorted, compact), YAML is kept byte for byte, so
  a YAML template must equal the deployed text exactly to show no diff;
- Read keeps only the `parameters` keys already in state (flattenParameters: "only returning existing
  parameters to avoid clash with default values"). Right after an import the state has none, so the
  import's plan shows `~ parameters` for every stack that has parameters (hashicorp/terraform#21130).
  Applying it calls UpdateStack with the same template, parameters and tags, which CloudFormation
  answers with "No updates are to be performed"; the provider takes that as success and reads the stack
  back, and the next plan is empty. NoEcho parameters read back as `****` and differ from the
  configuration on every plan (a permanent in-place update that changes nothing): those of the stack's
  own NoEcho inputs, and the Parameter Store names exodus gives the secrets it moves out of templates,
  which it declares NoEcho;
- `tags` come from the stack's tags (keys starting `aws:` ignored by the provider), `capabilities`
  only when the stack has some, `iam_role_arn` from RoleARN; all three are compared as given;
- `name`, `timeout_in_minutes`, `disable_rollback` and `on_failure` force a new stack (replacement):
  exodus sets the name the stack has and none of the other three, which Read leaves at their zero
  values for stacks that never set them (the snapshot does not record TimeoutInMinutes: a stack created
  with one would plan a replacement, which the runbook's plan check refuses);
- `outputs` become unknown ("known after apply") only when the stack has an actual change
  (CustomizeDiff ComputedIf), so a stack whose parameters reference them plans an update too.
- `template_body` has a StateFunc (NormalizeJSONOrYAMLString) and no DiffSuppressFunc on this resource
  (aws_cloudformation_stack_set has one, the stack does not): a shared parameterised template, whose
  text is not the deployed one, plans `~ template_body`. The apply sends it in UpdateStack. When the
  template CloudFormation parses differs from the deployed one (the shared template declares the
  parameters and conditions the deployed copy had resolved), CloudFormation runs the update; the
  resources resolve to what they are, so no resource changes, the stack stores the new template, the
  provider waits and reads it back, and the next plan is empty (the rehearsal checks that the change set
  holds no resource change). When nothing CloudFormation compares differs (the same parsed template,
  parameters and tags: only comments, quoting or layout changed), it answers "No updates are to be
  performed"; the provider returns without reading the stack back, CloudFormation keeps the old text, and
  every later plan's refresh reads that text back: a permanent `~ template_body` that changes nothing
  (`cloudformation_updates` decides which; exodus names those stacks, finding W-TF-TEMPLATE-TEXT).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_JSON_START = re.compile(r"^\s*{")
MASK = "****"


def normalise_template(text: str) -> str:
    """The provider's StateFunc for template_body (verify.NormalizeJSONOrYAMLString): JSON compacted
    with sorted keys, anything else returned as is."""
    if _JSON_START.match(text):
        try:
            return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
        except ValueError:
            return text
    return text


@dataclass(frozen=True)
class StackConfig:
    """What the configuration sets for one `aws_cloudformation_stack` (references as `references`:
    parameter key -> address of the stack whose output it reads)."""

    address: str
    name: str
    template_body: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    capabilities: tuple[str, ...] = ()
    iam_role_arn: str = ""
    references: Mapping[str, str] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()  # parameters given by a sensitive variable (NoEcho)
    noecho: frozenset[str] = frozenset()  # parameters the configured template declares NoEcho


@dataclass(frozen=True)
class StackState:
    """What the provider's Read stores for the stack."""

    id: str
    name: str
    template_body: str
    parameters: Mapping[str, str]
    tags: Mapping[str, str]
    capabilities: tuple[str, ...]
    iam_role_arn: str
    timeout_in_minutes: int = 0
    outputs: Mapping[str, str] = field(default_factory=dict)
    # every parameter of the stack as DescribeStacks shows it (what UpdateStack is compared against)
    stack_parameters: Mapping[str, str] = field(default_factory=dict)


def noecho_parameters(template: str) -> frozenset[str]:
    """The parameters a template declares NoEcho (DescribeStacks shows their values as ****)."""
    from proton_exodus.cfn.text import load_template

    try:
        declared = load_template(template).get("Parameters") or {}
    except Exception:  # noqa: BLE001 - a template that does not parse declares nothing here
        return frozenset()
    return frozenset(
        str(k) for k, v in declared.items() if str((v or {}).get("NoEcho", "false")).lower() == "true"
    )


def read_stack(
    described: Mapping[str, Any], template: str, prior: Mapping[str, str] | None = None
) -> StackState:
    """resourceStackRead over a DescribeStacks record and its GetTemplate body: `prior` is the state's
    parameters before the read (None or empty right after an import). NoEcho parameters of the
    template read back as **** (CloudFormation masks them in DescribeStacks)."""
    kept = set(prior or {})
    masked = noecho_parameters(template)
    params = {
        str(p["ParameterKey"]): MASK if p["ParameterKey"] in masked else str(p.get("ParameterValue", ""))
        for p in described.get("Parameters") or []
        if str(p["ParameterKey"]) in kept
    }
    return StackState(
        id=str(described.get("StackId") or described.get("StackName")),
        name=str(described.get("StackName")),
        template_body=normalise_template(template),
        parameters=params,
        tags={
            str(t["Key"]): str(t["Value"])
            for t in described.get("Tags") or []
            if not str(t["Key"]).startswith("aws:")
        },
        capabilities=tuple(sorted(described.get("Capabilities") or ())),
        iam_role_arn=str(described.get("RoleARN") or ""),
        timeout_in_minutes=int(described.get("TimeoutInMinutes") or 0),
        outputs={str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in described.get("Outputs") or []},
        stack_parameters={
            str(p["ParameterKey"]): str(p.get("ParameterValue", ""))
            for p in described.get("Parameters") or []
        },
    )


def _parsed(text: str) -> Any:
    """A template as CloudFormation parses it (None when it does not parse)."""
    from proton_exodus.cfn.text import load_template

    try:
        return load_template(text)
    except Exception:  # noqa: BLE001 - an unparsable template is compared as text
        return None


def cloudformation_updates(config: StackConfig, state: StackState) -> bool:
    """Whether UpdateStack with the configuration is an update CloudFormation performs (and so stores the
    configured template), rather than "No updates are to be performed": the parsed template, a parameter
    value (NoEcho ones are given as the stack has them) or a tag differs."""
    if normalise_template(config.template_body) != state.template_body:
        new, old = _parsed(config.template_body), _parsed(state.template_body)
        if new is None or new != old:
            return True
    given = {k: v for k, v in config.parameters.items() if v != MASK}
    if any(state.stack_parameters.get(k, v) != v for k, v in given.items()):
        return True
    if state.stack_parameters and set(config.parameters) != set(state.stack_parameters):
        return True
    return {k: v for k, v in config.tags.items() if not k.startswith("aws:")} != dict(state.tags)


@dataclass(frozen=True)
class Effect:
    """One resource's line in the plan: `action` is `no-op`, `update` or `replace`; `changed` the
    attributes with a diff and why."""

    address: str
    stack_name: str
    importing: bool
    action: str
    changed: tuple[tuple[str, str], ...] = ()

    @property
    def outputs_unknown(self) -> bool:
        return self.action != "no-op"

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "stack": self.stack_name,
            "import": self.importing,
            "action": self.action,
            "changed": [{"attribute": a, "why": w} for a, w in self.changed],
        }


def plan_stack(
    config: StackConfig, state: StackState, *, importing: bool, unknown: Iterable[str] = ()
) -> Effect:
    """The plan's effect on one stack: `unknown` are addresses whose outputs are unknown in this plan."""
    unknown = set(unknown)
    replace: list[tuple[str, str]] = []
    update: list[tuple[str, str]] = []
    if config.name != state.name:
        replace.append(("name", f"the stack is named {state.name}: name forces a new stack"))
    if state.timeout_in_minutes:
        replace.append(
            ("timeout_in_minutes", "set on the stack, not in the configuration: forces a new stack")
        )
    if normalise_template(config.template_body) != state.template_body:
        how = (
            "JSON differs"
            if _JSON_START.match(config.template_body)
            else "YAML text differs (compared byte for byte)"
        )
        update.append(("template_body", how + " from GetTemplate's"))
    if config.parameters:
        late = sorted(k for k, a in config.references.items() if a in unknown)
        masked = sorted(k for k, v in state.parameters.items() if v == MASK and k in config.parameters)
        if importing and not state.parameters:
            update.append(
                ("parameters", "the import reads no parameters (only keys already in state are kept)")
            )
        elif late:
            update.append(
                ("parameters", "known after apply: " + ", ".join(late) + " read outputs of a changing stack")
            )
        elif masked:
            update.append(("parameters", "NoEcho " + ", ".join(masked) + " read back as **** (every plan)"))
        elif dict(config.parameters) != dict(state.parameters):
            keys = sorted(set(config.parameters) ^ set(state.parameters)) or sorted(
                k for k in config.parameters if config.parameters[k] != state.parameters.get(k)
            )
            update.append(("parameters", "differ: " + ", ".join(keys)))
    tags = {k: v for k, v in config.tags.items() if not k.startswith("aws:")}
    if tags != dict(state.tags):
        update.append(("tags", "differ from the stack's tags"))
    if tuple(sorted(config.capabilities)) != tuple(sorted(state.capabilities)):
        update.append(("capabilities", "differ from the stack's capabilities"))
    if config.iam_role_arn != state.iam_role_arn:
        update.append(("iam_role_arn", "differs from the stack's RoleARN"))
    action = "replace" if replace else "update" if update else "no-op"
    return Effect(config.address, config.name, importing, action, tuple(replace + update))


def plan_module(
    configs: Sequence[StackConfig], states: Mapping[str, StackState], *, importing: bool
) -> list[Effect]:
    """Every stack of a root module in dependency order (configs come ordered: providers first)."""
    effects, unknown = [], set()
    for config in configs:
        effect = plan_stack(config, states[config.address], importing=importing, unknown=unknown)
        if effect.outputs_unknown:
            unknown.add(config.address)
        effects.append(effect)
    return effects


def apply_state(config: StackConfig, state: StackState) -> StackState:
    """The state the next plan refreshes to after applying an in-place update: the provider sent
    UpdateStack the configured template (normalised), every configured parameter and the tags; the
    parameters read back keep the configured keys, NoEcho ones masked. The template read back is the
    configured one when CloudFormation performed the update, else (No updates are to be performed) the
    text the stack already had."""
    stored = cloudformation_updates(config, state)
    return StackState(
        state.id,
        state.name,
        normalise_template(config.template_body) if stored else state.template_body,
        {k: (MASK if k in config.sensitive | config.noecho else v) for k, v in config.parameters.items()},
        {k: v for k, v in config.tags.items() if not k.startswith("aws:")},
        tuple(sorted(config.capabilities)),
        config.iam_role_arn,
        state.timeout_in_minutes,
        state.outputs,
        {**state.stack_parameters, **{k: v for k, v in config.parameters.items() if v != MASK}},
    )


def summary(effects: Sequence[Effect]) -> str:
    """Terraform's plan line for these effects."""
    imports = sum(e.importing for e in effects)
    change = sum(e.action == "update" for e in effects)
    replace = sum(e.action == "replace" for e in effects)
    if not imports and not change and not replace:
        return "No changes. Your infrastructure matches the configuration."
    parts = [f"{imports} to import, "] if imports else []
    return "Plan: " + "".join(parts) + f"{replace} to add, {change} to change, {replace} to destroy."
