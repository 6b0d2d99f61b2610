"""AWS CodeConnections (API 2023-12-01), which moto (5.x) lacks, so the runbooks' `aws codeconnections`
commands and the bootstrap template's `AWS::CodeStarConnections::RepositoryLink` run on the local cloud;
and CloudFormation drift detection, which the runbooks' exit checks call.

With the semantics of the CodeConnections API Reference
(https://docs.aws.amazon.com/codeconnections/latest/APIReference/) and the Git sync user guide
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/git-sync.html):

- connections: CreateConnection makes a PENDING connection (the provider handshake is a person's, in the
  console; `complete_handshake` stands for it), GetConnection, ListConnections, DeleteConnection;
- repository links (one per connection, owner and repository: ResourceAlreadyExistsException), created
  on an AVAILABLE connection of the caller's account (ResourceUnavailableException otherwise);
  DeleteRepositoryLink refuses while a sync configuration uses the link
  (SyncConfigurationStillExistsException);
- sync configurations, one per resource name and sync type (ResourceAlreadyExistsException): the link
  must be the caller's (ResourceNotFoundException), the role an IAM role of the caller's account whose
  trust policy admits `cloudformation.sync.codeconnections.amazonaws.com` (InvalidInputException);
- GetResourceSyncStatus: the latest sync of the stack, read from the linked repository when the local
  cloud knows it (`serve_repository`): FAILED when the tracked branch has no deployment file at the
  configured path, or the file names a template the commit lacks; otherwise the stack's state
  (SUCCEEDED when `*_COMPLETE` without a rollback, IN_PROGRESS, FAILED);
- CloudFormation types AWS::CodeStarConnections::RepositoryLink and SyncConfiguration on the same state;
- DetectStackDrift / DescribeStackDriftDetectionStatus: the local cloud changes resources only through
  its stacks, so a stack in a stable `*_COMPLETE` state is IN_SYNC [simplified: no per-property
  comparison]; a stack in progress or failed is refused as CloudFormation does (ValidationError).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

from moto.core.base_backend import BaseBackend
from moto.core.common_models import CloudFormationModel

__all__ = ["ADDED", "TARGET_PREFIX", "handle", "is_request", "patch_moto_codeconnections", "serve_repository"]

TARGET_PREFIX = "CodeConnections_20231201"  # JSON: com.amazonaws.codeconnections.<this>.<Operation>
SYNC_PRINCIPAL = "cloudformation.sync.codeconnections.amazonaws.com"
TIME = 1767225600.0  # 2026-01-01T00:00:00Z: the emulation's clock (reproducible runs)

# What this module adds, for docs/engine-coverage.md.
ADDED = (
    "CodeConnections CreateConnection (PENDING until the console handshake), GetConnection, "
    "ListConnections, DeleteConnection.",
    "CreateRepositoryLink (AVAILABLE connection of the caller; one per connection/owner/repository), "
    "GetRepositoryLink, ListRepositoryLinks, DeleteRepositoryLink (refused while a sync configuration uses "
    "it).",
    "CreateSyncConfiguration (the caller's link; a role of the caller's account trusted by the Git sync "
    "principal; one per resource and sync type), GetSyncConfiguration, ListSyncConfigurations, "
    "UpdateSyncConfiguration, DeleteSyncConfiguration, GetResourceSyncStatus (deployment file and template "
    "read from the linked repository's branch when served locally).",
    "CloudFormation types AWS::CodeStarConnections::RepositoryLink and SyncConfiguration. Deleting a "
    "RepositoryLink through its stack while sync configurations use it succeeds here [gap: CloudFormation "
    "would end the stack DELETE_FAILED].",
    "CloudFormation DetectStackDrift / DescribeStackDriftDetectionStatus: IN_SYNC for a stable stack "
    "[simplified: no per-property comparison].",
)

_REPOSITORIES: dict[tuple[str, str], Path] = {}  # (owner, name) -> a local Git repository
_LOCK = threading.RLock()
_PATCHED = False
_COMPLETE = re.compile(r"^(CREATE|UPDATE|IMPORT)_COMPLETE$")


class CodeConnectionsError(Exception):
    """An API error: its code (the `__type`) and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _id(*parts: str) -> str:
    h = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class CodeConnectionsBackend(BaseBackend):  # type: ignore[misc]
    """One account and Region's connections, links and sync configurations."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.connections: dict[str, dict[str, Any]] = {}
        self.links: dict[str, dict[str, Any]] = {}
        self.syncs: dict[tuple[str, str], dict[str, Any]] = {}

    def arn(self, kind: str, rid: str) -> str:
        return f"arn:aws:codeconnections:{self.region_name}:{self.account_id}:{kind}/{rid}"

    # ---- connections
    def create_connection(self, p: dict[str, Any]) -> dict[str, Any]:
        name = _required(p, "ConnectionName")
        if any(c["ConnectionName"] == name for c in self.connections.values()):
            raise CodeConnectionsError("ResourceAlreadyExistsException", f"Connection {name} already exists")
        arn = self.arn("connection", _id(self.account_id, self.region_name, name))
        self.connections[arn] = {
            "ConnectionName": name,
            "ConnectionArn": arn,
            "ProviderType": p.get("ProviderType") or "GitHub",
            "OwnerAccountId": self.account_id,
            "ConnectionStatus": "PENDING",
        }
        return {"ConnectionArn": arn, "Tags": p.get("Tags") or []}

    def complete_handshake(self, arn: str) -> None:
        """What a person does in the console: the provider app installed, the connection AVAILABLE."""
        self._connection(arn)["ConnectionStatus"] = "AVAILABLE"

    def _connection(self, arn: str) -> dict[str, Any]:
        if arn not in self.connections:
            raise CodeConnectionsError("ResourceNotFoundException", f"Connection {arn} not found")
        return self.connections[arn]

    def get_connection(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Connection": dict(self._connection(_required(p, "ConnectionArn")))}

    def list_connections(self, p: dict[str, Any]) -> dict[str, Any]:
        kind = p.get("ProviderTypeFilter")
        found = [c for c in self.connections.values() if not kind or c["ProviderType"] == kind]
        return {"Connections": sorted(found, key=lambda c: c["ConnectionName"])}

    def delete_connection(self, p: dict[str, Any]) -> dict[str, Any]:
        self._connection(_required(p, "ConnectionArn"))
        del self.connections[p["ConnectionArn"]]
        return {}

    # ---- repository links
    def create_repository_link(self, p: dict[str, Any]) -> dict[str, Any]:
        arn, owner, repo = (_required(p, k) for k in ("ConnectionArn", "OwnerId", "RepositoryName"))
        conn = self._connection(arn)
        if conn["ConnectionStatus"] != "AVAILABLE":
            raise CodeConnectionsError(
                "ResourceUnavailableException",
                f"Connection {arn} is {conn['ConnectionStatus']}, not AVAILABLE",
            )
        for link in self.links.values():
            if (link["ConnectionArn"], link["OwnerId"], link["RepositoryName"]) == (arn, owner, repo):
                raise CodeConnectionsError(
                    "ResourceAlreadyExistsException", f"Repository link for {owner}/{repo} already exists"
                )
        rid = _id(arn, owner, repo)
        self.links[rid] = {
            "ConnectionArn": arn,
            "OwnerId": owner,
            "ProviderType": conn["ProviderType"],
            "RepositoryLinkArn": self.arn("repository-link", rid),
            "RepositoryLinkId": rid,
            "RepositoryName": repo,
        }
        return {"RepositoryLinkInfo": dict(self.links[rid])}

    def _link(self, rid: str) -> dict[str, Any]:
        if rid not in self.links:
            raise CodeConnectionsError("ResourceNotFoundException", f"Repository link {rid} not found")
        return self.links[rid]

    def get_repository_link(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"RepositoryLinkInfo": dict(self._link(_required(p, "RepositoryLinkId")))}

    def list_repository_links(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"RepositoryLinks": [dict(self.links[k]) for k in sorted(self.links)]}

    def delete_repository_link(self, p: dict[str, Any]) -> dict[str, Any]:
        rid = _required(p, "RepositoryLinkId")
        self._link(rid)
        if any(s["RepositoryLinkId"] == rid for s in self.syncs.values()):
            raise CodeConnectionsError(
                "SyncConfigurationStillExistsException",
                f"Sync configurations still use repository link {rid}",
            )
        del self.links[rid]
        return {}

    # ---- sync configurations
    def create_sync_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        keys = ("Branch", "ConfigFile", "RepositoryLinkId", "ResourceName", "RoleArn", "SyncType")
        branch, config, rid, name, role, kind = (_required(p, k) for k in keys)
        if kind != "CFN_STACK_SYNC":
            raise CodeConnectionsError("InvalidInputException", f"SyncType {kind}: only CFN_STACK_SYNC")
        if (name, kind) in self.syncs:
            raise CodeConnectionsError(
                "ResourceAlreadyExistsException", f"A sync configuration for {name} ({kind}) already exists"
            )
        link = self._link(rid)
        self._check_role(role)
        self.syncs[(name, kind)] = {
            "Branch": branch,
            "ConfigFile": config,
            "OwnerId": link["OwnerId"],
            "ProviderType": link["ProviderType"],
            "RepositoryLinkId": rid,
            "RepositoryName": link["RepositoryName"],
            "ResourceName": name,
            "RoleArn": role,
            "SyncType": kind,
            "PublishDeploymentStatus": p.get("PublishDeploymentStatus") or "ENABLED",
            "TriggerResourceUpdateOn": p.get("TriggerResourceUpdateOn") or "ANY_CHANGE",
        }
        return {"SyncConfiguration": dict(self.syncs[(name, kind)])}

    def _check_role(self, role: str) -> None:
        from moto.iam.models import iam_backends

        match = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)", role)
        if not match or match.group(1) != self.account_id:
            raise CodeConnectionsError(
                "InvalidInputException", f"RoleArn {role} is not a role of account {self.account_id}"
            )
        iam = iam_backends[self.account_id][self.partition]
        found = next((r for r in iam.roles.values() if r.name == match.group(2)), None)
        if found is None:
            raise CodeConnectionsError("InvalidInputException", f"Role {role} does not exist")
        if SYNC_PRINCIPAL not in json.dumps(found.assume_role_policy_document):
            raise CodeConnectionsError(
                "InvalidInputException", f"Role {role} does not trust {SYNC_PRINCIPAL}"
            )

    def _sync(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (_required(p, "ResourceName"), _required(p, "SyncType"))
        if key not in self.syncs:
            raise CodeConnectionsError(
                "ResourceNotFoundException", f"No sync configuration for {key[0]} ({key[1]})"
            )
        return self.syncs[key]

    def get_sync_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"SyncConfiguration": dict(self._sync(p))}

    def list_sync_configurations(self, p: dict[str, Any]) -> dict[str, Any]:
        rid, kind = _required(p, "RepositoryLinkId"), _required(p, "SyncType")
        self._link(rid)
        found = [self.syncs[k] for k in sorted(self.syncs) if k[1] == kind]
        return {"SyncConfigurations": [dict(s) for s in found if s["RepositoryLinkId"] == rid]}

    def update_sync_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        sync = self._sync(p)
        if p.get("RepositoryLinkId"):
            self._link(p["RepositoryLinkId"])
        if p.get("RoleArn"):
            self._check_role(p["RoleArn"])
        for k in ("Branch", "ConfigFile", "RepositoryLinkId", "RoleArn", "PublishDeploymentStatus"):
            if p.get(k):
                sync[k] = p[k]
        if p.get("TriggerResourceUpdateOn"):
            sync["TriggerResourceUpdateOn"] = p["TriggerResourceUpdateOn"]
        return {"SyncConfiguration": dict(sync)}

    def delete_sync_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        sync = self._sync(p)
        del self.syncs[(sync["ResourceName"], sync["SyncType"])]
        return {}

    def get_resource_sync_status(self, p: dict[str, Any]) -> dict[str, Any]:
        sync = self._sync(p)
        status, events, revision = self._latest(sync)
        attempt = {
            "Events": [{"Event": e, "Time": Timestamp(TIME), "Type": "SYNC"} for e in events],
            "InitialRevision": revision,
            "StartedAt": Timestamp(TIME),
            "Status": status,
            "Target": sync["ResourceName"],
            "TargetRevision": revision,
        }
        out: dict[str, Any] = {"DesiredState": revision, "LatestSync": attempt}
        if status == "SUCCEEDED":
            out["LatestSuccessfulSync"] = attempt
        return out

    def _latest(self, sync: dict[str, Any]) -> tuple[str, list[str], dict[str, Any]]:
        """(status, events, revision) of the latest sync: the repository's deployment file, then the stack."""
        revision = {
            "Branch": sync["Branch"],
            "Directory": "",
            "OwnerId": sync["OwnerId"],
            "ProviderType": sync["ProviderType"],
            "RepositoryName": sync["RepositoryName"],
            "Sha": "",
        }
        repo = _REPOSITORIES.get((sync["OwnerId"], sync["RepositoryName"]))
        if repo is not None:
            sha = _git(repo, "rev-parse", "--verify", "--quiet", f"{sync['Branch']}^{{commit}}")
            if sha is None:
                return "FAILED", [f"Branch {sync['Branch']} not found"], revision
            revision["Sha"] = sha
            text = _git(repo, "show", f"{sha}:{sync['ConfigFile']}")
            if text is None:
                return "FAILED", [f"Deployment file {sync['ConfigFile']} not found in {sha[:12]}"], revision
            template = _template_path(text)
            if template is None or _git(repo, "cat-file", "-e", f"{sha}:{template}") is None:
                return "FAILED", [f"{sync['ConfigFile']}: template-file-path {template} not found"], revision
        stack = _stack(self.account_id, self.region_name, sync["ResourceName"])
        if stack is None:
            return "INITIATED", ["Stack does not exist yet: Git sync creates it"], revision
        state = str(stack.status)
        if _COMPLETE.match(state):
            return "SUCCEEDED", [f"Stack {state}"], revision
        if state.endswith("_IN_PROGRESS"):
            return "IN_PROGRESS", [f"Stack {state}"], revision
        return "FAILED", [f"Stack {state}"], revision


