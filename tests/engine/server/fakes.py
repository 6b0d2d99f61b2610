"""A tiny stand-in backend for protocol tests that must not depend on the real engine's rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException

T0 = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


class FakeBackend:
    """Environment templates only, plus a list of environments; enough to exercise the wire layer."""

    def __init__(self, account_id: str, region: str, **_: Any) -> None:
        self.account_id, self.region = account_id, region
        self.templates: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:proton:{self.region}:{self.account_id}:{kind}/{name}"

    def create_environment_template(self, name: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("create_environment_template", {"name": name, **kwargs}))
        if name in self.templates:
            raise ConflictException(f"environment template {name} already exists")
        self.templates[name] = {
            "name": name,
            "arn": self._arn("environment-template", name),
            "createdAt": T0,
            "lastModifiedAt": T0,
            "internalOnly": "must never reach the wire",
            "description": kwargs.get("description"),
        }
        return {"environmentTemplate": self.templates[name]}

    def get_environment_template(self, name: str) -> dict[str, Any]:
        if name not in self.templates:
            raise ResourceNotFoundException(f"environment template {name} not found")
        return {"environmentTemplate": self.templates[name]}

    def list_environment_templates(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("list_environment_templates", kwargs))
        return {"templates": [dict(t) for _, t in sorted(self.templates.items())]}

    def list_environments(self, environmentTemplates: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # noqa: N803
        envs = [
            {
                "name": f"env{i:02d}",
                "arn": self._arn("environment", f"env{i:02d}"),
                "createdAt": T0,
                "deploymentStatus": "SUCCEEDED",
                "lastDeploymentAttemptedAt": T0,
                "lastDeploymentSucceededAt": T0,
                "templateName": "tmpl",
                "templateMajorVersion": "1",
                "templateMinorVersion": "0",
            }
            for i in range(7)
        ]
        return {"environments": envs}

    def list_environment_outputs(self, environmentName: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        return {"outputs": [{"key": f"k{i}", "valueString": str(i)} for i in range(5)]}

    def get_resources_summary(self) -> dict[str, Any]:
        raise RuntimeError("a bug in the backend")
