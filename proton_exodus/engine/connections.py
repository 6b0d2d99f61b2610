"""Environment account connections (PROTON.md §4.7): PENDING -> CONNECTED | REJECTED.

Deviation: one engine is one account. The connection's environment account is the account of its role
ARNs (the roles live in the environment account); the engine stores both sides, so the management view
(`requestedBy=MANAGEMENT_ACCOUNT`) and the environment view (`ENVIRONMENT_ACCOUNT`) come from one store.
"""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.core import operation, project
from proton_exodus.engine.environments import EnvironmentsMixin, role_account
from proton_exodus.engine.errors import ConflictException, ValidationException


class ConnectionsMixin(EnvironmentsMixin):
    """Create/accept/reject/update/delete/list environment account connections."""

    @operation("CreateEnvironmentAccountConnection")
    def create_environment_account_connection(self, **p: Any) -> dict[str, Any]:
        ref = self.client_token("CreateEnvironmentAccountConnection", p.get("clientToken"), p)
        if ref is not None:
            return {"environmentAccountConnection": self.store.get("connection", ref["id"])}
        roles = [p.get(m) for m in ("roleArn", "componentRoleArn", "codebuildRoleArn") if p.get(m)]
        accounts = {role_account(r) for r in roles}
        if len(accounts) > 1:
            raise ValidationException("roleArn, componentRoleArn and codebuildRoleArn must be in one account")
        env_account = accounts.pop() if accounts else self.account_id
        if env_account == p["managementAccountId"]:
            raise ValidationException("An environment account connection joins two different accounts")
        mine = [c for c in self.store.values("connection") if c["environmentAccountId"] == env_account]
        self.check_quota("connections_per_environment_account", len(mine))
        for c in mine:
            if (
                c["environmentName"] == p["environmentName"]
                and c["managementAccountId"] == p["managementAccountId"]
                and c["status"] != "REJECTED"
            ):
                raise ConflictException(
                    f"Account {env_account} already has connection {c['id']} for environment "
                    f"{p['environmentName']}"
                )
        now, conn_id = self.now(), self.new_uuid()
        conn = {
            "id": conn_id,
            "arn": f"arn:{self.partition}:proton:{self.region}:{env_account}:"
            f"environment-account-connection/{conn_id}",
            "environmentAccountId": env_account,
            "managementAccountId": p["managementAccountId"],
            "environmentName": p["environmentName"],
            "status": "PENDING",
            "requestedAt": now,
            "lastModifiedAt": now,
            "roleArn": p.get("roleArn") or "",
        }
        for member in ("componentRoleArn", "codebuildRoleArn"):
            if p.get(member):
                conn[member] = p[member]
        self.store.put("connection", conn_id, conn)
        self.set_tags(
            conn["arn"], p.get("tags") or []
        )  # connections get no AWS-managed tags (PROTON.md §3.2)
        self.remember_token("CreateEnvironmentAccountConnection", p.get("clientToken"), p, {"id": conn_id})
        return {"environmentAccountConnection": conn}

    def _conn(self, conn_id: str) -> dict[str, Any]:
        return self.must_get("connection", conn_id, f"Environment account connection {conn_id}")

    def _users(self, conn_id: str) -> list[str]:
        return [
            e["name"]
            for e in self.store.values("environment")
            if e.get("environmentAccountConnectionId") == conn_id
        ]

    @operation("GetEnvironmentAccountConnection")
    def get_environment_account_connection(self, *, id: str) -> dict[str, Any]:
        return {"environmentAccountConnection": self._conn(id)}

    @operation("AcceptEnvironmentAccountConnection")
    def accept_environment_account_connection(self, *, id: str) -> dict[str, Any]:
        conn = self._conn(id)
        if conn["status"] == "REJECTED":
            raise ConflictException(
                f"Environment account connection {id} was rejected and cannot be accepted"
            )
        return {"environmentAccountConnection": self._set_status(conn, "CONNECTED")}

    @operation("RejectEnvironmentAccountConnection")
    def reject_environment_account_connection(self, *, id: str) -> dict[str, Any]:
        conn = self._conn(id)
        users = self._users(id)
        if users:
            raise ConflictException(
                f"Environment account connection {id} is used by environment(s) "
                f"{', '.join(users)} and cannot be rejected"
            )
        return {"environmentAccountConnection": self._set_status(conn, "REJECTED")}

    def _set_status(self, conn: dict[str, Any], status: str) -> dict[str, Any]:
        conn.update(status=status, lastModifiedAt=self.now())
        self.store.put("connection", conn["id"], conn)
        return conn

    @operation("UpdateEnvironmentAccountConnection")
    def update_environment_account_connection(self, **p: Any) -> dict[str, Any]:
        conn = self._conn(p["id"])
        if conn["status"] == "REJECTED":
            raise ConflictException(f"Environment account connection {p['id']} was rejected")
        for member in ("roleArn", "componentRoleArn", "codebuildRoleArn"):
            if p.get(member) is not None:
                if role_account(p[member]) not in (None, conn["environmentAccountId"]):
                    raise ValidationException(
                        f"{member} must be a role in account {conn['environmentAccountId']}"
                    )
                conn[member] = p[member]
        conn["lastModifiedAt"] = self.now()
        self.store.put("connection", conn["id"], conn)
        return {"environmentAccountConnection": conn}

    @operation("DeleteEnvironmentAccountConnection")
    def delete_environment_account_connection(self, *, id: str) -> dict[str, Any]:
        conn = self.store.get("connection", id)
        if conn is None:
            return self._deleted_before(
                f"environment-account-connection/{id}", f"Environment account connection {id}"
            )
        users = self._users(id)
        if users:
            raise ConflictException(
                f"Environment account connection {id} is used by environment(s) {', '.join(users)}"
            )
        self.store.delete("connection", id)
        self.forget(conn["arn"])
        self.store.put("tomb", f"environment-account-connection/{id}", {})
        return {"environmentAccountConnection": conn}

    @operation("ListEnvironmentAccountConnections")
    def list_environment_account_connections(
        self,
        *,
        requestedBy: str,
        environmentName: str | None = None,
        statuses: list[str] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        side = "managementAccountId" if requestedBy == "MANAGEMENT_ACCOUNT" else "environmentAccountId"
        conns = [
            c
            for c in self.store.values("connection")
            if (side != "managementAccountId" or c[side] == self.account_id)
            and (environmentName is None or c["environmentName"] == environmentName)
            and (not statuses or c["status"] in statuses)
        ]
        return {
            "environmentAccountConnections": [
                project(c, "EnvironmentAccountConnectionSummary") for c in conns
            ]
        }
