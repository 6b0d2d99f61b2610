"""One endpoint for a whole local cloud: Proton requests go to exodus, everything else to moto's server.

With `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` every boto3 client (proton, s3, cloudformation, sts,
iam, codepipeline...) works against one process. moto routes by the SigV4 credential scope, as its
own server does [moto moto/moto_server/werkzeug_app.py `DomainDispatcherApplication`]; accounts come
from the access key the same way moto resolves them, so STS assume-role gives cross-account calls.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proton_exodus.engine.protocol import TARGET_PREFIX

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account, so both halves of the cloud agree
DEFAULT_REGION = "us-east-1"
INTERNAL_KEY = "exodus-local"  # credentials of the engine's own clients (moto does not check them)
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")

LOG = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def credential_scope(environ: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(access key, Region, service) from a SigV4 `Authorization` header; unsigned gives a default key."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return "AKIAEXAMPLE", None, None
    return match.group(1), match.group(2), match.group(3)


def is_proton_request(environ: dict[str, Any]) -> bool:
    """A request for the Proton API: its target prefix, or a SigV4 scope for service `proton`."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.startswith(TARGET_PREFIX + ".") or credential_scope(environ)[2] == "proton"


def account_and_region(environ: dict[str, Any]) -> tuple[str, str]:
    """The caller's account and Region, resolved in moto's order: env, `x-moto-account-id`, access key."""
    access_key, region, _ = credential_scope(environ)
    account = os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if not account:
        from moto.iam.models import get_account_id_from

        account = get_account_id_from(access_key)
    return account, region or DEFAULT_REGION


def pin_default_account(environ: dict[str, Any], account_id: str) -> None:
    """Send callers whose credentials moto does not know (plain test keys) to `account_id`, in both
    halves of the cloud, by setting moto's own `x-moto-account-id` header; explicit headers,
    MOTO_ACCOUNT_ID and assumed-role keys keep their account."""
    if os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return
    from moto.iam.models import get_account_id_from

    if get_account_id_from(credential_scope(environ)[0]) == DEFAULT_ACCOUNT_ID:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account_id


def moto_app() -> WsgiApp:
    """moto's whole server as one WSGI app (every service it emulates)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class ClientFactory:
    """boto3 clients the engine uses against this same endpoint, cached per account, Region and role."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._cache: dict[tuple[str, str, str, str | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, account_id: str, region: str, role_arn: str | None = None) -> Any:
        """A client acting in `account_id`, or with `role_arn`'s assumed-role credentials when given."""
        key = (service, account_id, region, role_arn)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._build(service, account_id, region, role_arn)
            return self._cache[key]

    def _build(self, service: str, account_id: str, region: str, role_arn: str | None) -> Any:
        if role_arn is None:
            return self._raw(service, region, account_id=account_id)
        sts = self._raw("sts", region, account_id=account_id)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="AWSProton")["Credentials"]
        # moto maps the assumed-role access key to the role's account: real cross-account semantics.
        return self._raw(
            service,
            region,
            key=creds["AccessKeyId"],
            secret=creds["SecretAccessKey"],
            token=creds["SessionToken"],
        )

    def _raw(
        self,
        service: str,
        region: str,
        *,
        account_id: str | None = None,
        key: str = INTERNAL_KEY,
        secret: str = INTERNAL_KEY,
        token: str | None = None,
    ) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token, region_name=region
        )
        client = session.client(
            service,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"mode": "standard", "max_attempts": 3}),
        )
        if account_id is not None:

            def pin_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account_id

            client.meta.events.register("before-sign", pin_account)
        return client

    def cloudformation(self, account_id: str, region: str, role_arn: str | None = None) -> Any:
        """The backend's `cloudformation=` factory: (account, Region, role ARN or None) -> client."""
        return self.client("cloudformation", account_id, region, role_arn)

    def s3_reader(self, account_id: str) -> Callable[[str, str], bytes]:
        """The backend's `s3=` reader for one account: (bucket, key) -> bytes, via this endpoint's S3."""

        def read(bucket: str, key: str) -> bytes:
            s3 = self.client("s3", account_id, DEFAULT_REGION)
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

        return read


# ---- persistence of moto's state, so `--state` keeps stacks and bundles across restarts ----


def _backend_key(backends: Any) -> tuple[str, str, str]:
    return backends.backend.__module__, backends.backend.__qualname__, backends.service_name