def _template_path(text: str) -> str | None:
    """The deployment file's `template-file-path` (a YAML mapping of plain scalars)."""
    from proton_exodus.cfn.text import load_yaml

    try:
        doc = load_yaml(text)
    except Exception:  # noqa: BLE001 - a malformed deployment file fails the sync, as Git sync's would
        return None
    value = doc.get("template-file-path") if isinstance(doc, dict) else None
    return str(value) if value else None


def _git(repo: Path, *args: str) -> str | None:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _stack(account: str, region: str, name: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    stacks = cloudformation_backends[account][region].stacks.values()
    live = [s for s in stacks if s.name == name and s.status != "DELETE_COMPLETE"]
    return live[-1] if live else None


def _required(p: dict[str, Any], key: str) -> str:
    value = p.get(key)
    if not isinstance(value, str) or not value:
        raise CodeConnectionsError("InvalidInputException", f"{key} is required")
    return value


def backend(account: str, region: str) -> CodeConnectionsBackend:
    """The account and Region's state, kept on moto's CloudFormation backend of the same account and
    Region, so that resetting moto (a fresh local cloud) forgets it too."""
    from moto.cloudformation.models import cloudformation_backends

    home = cloudformation_backends[account][region].__dict__
    with _LOCK:
        if "_exodus_codeconnections" not in home:
            home["_exodus_codeconnections"] = CodeConnectionsBackend(region, account)
        return home["_exodus_codeconnections"]  # type: ignore[no-any-return]


def serve_repository(owner: str, name: str, git_dir: Path) -> None:
    """Make `owner/name` (what a repository link names) readable by Git sync: a local Git repository."""
    with _LOCK:
        _REPOSITORIES[(owner, name)] = Path(git_dir)


_OPERATIONS = {
    "CreateConnection": "create_connection",
    "GetConnection": "get_connection",
    "ListConnections": "list_connections",
    "DeleteConnection": "delete_connection",
    "CreateRepositoryLink": "create_repository_link",
    "GetRepositoryLink": "get_repository_link",
    "ListRepositoryLinks": "list_repository_links",
    "DeleteRepositoryLink": "delete_repository_link",
    "CreateSyncConfiguration": "create_sync_configuration",
    "GetSyncConfiguration": "get_sync_configuration",
    "ListSyncConfigurations": "list_sync_configurations",
    "UpdateSyncConfiguration": "update_sync_configuration",
    "DeleteSyncConfiguration": "delete_sync_configuration",
    "GetResourceSyncStatus": "get_resource_sync_status",
}


RPC_PATH = f"/service/{TARGET_PREFIX}/operation/"


def is_request(environ: dict[str, Any]) -> bool:
    """A CodeConnections request: Smithy RPC v2 CBOR (what botocore sends) or JSON 1.0 (X-Amz-Target)."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    return str(environ.get("PATH_INFO", "")).startswith(RPC_PATH) or f"{TARGET_PREFIX}." in target


def handle(
    environ: dict[str, Any], body: bytes, account: str, region: str
) -> tuple[int, bytes, dict[str, str]]:
    """One request: (status, body, headers), in the protocol it came in."""
    path = str(environ.get("PATH_INFO", ""))
    cbor = path.startswith(RPC_PATH)
    operation = path[len(RPC_PATH) :] if cbor else str(environ.get("HTTP_X_AMZ_TARGET", "")).split(".")[-1]
    headers = (
        {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        if cbor
        else {"Content-Type": "application/x-amz-json-1.0"}
    )
    encode = cbor_dumps if cbor else (lambda d: json.dumps(d, default=float).encode())
    method = _OPERATIONS.get(operation)
    try:
        if method is None:
            raise CodeConnectionsError("UnsupportedOperationException", f"{operation} is not emulated")
        try:
            params = (cbor_loads(body) if cbor else json.loads(body)) if body else {}
        except (ValueError, IndexError) as err:
            raise CodeConnectionsError("SerializationException", f"bad request body: {err}") from err
        with _LOCK:
            result = getattr(backend(account, region), method)(params)
        return 200, encode(result), headers
    except CodeConnectionsError as err:
        return 400, encode({"__type": err.code, "message": err.message}), headers


class Timestamp(float):
    """A time: CBOR tag 1 (epoch seconds), as Smithy RPC v2 CBOR sends timestamps."""


def cbor_dumps(value: Any) -> bytes:
    """CBOR (RFC 8949) of JSON-like data, definite lengths."""
    import struct

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | info]) + struct.pack(fmt, n)
        raise ValueError("integer too large")

    def enc(v: Any) -> bytes:
        if v is None:
            return b"\xf6"
        if v is True or v is False:
            return b"\xf5" if v else b"\xf4"
        if isinstance(v, Timestamp):
            return b"\xc1" + b"\xfb" + struct.pack(">d", float(v))
        if isinstance(v, int):
            return head(0, v) if v >= 0 else head(1, -1 - v)
        if isinstance(v, float):
            return b"\xfb" + struct.pack(">d", v)
        if isinstance(v, str):
            raw = v.encode()
            return head(3, len(raw)) + raw
        if isinstance(v, bytes):
            return head(2, len(v)) + v
        if isinstance(v, (list, tuple)):
            return head(4, len(v)) + b"".join(enc(x) for x in v)
        if isinstance(v, dict):
            return head(5, len(v)) + b"".join(enc(str(k)) + enc(x) for k, x in v.items())
        raise ValueError(f"cannot encode {type(v).__name__}")

    return enc(value)


def cbor_loads(data: bytes) -> Any:
    """JSON-like data from CBOR (definite and indefinite lengths; tags dropped)."""
    import struct

    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(data):
            raise ValueError("truncated CBOR")
        pos += n
        return data[pos - n : pos]

    def arg(info: int) -> int | None:
        if info < 24:
            return info
        if info == 31:
            return None
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None:
            raise ValueError(f"bad CBOR argument {info}")
        return int.from_bytes(take(size), "big")

    def item() -> Any:
        first = take(1)[0]
        major, info = first >> 5, first & 31
        if major == 7:
            simple = {20: False, 21: True, 22: None, 23: None}
            if info in simple:
                return simple[info]
            fmt = {25: ">e", 26: ">f", 27: ">d"}.get(info)
            if fmt is None:
                raise ValueError(f"bad CBOR simple value {info}")
            return struct.unpack(fmt, take(struct.calcsize(fmt)))[0]
        n = arg(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - (n or 0)
        if major in (2, 3):
            if n is None:
                chunks = []
                while data[pos] != 0xFF:
                    chunks.append(item())
                take(1)
                joined = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
                return joined if major == 2 else joined.decode()
            raw = take(n)
            return raw if major == 2 else raw.decode()
        if major == 4:
            out = []
            while (n is None and data[pos] != 0xFF) or (n is not None and len(out) < n):
                out.append(item())
            if n is None:
                take(1)
            return out
        if major == 5:
            obj: dict[Any, Any] = {}
            while (n is None and data[pos] != 0xFF) or (n is not None and len(obj) < n):
                key = item()
                obj[key] = item()
            if n is None:
                take(1)
            return obj
        return item()  # major 6: a tag; its content

    value = item()
    if pos != len(data):
        raise ValueError("trailing bytes after CBOR item")
    return value


# --------------------------------------------------------------------------- CloudFormation resource types


class _Resource(CloudFormationModel):  # type: ignore[misc]
    TYPE = ""

    def __init__(self, physical_id: str, attributes: dict[str, Any]) -> None:
        self.physical_id, self.attributes = physical_id, attributes

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        return original_resource


def _props(cloudformation_json: Any) -> dict[str, Any]:
    return {k: v for k, v in (cloudformation_json.get("Properties") or {}).items() if v not in (None, "")}


class RepositoryLinkResource(_Resource):
    TYPE = "AWS::CodeStarConnections::RepositoryLink"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        with _LOCK:
            info = backend(account_id, region_name).create_repository_link(_props(cloudformation_json))
        link = info["RepositoryLinkInfo"]
        return cls(link["RepositoryLinkArn"], {**link})

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        rid = resource_name.rsplit("/", 1)[-1]
        with _LOCK:
            backend(account_id, region_name).links.pop(rid, None)


class SyncConfigurationResource(_Resource):
    TYPE = "AWS::CodeStarConnections::SyncConfiguration"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        with _LOCK:
            sync = backend(account_id, region_name).create_sync_configuration(_props(cloudformation_json))
        config = sync["SyncConfiguration"]
        return cls(f"{config['ResourceName']}|{config['SyncType']}", {**config})

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        name, _, kind = resource_name.partition("|")
        with _LOCK:
            backend(account_id, region_name).syncs.pop((name, kind or "CFN_STACK_SYNC"), None)


RESOURCES = {c.TYPE: c for c in (RepositoryLinkResource, SyncConfigurationResource)}


def _patch_cloudformation() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.responses import CloudFormationResponse

    original = parsing.resource_class_from_type

    from proton_exodus.engine.moto_codepipeline import RESOURCES as PIPELINES

    def resource_class_from_type(resource_type: str) -> Any:
        return RESOURCES.get(resource_type) or PIPELINES.get(resource_type) or original(resource_type)

    parsing.resource_class_from_type = resource_class_from_type

    def detect_stack_drift(self: Any) -> str:
        stack = _stable_stack(self, self._get_param("StackName"))
        detection = _id("drift", stack.stack_id)
        self.cloudformation_backend.__dict__.setdefault("_exodus_drift", {})[detection] = stack.stack_id
        return _xml("DetectStackDrift", f"<StackDriftDetectionId>{detection}</StackDriftDetectionId>")

    def describe_stack_drift_detection_status(self: Any) -> str:
        from moto.cloudformation.exceptions import ValidationError

        detection = self._get_param("StackDriftDetectionId")
        stack_id = self.cloudformation_backend.__dict__.get("_exodus_drift", {}).get(detection)
        if stack_id is None:
            raise ValidationError(detection, message=f"Drift detection {detection} not found")
        body = (
            f"<StackId>{stack_id}</StackId><StackDriftDetectionId>{detection}</StackDriftDetectionId>"
            "<StackDriftStatus>IN_SYNC</StackDriftStatus><DetectionStatus>DETECTION_COMPLETE</DetectionStatus>"
            "<DriftedStackResourceCount>0</DriftedStackResourceCount>"
            "<Timestamp>2026-01-01T00:00:00Z</Timestamp>"
        )
        return _xml("DescribeStackDriftDetectionStatus", body)

    CloudFormationResponse.detect_stack_drift = detect_stack_drift
    CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status


def _stable_stack(response: Any, name: str) -> Any:
    from moto.cloudformation.exceptions import ValidationError

    stack = response.cloudformation_backend.get_stack(name)  # ValidationError when missing
    if stack.status.endswith("_IN_PROGRESS") or stack.status in ("ROLLBACK_COMPLETE", "DELETE_COMPLETE"):
        raise ValidationError(name, message=f"Stack {name} is in {stack.status}: drift cannot be detected")
    return stack


def _xml(action: str, body: str) -> str:
    ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
    return (
        f'<{action}Response xmlns="{ns}"><{action}Result>{body}</{action}Result>'
        f"<ResponseMetadata><RequestId>exodus-local</RequestId></ResponseMetadata></{action}Response>"
    )


def patch_moto_codeconnections() -> None:
    """Add the CloudFormation types and drift operations above to moto (idempotent); the CodeConnections
    API itself is answered by the server through `handle`."""
    global _PATCHED
    if _PATCHED:
        return
    _patch_cloudformation()
    _PATCHED = True
