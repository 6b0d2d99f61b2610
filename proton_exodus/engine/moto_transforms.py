"""The SAM (`AWS::Serverless-2016-10-31`) and `AWS::LanguageExtensions` transforms, expanded by the local
cloud as CloudFormation does.

CloudFormation runs a template's transforms when it creates a change set: the change set, the stack's
resources and `GetTemplate --template-stage Processed` all see the expanded template, while
`Original` still returns the text that was submitted; a template the transform rejects fails the change
set with `Transform AWS::Serverless-2016-10-31 failed with: ...`. moto (5.x) runs no transform, so an
`AWS::Serverless::Function` was a stub with no Lambda function behind it. This module expands SAM with
AWS's own translator (aws-sam-translator, the one cfn-lint uses), offline: AWS managed policy names
resolve from the map bundled with the translator (never IAM), and the Region is the stack's.
`AWS::LanguageExtensions` (`Fn::ForEach`, `Fn::FindInMap` with a default) is expanded with cfn-lint's
implementation of it, fed the stack's parameter values; what that implementation would guess or leave
rather than evaluate (a collection read from a pseudo parameter or a resource, an empty list,
`Fn::Length`, `Fn::ToJsonString`, a function as `DeletionPolicy`/`UpdateReplacePolicy`) fails the change
set with the reason instead.
Other transforms (AWS::Include, macros) are left as written (docs/engine-coverage.md).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import threading
from collections.abc import Mapping
from typing import Any

__all__ = [
    "LANGUAGE_EXTENSIONS",
    "SAM",
    "TransformError",
    "declared_transforms",
    "expand_language_extensions",
    "expand_sam",
    "patch_moto_transforms",
]

SAM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
_EXPANDED = (LANGUAGE_EXTENSIONS, SAM)
_PATCHED = False
# The translator keeps the Region in a class attribute (ArnGenerator) and its metrics in a singleton:
# one translation at a time, since the local Proton deploys from worker threads.
_LOCK = threading.Lock()
_STAGES = ["Original", "Processed"]


class TransformError(Exception):
    """The transform refused the template; the text is CloudFormation's change-set status reason."""


def declared_transforms(template: Any) -> list[str]:
    """The transform names a template declares (`Transform: X` or a list of names)."""
    raw = template.get("Transform") if isinstance(template, Mapping) else None
    names = raw if isinstance(raw, list) else [raw] if raw else []
    return [n for n in names if isinstance(n, str)]


def expand_sam(
    template: Mapping[str, Any], parameters: Mapping[str, Any], region: str, account_id: str
) -> dict[str, Any]:
    """`template` with its SAM resources expanded (a fresh copy; the template itself when it declares no
    SAM transform). Raises TransformError with CloudFormation's reason when SAM refuses it."""
    if SAM not in declared_transforms(template):
        return dict(template)
    given = json.dumps(dict(parameters), sort_keys=True, default=str)
    return json.loads(_expanded(json.dumps(template, default=str), given, region, account_id))


@functools.lru_cache(maxsize=64)
def _expanded(template: str, parameters: str, region: str, account_id: str) -> str:
    """The processed template as JSON text (cached: moto parses a stack's template several times)."""
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import ExceptionWithMessage, InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    values = {**json.loads(parameters), "AWS::AccountId": account_id, "AWS::Region": region}
    session = boto3.session.Session(region_name=region)  # no request is made: the Region only
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())  # nothing leaves the machine
    with _LOCK:
        try:
            processed = Translator(None, Parser(), boto_session=session, metrics=metrics).translate(
                copy.deepcopy(json.loads(template)), values
            )
        except InvalidDocumentException as err:
            causes = " ".join(cause.message for cause in err.causes)
            raise TransformError(f"Transform {SAM} failed with: {err.message} {causes}".strip()) from None
        except ExceptionWithMessage as err:
            raise TransformError(f"Transform {SAM} failed with: {err.message}") from None
        finally:
            metrics.publish()
    return json.dumps(processed, default=str)


def expand_language_extensions(
    template: Mapping[str, Any], parameters: Mapping[str, Any], region: str
) -> dict[str, Any]:
    """`template` with `AWS::LanguageExtensions` applied (a fresh copy, the transform dropped from its
    `Transform`; the template itself when it does not declare it). Raises TransformError with the reason
    when the template cannot be expanded exactly (see the module docstring)."""
    if LANGUAGE_EXTENSIONS not in declared_transforms(template):
        return dict(template)
    from types import SimpleNamespace

    from cfnlint.template.transforms._language_extensions import language_extension

    tree = copy.deepcopy(dict(template))
    declared = tree.get("Parameters") if isinstance(tree.get("Parameters"), dict) else {}
    values = {}
    for name, decl in declared.items():
        given = parameters.get(name, decl.get("Default") if isinstance(decl, Mapping) else None)
        if isinstance(decl, dict) and given is not None:
            given = ",".join(map(str, given)) if isinstance(given, list) else str(given)
            decl["Default"] = given  # cfn-lint reads a parameter's value from its Default
            values[name] = (decl, given)
    _refuse_guesses(tree, values)
    matches, processed = language_extension(SimpleNamespace(template=tree, regions=[region], filename=""))
    if matches or not isinstance(processed, dict):
        reason = matches[0].message if matches else "no template"
        raise TransformError(f"Transform {LANGUAGE_EXTENSIONS} failed with: {reason}")
    rest = [n for n in declared_transforms(template) if n != LANGUAGE_EXTENSIONS]
    processed.pop("Transform", None)
    if rest:
        processed["Transform"] = rest if len(rest) > 1 else rest[0]
    for name in values:  # the parameters as declared, not as fed to cfn-lint
        original = (template.get("Parameters") or {}).get(name)
        if isinstance(original, Mapping) and name in (processed.get("Parameters") or {}):
            processed["Parameters"][name] = copy.deepcopy(dict(original))
    return json.loads(json.dumps(processed, default=str))