def _find_backend_dict(key: tuple[str, str, str]) -> Any:
    import importlib

    from moto.core.base_backend import BackendDict

    module = importlib.import_module(key[0])
    for value in vars(module).values():
        if isinstance(value, BackendDict) and _backend_key(value) == key:
            return value
    return None


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class _StatePickler(pickle.Pickler):
    """Pickles moto's models; their locks (SQS queues hold an RLock) come back as fresh, unlocked ones."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if "RLock" in type(obj).__name__ else threading.Lock), ()
        return NotImplemented


def _dumps(value: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def dump_moto_state(path: Path) -> None:
    """Pickle every moto backend that holds data (stacks, buckets, roles...) to `path`, atomically."""
    from moto.core.base_backend import BackendDict

    state = {}
    for backends in list(BackendDict._instances):
        try:
            state[_backend_key(backends)] = _dumps(dict(backends.items()))
        except Exception as err:  # noqa: BLE001 - an unpicklable service loses its state, the rest survives
            LOG.warning("local state: cannot save moto %s (%s)", backends.service_name, err)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pickle.dumps(state))
    os.replace(tmp, path)


def load_moto_state(path: Path) -> list[str]:
    """Restore what dump_moto_state wrote; returns the services restored. Trusted local file only."""
    if not path.is_file():
        return []
    state = pickle.loads(path.read_bytes())  # noqa: S301 - our own state file, written by dump_moto_state
    restored = []
    for key, blob in state.items():
        backends = _find_backend_dict(key)
        try:
            accounts = pickle.loads(blob)  # noqa: S301
        except Exception:  # noqa: BLE001 - a moto upgrade can break one service's pickle
            continue
        if backends is None:
            continue
        for account_id, account_backends in accounts.items():
            backends[account_id] = account_backends
            backends[account_id]  # registers the dict as in use, as moto's own access does
        restored.append(key[2])
    return sorted(restored)


class LocalState:
    """`--state FILE`: an index of backends in FILE, one Proton state file per account and Region next
    to it (`<stem>.proton.<account>.<region>.json`, written by the backend), and moto's state
    (`<stem>.cloud.pickle`), saved on stop and every second while requests arrive."""

    FORMAT = "exodus-local-state/1"

    def __init__(self, path: Path | None, interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()

    def backend_path(self, account_id: str, region: str) -> Path | None:
        if self.path is None:
            return None
        return self.path.with_name(f"{self.path.stem}.proton.{account_id}.{region}.json")

    @property
    def cloud_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(f"{self.path.stem}.cloud.pickle")

    def known_backends(self) -> list[tuple[str, str]]:
        """(account, Region) pairs saved by a previous run."""
        if self.path is None or not self.path.is_file():
            return []
        import json

        from proton_exodus.errors import BadInput

        try:
            data = json.loads(self.path.read_text())
            assert data["format"] == self.FORMAT
            return [(str(a), str(r)) for a, r in data["backends"]]
        except (ValueError, KeyError, TypeError, AssertionError) as err:
            raise BadInput(f"{self.path}: not an exodus local state file ({err!r})") from err

    def restore_cloud(self) -> list[str]:
        if self.cloud_path is None:
            return []
        self.path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        return load_moto_state(self.cloud_path)

    def saved_default_account(self) -> str | None:
        """The default account a previous run served (e.g. the demo's), so a restart answers the same."""
        if self.path is None or not self.path.is_file():
            return None
        import json

        try:
            value = json.loads(self.path.read_text()).get("defaultAccount")
        except (ValueError, AttributeError):
            return None
        return str(value) if value else None

    def save(self, backends: list[tuple[str, str]], default_account: str | None = None) -> None:
        """Write the index and moto's state (the backends persist themselves)."""
        if self.path is None:
            return
        from proton_exodus.output.atomic import dump_json, write_text_atomic

        index = {"format": self.FORMAT, "backends": sorted(backends), "defaultAccount": default_account}
        with self._save_lock:
            write_text_atomic(self.path, dump_json(index))
            self._dump_cloud()

    def _dump_cloud(self) -> None:
        assert self.cloud_path is not None
        for _attempt in range(3):  # a request may mutate moto while we pickle: retry
            try:
                dump_moto_state(self.cloud_path)
                return
            except RuntimeError:
                continue

    def mark_dirty(self) -> None:
        self._dirty.set()

    def start_autosave(self) -> None:
        if self.path is None or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._autosave, name="exodus-local-state", daemon=True)
        self._thread.start()

    def stop_autosave(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _autosave(self) -> None:
        while not self._stop.wait(self.interval):
            if self._dirty.is_set():
                self._dirty.clear()
                with self._save_lock:
                    self._dump_cloud()
