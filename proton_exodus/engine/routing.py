"""The engine's state routing: one ProtonBackend per account and Region, created on first use, and
which of them answers a request (environment account connections live with the management account).

State is keyed `[account_id][region]` as moto's `BackendDict` keys its backends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from proton_exodus.engine.cloud import DEFAULT_ACCOUNT_ID, DEFAULT_REGION

BackendKey = tuple[str, str]  # (account_id, region)

_CONNECTION_BY_ID = {
    f"{verb}EnvironmentAccountConnection" for verb in ("Get", "Update", "Delete", "Accept", "Reject")
}


class BackendRouter:
    """The backends of one local cloud. `create(account_id, region)` builds a missing backend and
    `on_created(keys)` hears the sorted keys after each creation (the server saves its state index)."""

    def __init__(
        self, create: Callable[[str, str], Any], on_created: Callable[[list[BackendKey]], None] | None = None
    ) -> None:
        self._create = create
        self._on_created = on_created
        self._backends: dict[BackendKey, Any] = {}
        self._lock = threading.RLock()

    def backend(self, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> Any:
        """The ProtonBackend of one account and Region, created on first use."""
        with self._lock:
            backend = self._backends.get((account_id, region))
            if backend is None:
                backend = self._create(account_id, region)
                self._backends[(account_id, region)] = backend
                if self._on_created is not None:
                    self._on_created(sorted(self._backends))
            return backend

    def backends(self) -> list[tuple[BackendKey, Any]]:
        """Every ((account_id, region), backend) created so far, in creation order."""
        with self._lock:
            return list(self._backends.items())

    def close_all(self) -> list[BackendKey]:
        """Close and forget every backend; returns their sorted keys (for the state index)."""
        with self._lock:
            keys = sorted(self._backends)
            for backend in self._backends.values():
                backend.close()
            self._backends.clear()
        return keys

    def route(self, operation: str, params: dict[str, Any], account_id: str, region: str) -> Any:
        """The backend that owns a request's resource: the caller's, except for environment account
        connections, which live with the management account and are shared with the environment account."""
        if operation == "CreateEnvironmentAccountConnection":
            return self.backend(str(params.get("managementAccountId") or account_id), region)
        if (
            operation == "ListEnvironmentAccountConnections"
            and params.get("requestedBy") == "ENVIRONMENT_ACCOUNT"
        ):
            return EnvironmentAccountView([b for (_, r), b in self.backends() if r == region], account_id)
        if operation in _CONNECTION_BY_ID and isinstance(params.get("id"), str):
            return self._connection_owner(params["id"], account_id, region)
        return self.backend(account_id, region)

    def _connection_owner(self, conn_id: str, account_id: str, region: str) -> Any:
        from proton_exodus.engine.errors import ProtonApiError

        mine = self.backend(account_id, region)
        for (_, r), backend in [((account_id, region), mine), *self.backends()]:
            if r != region:
                continue
            try:
                conn = backend.get_environment_account_connection(id=conn_id)["environmentAccountConnection"]
            except ProtonApiError:
                continue
            if account_id in (conn["managementAccountId"], conn["environmentAccountId"]):
                return backend
        return mine  # answers ResourceNotFoundException (or the empty delete retry) itself


class EnvironmentAccountView:
    """ListEnvironmentAccountConnections(requestedBy=ENVIRONMENT_ACCOUNT) for one account: the connections
    every management account holds whose environment account is the caller."""

    def __init__(self, backends: list[Any], account_id: str) -> None:
        self.backends, self.account_id = backends, account_id

    def list_environment_account_connections(self, **params: Any) -> dict[str, Any]:
        """The caller's connections across management accounts, oldest first (ties by id)."""
        found = [
            c
            for b in self.backends
            for c in b.list_environment_account_connections(**params)["environmentAccountConnections"]
            if c["environmentAccountId"] == self.account_id
        ]
        found.sort(key=lambda c: (c["requestedAt"], c["id"]))
        return {"environmentAccountConnections": found}
