"""Records every Proton call a boto3 client makes: outcome per operation and conformance problems.

A response must fit the operation's output shape, and an error must be one the operation's model lists
(botocore maps only those to exception classes).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from typing import Any

from proton_exodus.engine import conformance


class Recorder:
    """Attach to clients with `watch(client)`; then `ok`, `errors`,
    `calls` and `problems` tell what happened."""

    def __init__(self) -> None:
        self.ok: set[str] = set()
        self.errors: dict[str, set[str]] = defaultdict(set)
        self.calls: dict[str, list[dict[str, Any]]] = defaultdict(list)  # successful calls' parameters
        self.problems: list[str] = []
        self._params: dict[str, dict[str, Any]] = {}

    def watch(self, client: Any) -> Any:
        client.meta.events.register("provide-client-params.proton", self._before_call)
        client.meta.events.register("after-call.proton", self._after_call)
        return client

    def _before_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._params[model.name] = copy.deepcopy(params)

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        body = json.loads(http_response.content or b"{}")
        if http_response.status_code >= 300:
            code = parsed.get("Error", {}).get("Code", "?")
            self.errors[name].add(code)
            if set(body) != {"__type", "message"}:
                self.problems.append(f"{name}: error body {body}")
            message = body.get("message")
            self.problems += [f"{name}: {p}: {message}" for p in conformance.check_error(name, code)]
            return
        self.ok.add(name)
        self.calls[name].append(self._params.pop(name, {}))
        self.problems += [f"{name}: {p}" for p in conformance.check_output(name, body, wire=True)]


def all_operations() -> set[str]:
    return set(conformance.service_model().operation_names)