def _refuse_guesses(node: Any, values: Mapping[str, tuple[Any, str]]) -> None:
    """TransformError where cfn-lint's transform would not know the value CloudFormation knows: it lints
    templates, so it makes up what it cannot resolve (random names for a collection, a default stack name)."""
    if isinstance(node, list):
        for item in node:
            _refuse_guesses(item, values)
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        if key in ("Fn::Length", "Fn::ToJsonString"):
            raise TransformError(f"Transform {LANGUAGE_EXTENSIONS}: the local cloud does not evaluate {key}")
        if key in ("DeletionPolicy", "UpdateReplacePolicy") and not isinstance(value, str):
            raise TransformError(
                f"Transform {LANGUAGE_EXTENSIONS}: the local cloud does not evaluate a function as {key}"
            )
        if isinstance(key, str) and key.startswith("Fn::ForEach::"):
            collection = value[1] if isinstance(value, list) and len(value) == 3 else None
            _check_collection(key, collection, values)
        _refuse_guesses(value, values)


def _check_collection(key: str, collection: Any, values: Mapping[str, tuple[Any, str]]) -> None:
    if isinstance(collection, list) and all(isinstance(v, str | int | float) for v in collection):
        return
    ref = collection.get("Ref") if isinstance(collection, Mapping) and len(collection) == 1 else None
    decl, given = values.get(ref, (None, "")) if isinstance(ref, str) else (None, "")
    kind = str(decl.get("Type", "String")) if isinstance(decl, Mapping) else ""
    if kind.startswith("AWS::SSM::") or "List" not in kind or not given:
        raise TransformError(
            f"Transform {LANGUAGE_EXTENSIONS}: {key}: the local cloud expands a collection given as a list of"
            " literals or a Ref to a non-empty list parameter only"
        )


def patch_moto_transforms() -> None:
    """Expand SAM in moto's change sets and stacks; GetTemplate answers the Processed stage (idempotent).

    Apply after moto_changeset's patches: this create_change_set must run last to fail a change set."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack

    change_set_parse, stack_parse = ChangeSet._parse_template, Stack._parse_template
    create_change_set = CloudFormationBackend.create_change_set

    def parse_change_set(self: Any) -> None:
        change_set_parse(self)
        self.transform_error = None
        stack = self.stack
        try:
            self.template_dict = _processed(self.template_dict, self.parameters, stack)
        except TransformError as err:
            self.transform_error = str(err)
            # a failed change set lists no changes; an unexpanded template's keys are no resources
            self.template_dict = {**self.template_dict, "Resources": {}}

    def parse_stack(self: Any) -> None:
        stack_parse(self)
        # only a change set's template is refused; a stack keeps what it was created with
        with contextlib.suppress(TransformError):
            self.template_dict = _processed(self.template_dict, getattr(self, "parameters", None), self)

    def has_template(self: Any, other_template: str) -> bool:
        """Compare the submitted texts (the processed template is a function of them)."""
        return Stack.parse_template(self.template) == Stack.parse_template(other_template)

    def create(self: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        change_set_id, stack_id = create_change_set(self, *args, **kwargs)
        change_set = self.change_sets.get(change_set_id)
        if change_set is not None and getattr(change_set, "transform_error", None):
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = change_set.transform_error
            change_set.changes = []
        return change_set_id, stack_id

    ChangeSet._parse_template = parse_change_set  # type: ignore[method-assign]
    Stack._parse_template = parse_stack  # type: ignore[method-assign]
    Stack.has_template = has_template  # type: ignore[method-assign]
    CloudFormationBackend.create_change_set = create  # type: ignore[method-assign]
    _patch_get_template()
    _PATCHED = True


def _processed(template: Any, parameters: Mapping[str, Any] | None, stack: Any) -> Any:
    """The template after its transforms, in the order it declares them (as CloudFormation runs them)."""
    for name in declared_transforms(template):
        if name == LANGUAGE_EXTENSIONS:
            template = expand_language_extensions(template, parameters or {}, stack.region_name)
        elif name == SAM:
            template = expand_sam(template, parameters or {}, stack.region_name, stack.account_id)
    return template


def _patch_get_template() -> None:
    """`TemplateStage=Processed` returns the expanded template (JSON, as CloudFormation returns it) for a
    stack that declares SAM; without a transform both stages are the submitted text."""
    from moto.cloudformation.models import Stack
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    original = CloudFormationResponse.get_template

    def get_template(self: Any) -> Any:
        if self._get_param("TemplateStage") != "Processed":
            return original(self)
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        submitted = Stack.parse_template(stack.template) if isinstance(stack.template, str) else {}
        if not set(_EXPANDED) & set(declared_transforms(submitted)):
            return original(self)
        try:
            body = _processed(submitted, stack.parameters or {}, stack)
        except TransformError:  # the stack kept what it was created with
            return original(self)
        return ActionResult({"TemplateBody": json.dumps(body, indent=2), "StagesAvailable": _STAGES})

    CloudFormationResponse.get_template = get_template  # type: ignore[method-assign]
