"""The AWS JSON 1.0 wire protocol of Proton: parse `X-Amz-Target`, call the backend, serialise.

No Proton rules live here (those are the backend's); this layer owns what botocore's model says
about the wire (PROTON.md §6.1-§6.4): input constraints the SDK does not check, epoch timestamps,
`{"__type", "message"}` errors, and pagination with opaque, tamper-proof `nextToken`s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import struct
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from botocore import xform_name

from proton_exodus.engine import conformance
from proton_exodus.engine.errors import InternalServerException, ProtonApiError, ValidationException

TARGET_PREFIX = "AwsProton20200720"
CONTENT_TYPE = "application/x-amz-json-1.0"
DEFAULT_PAGE_SIZE = 100  # MaxPageResults' maximum; Proton's own default is undocumented
LOG = logging.getLogger(__name__)

Backend = Any
BackendFor = Callable[[str, str], Backend]
Router = Callable[[str, dict[str, Any], str, str], Backend]  # (operation, params, account, Region) -> backend


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, JSON body bytes and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ProtocolError(ProtonApiError):
    """A request botocore would never send (bad target or JSON): Coral's own error names."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_reply(err: ProtonApiError, request_id: str | None = None) -> Reply:
    """A modelled error as botocore parses it: HTTP 4xx/5xx and `{"__type", "message"}`."""
    body = json.dumps({"__type": err.code, "message": err.message}).encode()
    return Reply(err.http_status, body, _headers(request_id, err.code))


def _headers(request_id: str | None, error_type: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id or str(uuid.uuid4())}
    if error_type:
        headers["x-amzn-ErrorType"] = error_type
    return headers


def parse_target(target: str | None) -> str:
    """The operation named by `X-Amz-Target: AwsProton20200720.<Operation>`."""
    prefix, _, name = (target or "").partition(".")
    if prefix != TARGET_PREFIX or name not in conformance.service_model().operation_names:
        raise ProtocolError("UnknownOperationException", f"Operation {target!r} is not a Proton operation.")
    return name


def to_wire(value: Any) -> Any:
    """Backend values to JSON: datetimes become epoch seconds, `None` members are dropped."""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return round(stamp.timestamp(), 3)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


def prune(shape: Any, value: Any) -> Any:
    """Keep only what the output shape models, so internal backend fields never reach the wire."""
    if shape is None:
        return {}
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: prune(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(value, list):
        return [prune(shape.member, v) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: prune(shape.value, v) for k, v in value.items()}
    return value


class PageTokens:
    """Opaque `nextToken`s: an offset and an HMAC binding it to the operation and its filters."""

    _MAC_BYTES = 16

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)

    def _mac(self, operation: str, filters: dict[str, Any], offset: int) -> bytes:
        canonical = json.dumps([operation, filters, offset], sort_keys=True, separators=(",", ":"))
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).digest()[: self._MAC_BYTES]

    def issue(self, operation: str, filters: dict[str, Any], offset: int) -> str:
        raw = struct.pack(">I", offset) + self._mac(operation, filters, offset)
        return base64.b64encode(raw).decode()  # standard alphabet: NextToken is ^[A-Za-z0-9+=/]+$

    def offset(self, operation: str, filters: dict[str, Any], token: str) -> int:
        """The offset a token stands for; ValidationException if forged or from another request."""
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 4 + self._MAC_BYTES:
            (offset,) = struct.unpack(">I", raw[:4])
            if hmac.compare_digest(raw[4:], self._mac(operation, filters, offset)):
                return offset
        raise ValidationException(
            "The nextToken is not valid for this request; pass back the token from the previous page."
        )


