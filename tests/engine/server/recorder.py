"""Records every Proton call a boto3 client makes: outcome per operation and conformance problems."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from proton_exodus.engine import conformance


class Recorder:
    """Attach to clients with `watch(client)`; afterwards `ok`, `errors` and `problems` tell what happened."""

    def __init__(self) -> None:
        self.ok: set[str] = set()
        self.errors: dict[str, set[str]] = defaultdict(set)
        self.problems: list[str] = []

    def watch(self, client: Any) -> Any:
        client.meta.events.register("after-call.proton", self._after_call)
        return client

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if http_response.status_code >= 300:
            self.errors[name].add(parsed.get("Error", {}).get("Code", "?"))
            body = json.loads(http_response.content or b"{}")
            if set(body) != {"__type", "message"}:
                self.problems.append(f"{name}: error body {body}")
            return
        self.ok.add(name)
        body = json.loads(http_response.content or b"{}")
        self.problems += [f"{name}: {p}" for p in conformance.check_output(name, body, wire=True)]


def all_operations() -> set[str]:
    return set(conformance.service_model().operation_names)
