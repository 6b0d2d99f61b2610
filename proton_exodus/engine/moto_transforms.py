"""The SAM transform (`AWS::Serverless-2016-10-31`), expanded by the local cloud as CloudFormation does.

CloudFormation runs a template's transforms when it creates a change set: the change set, the stack's
resources and `GetTemplate --template-stage Processed` all see the expanded template, while
`Original` still returns the text that was submitted; a template the transform rejects fails the change
set with `Transform AWS::Serverless-2016-10-31 failed with: ...`. moto (5.x) runs no transform, so an
`AWS::Serverless::Function` was a stub with no Lambda function behind it. This module expands SAM with
AWS's own translator (aws-sam-translator, the one cfn-lint uses), offline: AWS managed policy names
resolve from the map bundled with the translator (never IAM), and the Region is the stack's.
Other transforms (AWS::Include, AWS::LanguageExtensions, macros) are left as written
(docs/engine-coverage.md).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["SAM", "TransformError", "declared_transforms", "expand_sam", "patch_moto_transforms"]

SAM = "AWS::Serverless-2016-10-31"
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
        return change_set_id, stack_id

    ChangeSet._parse_template = parse_change_set  # type: ignore[method-assign]
    Stack._parse_template = parse_stack  # type: ignore[method-assign]
    Stack.has_template = has_template  # type: ignore[method-assign]
    CloudFormationBackend.create_change_set = create  # type: ignore[method-assign]
    _patch_get_template()
    _PATCHED = True


def _processed(template: Any, parameters: Mapping[str, Any] | None, stack: Any) -> Any:
    if SAM not in declared_transforms(template):
        return template
    return expand_sam(template, parameters or {}, stack.region_name, stack.account_id)


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
        if SAM not in declared_transforms(submitted):
            return original(self)
        body = expand_sam(submitted, stack.parameters or {}, stack.region_name, stack.account_id)
        return ActionResult({"TemplateBody": json.dumps(body, indent=2), "StagesAvailable": _STAGES})

    CloudFormationResponse.get_template = get_template  # type: ignore[method-assign]