class ProtonProtocol:
    """Turns one HTTP request into one backend call and its JSON reply."""

    def __init__(
        self,
        backend_for: BackendFor,
        *,
        page_size: int | None = None,
        secret: bytes | None = None,
        router: Router | None = None,
    ) -> None:
        self.backend_for = backend_for
        self.router = router  # picks another account's backend for operations shared by two accounts
        self.page_size = page_size
        self.tokens = PageTokens(secret)
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.unmodelled: list[str] = []  # backend errors outside an operation's model (see _modelled)

    def _lock(self, backend: Backend) -> threading.Lock:
        # One request at a time per account and Region: the backend's state is not shared-safe.
        with self._locks_guard:
            return self._locks.setdefault(id(backend), threading.Lock())

    def handle(self, target: str | None, body: bytes, account_id: str, region: str) -> Reply:
        """Answer one Proton request; never raises."""
        request_id = str(uuid.uuid4())
        name = None
        try:
            name = parse_target(target)
            params = _parse_body(body)
            output = self.call(name, params, account_id, region)
        except ProtonApiError as err:
            return error_reply(self._modelled(name, err), request_id)
        except Exception:  # noqa: BLE001 - a backend bug must still answer like AWS does
            LOG.exception("internal error in %s", target)
            return error_reply(InternalServerException("Internal error; see the server log."), request_id)
        return Reply(200, json.dumps(output).encode(), _headers(request_id))

    def _modelled(self, name: str | None, err: ProtonApiError) -> ProtonApiError:
        """Only errors the operation's model lists reach the wire (botocore maps no others to a class).

        A backend error outside the model is a backend bug: it is answered as ValidationException (the input
        named something the operation cannot use) and kept in `unmodelled` for tests to fail on.
        """
        if name is None or isinstance(err, ProtocolError) or err.code in conformance.modelled_errors(name):
            return err  # ProtocolErrors are the wire's own (Coral) answers, outside every operation's model
        self.unmodelled.append(f"{name}: {err.code}: {err.message}")
        LOG.warning(
            "%s answered %s, which its model does not list; sent as ValidationException", name, err.code
        )
        return ValidationException(err.message)

    def call(self, name: str, params: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
        """Validate, dispatch, paginate and serialise one operation; raises ProtonApiError."""
        problems = conformance.check_input(name, params)
        if problems:
            raise ValidationException(conformance.validation_message(problems))
        if self.router is not None:
            backend = self.router(name, params, account_id, region)
        else:
            backend = self.backend_for(account_id, region)
        paginator = conformance.paginators().get(name)
        with self._lock(backend):
            if paginator is None:
                return self._serialise(name, getattr(backend, xform_name(name))(**params))
            return self._paginated(name, params, paginator, backend)

    def _paginated(
        self, name: str, params: dict[str, Any], paginator: dict[str, Any], backend: Backend
    ) -> dict[str, Any]:
        token = params.pop("nextToken", None)
        limit = params.pop("maxResults", None) if "limit_key" in paginator else None
        filters = {k: v for k, v in params.items() if k != "clientToken"}
        offset = self.tokens.offset(name, filters, token) if token else 0
        result = getattr(backend, xform_name(name))(**params)
        key = paginator["result_key"]
        items = list(result.get(key) or [])
        if "limit_key" in paginator:
            # Paginators without limit_key take an EmptyNextToken (max length 0): always one page.
            size = limit or self.page_size or DEFAULT_PAGE_SIZE
            result = {**result, key: items[offset : offset + size]}
            more = offset + size < len(items)
            result["nextToken"] = self.tokens.issue(name, filters, offset + size) if more else None
        else:
            result = {**result, key: items, "nextToken": None}
        return self._serialise(name, result)

    @staticmethod
    def _serialise(name: str, result: dict[str, Any] | None) -> dict[str, Any]:
        shape = conformance.operation(name).output_shape
        return to_wire(prune(shape, result or {}))


def _parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        params = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise ProtocolError("SerializationException", f"Request body is not valid JSON: {err}") from err
    if not isinstance(params, dict):
        raise ProtocolError("SerializationException", "Request body must be a JSON object.")
    return params
