"""Journaled AWS calls: one unit of work per operation and parameters, results made JSON-safe.

Every call the crawl makes goes through `Caller.call` / `Caller.list_all`, so each is counted,
translated on failure (awserrors.translate) and, once it succeeded, recorded in the resume journal.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

from botocore import xform_name

from proton_exodus.inventory.awserrors import error_code, translate
from proton_exodus.inventory.journal import Journal

PAGE_SIZE = 100  # Proton's maximum maxResults (PROTON.md §6.4)


def iso(value: datetime) -> str:
    """A timestamp as ISO 8601 UTC text (`2026-01-02T03:04:05Z`, microseconds kept when present)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def jsonable(value: Any) -> Any:
    """A boto3 response made JSON-safe: timestamps to ISO text, ResponseMetadata dropped."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


class Caller:
    """Calls one client in one scope through the journal; `label` prefixes the journal keys."""

    def __init__(
        self, client: Any, journal: Journal, *, label: str, service: str, region: str, account: str = ""
    ) -> None:
        self.client = client
        self.journal = journal
        self.label = label
        self.service = service
        self.region = region
        self.account = account
        self._pagers: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._pagers_lock = threading.Lock()

    def _key(self, op: str, params: dict[str, Any]) -> str:
        return f"{self.label}|{op}|{json.dumps(params, sort_keys=True, separators=(',', ':'))}"

    def _fail(self, err: BaseException, op: str) -> Exception:
        return translate(err, service=self.service, operation=op, region=self.region, account=self.account)

    def call(self, op: str, tolerate: tuple[str, ...] = (), **params: Any) -> Any:
        """`op(**params)` as JSON-safe data; None when the error code is in `tolerate`."""

        def fetch() -> Any:
            try:
                return jsonable(getattr(self.client, xform_name(op))(**params))
            except Exception as err:
                if error_code(err) in tolerate:
                    return None
                raise self._fail(err, op) from err

        return self.journal.unit(self._key(op, params), fetch)

    def list_all(
        self, op: str, result_key: str, tolerate: tuple[str, ...] = (), **params: Any
    ) -> list[Any] | None:
        """Every item of a paginated List operation, pages of 100 where the operation takes maxResults."""

        def fetch() -> Any:
            try:
                return self._paginate(op, result_key, params)
            except Exception as err:
                if error_code(err) in tolerate:
                    return None
                raise self._fail(err, op) from err

        return self.journal.unit(self._key(op, params), fetch)

    def _pager(self, op: str) -> tuple[Any, dict[str, Any]]:
        """(paginator or None, PaginationConfig) of `op`, built once per caller.

        botocore builds a new paginator class on every `get_paginator` and loads the paginator
        model on the first `can_paginate`; once per operation is enough (and the lock keeps 32
        threads from loading the model 32 times at the start of a crawl).
        """
        pager = self._pagers.get(op)
        if pager is None:
            with self._pagers_lock:
                pager = self._pagers.get(op)
                if pager is None:
                    method = xform_name(op)
                    input_shape = self.client.meta.service_model.operation_model(op).input_shape
                    config = (
                        {"PageSize": PAGE_SIZE}
                        if input_shape is not None and "maxResults" in input_shape.members
                        else {}
                    )
                    paginator = (
                        self.client.get_paginator(method) if self.client.can_paginate(method) else None
                    )
                    pager = self._pagers[op] = (paginator, config)
        return pager

    def _paginate(self, op: str, result_key: str, params: dict[str, Any]) -> list[Any]:
        paginator, config = self._pager(op)
        items: list[Any] = []
        tokens = _simple_tokens(paginator)
        if tokens is not None:
            items.extend(self._follow_tokens(op, result_key, params, tokens, config))
        elif paginator is not None:
            for page in paginator.paginate(**params, PaginationConfig=config):
                items.extend(page.get(result_key) or [])
        else:
            items.extend(getattr(self.client, xform_name(op))(**params).get(result_key) or [])
        return jsonable(items)

    def _follow_tokens(
        self,
        op: str,
        result_key: str,
        params: dict[str, Any],
        tokens: tuple[str, str, str | None],
        config: dict[str, Any],
    ) -> list[Any]:
        """The pages of `op`, following its one next-token as botocore's paginator would, without the
        paginator's per-call machinery (a fifth of a List call's client CPU, measured)."""
        input_token, output_token, limit_key = tokens
        method = getattr(self.client, xform_name(op))
        kwargs = dict(params)
        if limit_key and "PageSize" in config:
            kwargs[limit_key] = config["PageSize"]
        items: list[Any] = []
        while True:
            page = method(**kwargs)
            items.extend(page.get(result_key) or [])
            token = page.get(output_token)
            if not token:  # botocore treats an empty token as the last page too
                return items
            if token == kwargs.get(input_token):
                from botocore.exceptions import PaginationError

                raise PaginationError(message=f"The same next token was received twice: {token}")
            kwargs[input_token] = token


def _simple_tokens(paginator: Any) -> tuple[str, str, str | None] | None:
    """(input token, output token, limit key) of a paginator with one plain next-token, else None."""
    cfg = getattr(paginator, "_pagination_cfg", None)
    if not isinstance(cfg, dict) or "more_results" in cfg:
        return None
    input_token, output_token, limit_key = (
        cfg.get("input_token"),
        cfg.get("output_token"),
        cfg.get("limit_key"),
    )
    plain = all(isinstance(t, str) and t.isidentifier() for t in (input_token, output_token))
    if not plain or not (limit_key is None or isinstance(limit_key, str)):
        return None
    return input_token, output_token, limit_key
