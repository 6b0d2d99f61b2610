"""`LocalProtonServer`: the local Proton API plus moto's cloud on one threaded HTTP endpoint.

Usable in-process (`with LocalProtonServer(port=0) as srv: srv.url`) and behind `exodus local serve`.
Admin routes: `GET /_health`, `POST /_retire` (simulate Proton's end of support, PROTON.md §5).
Which backend answers a request is `engine.routing`'s job; what to seed is the caller's (`Seed`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proton_exodus.engine.cloud import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    ClientFactory,
    LocalState,
    account_and_region,
    is_proton_request,
    moto_app,
    pin_default_account,
)
from proton_exodus.engine.faults import FaultConfig, FaultInjector
from proton_exodus.engine.protocol import ProtonProtocol, Reply, error_reply
from proton_exodus.engine.routing import BackendRouter
from proton_exodus.errors import BadInput

LOG = logging.getLogger(__name__)

# How the local Proton answers once retired (`--retired`, `POST /_retire`). Retired or
# customer-closed AWS APIs that still resolve answer HTTP 400 with a modelled AccessDeniedException
# and a service-specific sentence: OpsWorks Stacks says "AWS OpsWorks Stacks is no longer accepting
# new customers", RoboMaker answers ForbiddenException "... only available for existing customers"
# (ekristen/aws-nuke issue #373, 2024-10). A fully removed API (CodeStar, July 2024) stops resolving
# in DNS (same issue; aws/copilot-cli #5904); that cannot be simulated on an endpoint that keeps
# serving CloudFormation, so we take the first form. The inventory should treat both, and an
# EndpointConnectionError for proton.<region>.amazonaws.com, as "retired" (see `looks_retired`).
RETIRED_ERROR_CODE = "AccessDeniedException"
RETIRED_HTTP_STATUS = 400
RETIRED_MESSAGE = (
    "AWS Proton is no longer available: support ended on October 7, 2026 and Proton resources can no "
    "longer be reached. Deployed infrastructure (CloudFormation stacks) remains intact."
)
_RETIRED_MARKERS = (
    "no longer available",
    "no longer accepting",
    "end of support",
    "support ended",
    "only available for existing customers",
)


def looks_retired(code: str, message: str) -> bool:
    """True if an error (code, message) is how a retired AWS service answers, ours included."""
    text = message.lower()
    return code in ("AccessDeniedException", "ForbiddenException") and any(
        m in text for m in _RETIRED_MARKERS
    )


class _KeepAliveMixin:
    """HTTP/1.1 keep-alive for POST requests with a Content-Length (every Proton, CloudFormation and
    STS call), as AWS endpoints keep connections open.

    werkzeug's development server closes every connection and, after each answer, drains the socket
    for 10 ms (which would swallow a kept-alive client's next request). A fresh TCP connection and a
    fresh server thread per API call cost both sides more CPU than the call itself, so such requests
    are answered here: the body is read whole first, so nothing of this request is left unread on the
    socket, and the answer carries its Content-Length. Other requests (S3 REST, HEAD, chunked or
    `Expect: 100-continue` uploads, HTTP/1.0 clients) keep werkzeug's one-request-per-connection path.
    """

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        with contextlib.suppress(OSError):  # answers go out at once, not after the client's delayed ACK
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]

    def run_wsgi(self) -> None:
        headers, length = self.headers, self.headers.get("Content-Length")
        if (
            self.command != "POST"
            or self.close_connection
            or length is None
            or not length.isdigit()
            or headers.get("Transfer-Encoding")
            or headers.get("Expect")
        ):
            return super().run_wsgi()  # type: ignore[misc]
        body = self.rfile.read(int(length))
        self.environ = environ = self.make_environ()  # type: ignore[attr-defined]
        environ["wsgi.input"] = io.BytesIO(body)
        status_headers: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_headers[:] = [status, response_headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.server.app(environ, start_response)  # type: ignore[attr-defined]
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        except Exception:
            LOG.exception("error on %s %s", self.command, self.path)  # type: ignore[attr-defined]
            status_headers[:], chunks[:] = (
                ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]],
                [b"Internal Server Error"],
            )
            self.close_connection = True
        self._send(status_headers, b"".join(chunks))

    def _send(self, status_headers: list[Any], payload: bytes) -> None:
        status, response_headers = status_headers
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)  # type: ignore[attr-defined]
        for key, value in response_headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)  # type: ignore[attr-defined]
        if self.close_connection:
            self.send_header("Connection", "close")  # type: ignore[attr-defined]
        self.send_header("Content-Length", str(len(payload)))  # type: ignore[attr-defined]
        self.end_headers()  # type: ignore[attr-defined]
        self.wfile.write(payload)  # type: ignore[attr-defined]
        self.wfile.flush()  # type: ignore[attr-defined]


def _make_http_server(host: str, port: int, app: Any, verbose: bool) -> Any:
    """A werkzeug threaded server that tracks open connections so stop() can close keep-alives."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import ThreadedWSGIServer

    class Handler(_KeepAliveMixin, MotoRequestHandler):
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            if verbose:
                super().log_request(code, size)

    class Server(ThreadedWSGIServer):
        # Daemon threads (a client that never hangs up cannot keep the process alive), which
        # socketserver does not join, so server_close() joins them itself: no leaks.
        daemon_threads = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.open_connections: set[socket.socket] = set()
            self.handler_threads: set[threading.Thread] = set()
            self.connections_lock = threading.Lock()

        def process_request(self, request: Any, client_address: Any) -> None:
            thread = threading.Thread(
                target=self.process_request_thread, args=(request, client_address), daemon=True
            )
            with self.connections_lock:
                self.open_connections.add(request)
                self.handler_threads.add(thread)
            thread.start()

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            try:
                super().process_request_thread(request, client_address)
            finally:
                with self.connections_lock:
                    self.handler_threads.discard(threading.current_thread())

        def server_close(self) -> None:
            super().server_close()
            with self.connections_lock:
                threads = list(self.handler_threads)
            for thread in threads:
                thread.join(timeout=5)

        def shutdown_request(self, request: Any) -> None:
            with self.connections_lock:
                self.open_connections.discard(request)
            super().shutdown_request(request)

        def close_connections(self) -> None:
            with self.connections_lock:
                live = list(self.open_connections)
            for conn in live:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)  # wakes a handler parked on a keep-alive read

    return Server(host, port, app, handler=Handler)


@dataclass(frozen=True)
class Seed:
    """What a server loads before it answers (`exodus local serve --seed`): `load(url)` fills the running
    local cloud through its API; callers whose credentials moto does not know act in `default_account`
    (unless the server was given one, or restored one from its state file)."""

    load: Callable[[str], object]
    default_account: str | None = None


class LocalProtonServer:
    """The local cloud on `host:port` (port 0 picks a free one); start()/stop() or a `with` block."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: Seed | None = None,
        state_path: Path | None = None,
        faults: FaultConfig | None = None,
        retired: bool = False,
        auto_complete: bool = True,
        verbose: bool = False,
        backend_factory: Any = None,
        backend_options: dict[str, Any] | None = None,
        default_account: str | None = None,
    ) -> None:
        self.host, self.requested_port = host, port
        self.backend_factory = backend_factory  # None: ProtonBackend; tests may pass a stand-in
        self.backend_options = dict(backend_options or {})  # extra ProtonBackend kwargs (cfn_poll, ...)
        # Account for credentials moto does not know; a seed may name one (the demo's management account).
        self.default_account = default_account
        self.seed, self.retired, self.auto_complete, self.verbose = seed, retired, auto_complete, verbose
        self.faults = FaultInjector(faults)
        self.state = LocalState(state_path)
        self.router = BackendRouter(
            self._new_backend, lambda keys: self.state.save(keys, self.default_account)
        )
        self.protocol = ProtonProtocol(
            self.backend, page_size=self.faults.config.page_size, router=self.router.route
        )
        self._http: Any = None
        self._thread: threading.Thread | None = None
        self.clients: ClientFactory | None = None

    # ---- lifecycle ----
    def start(self) -> LocalProtonServer:
        """Bind, serve in a background thread, restore state, then seed; returns when ready."""
        if self._http is not None:
            return self
        from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs

        patch_moto_change_set_outputs()  # Proton deploys through change sets and reads outputs back
        if not self.verbose:
            _quiet_moto_resource_warnings()
        self.state.restore_cloud()
        self._moto = moto_app()
        try:
            self._http = _make_http_server(self.host, self.requested_port, self, self.verbose)
        except OSError as err:
            raise BadInput(f"cannot listen on {self.host}:{self.requested_port}: {err.strerror}") from err
        self.clients = ClientFactory(self.url)
        self.default_account = self.default_account or self.state.saved_default_account()
        self._thread = threading.Thread(
            target=self._http.serve_forever, name="exodus-local-proton", daemon=True
        )
        self._thread.start()
        try:
            for account_id, region in self.state.known_backends():
                self.backend(account_id, region)
            retired, self.retired = self.retired, False  # seed first (`--seed demo --retired`), then retire
            self._seed()
            self.retired = retired
        except BaseException:
            self.stop()
            raise
        self.state.start_autosave()
        return self

    def stop(self) -> None:
        """Stop serving, close keep-alive connections, join every thread, save state, free the port."""
        if self._http is None:
            return
        self._http.shutdown()
        self._http.close_connections()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join()
        self.state.stop_autosave()
        self.state.save(self.router.close_all(), self.default_account)
        self._http = self._thread = None

    def __enter__(self) -> LocalProtonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the server is not started")
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ---- state ----
    def backend(self, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> Any:
        """The ProtonBackend of one account and Region, created on first use."""
        return self.router.backend(account_id, region)

    def backends(self) -> Iterable[tuple[tuple[str, str], Any]]:
        return self.router.backends()

    def _new_backend(self, account_id: str, region: str) -> Any:
        assert self.clients is not None, "start() the server first"
        return self._factory()(
            account_id,
            region,
            state_path=self.state.backend_path(account_id, region),
            cloudformation=self.clients.cloudformation,
            s3=self.clients.s3_reader(account_id),
            auto_complete=self.auto_complete,
            **self.backend_options,
        )

    def _factory(self) -> Any:
        if self.backend_factory is not None:
            return self.backend_factory
        from proton_exodus.engine.backend import ProtonBackend

        return ProtonBackend

    def retire(self, retired: bool = True) -> None:
        """Make the Proton API answer as the retired service (the local cloud keeps serving)."""
        self.retired = retired

    def _seed(self) -> None:
        if self.seed is None:
            return
        if self.default_account is None:
            self.default_account = self.seed.default_account
        self.seed.load(self.url)

    # ---- WSGI ----
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/_health" and method == "GET":
            return self._respond(start_response, Reply(200, json.dumps(self.health()).encode(), _JSON))
        if path == "/_retire" and method == "POST":
            self.retire(_retire_flag(_read_body(environ)))
            return self._respond(
                start_response, Reply(200, json.dumps({"retired": self.retired}).encode(), _JSON)
            )
        self.state.mark_dirty()
        if self.default_account is not None:
            pin_default_account(environ, self.default_account)
        if is_proton_request(environ):
            return self._respond(start_response, self._proton(environ))
        from proton_exodus.engine import moto_codeconnections

        if moto_codeconnections.is_request(environ):
            return self._respond(start_response, _codeconnections(environ))
        fault = self.faults.before_other_service(environ)  # None unless FaultConfig(all_services=True)
        if fault is not None:
            return self._respond(start_response, Reply(*fault))
        return self._moto(environ, start_response)

    def health(self) -> dict[str, Any]:
        keys = [f"{a}/{r}" for (a, r), _ in self.backends()]
        return {"status": "ok", "retired": self.retired, "backends": keys, "throttled": self.faults.throttled}

    def _proton(self, environ: dict[str, Any]) -> Reply:
        body = _read_body(environ)
        if self.retired:
            from proton_exodus.engine.errors import AccessDeniedException

            return error_reply(AccessDeniedException(RETIRED_MESSAGE))
        account_id, region = account_and_region(environ)
        from proton_exodus.engine.errors import ProtonApiError

        try:
            self.faults.before_request(account_id, region, environ)
        except ProtonApiError as err:
            return error_reply(err)
        return self.protocol.handle(environ.get("HTTP_X_AMZ_TARGET"), body, account_id, region)

    @staticmethod
    def _respond(start_response: Any, reply: Reply) -> list[bytes]:
        headers = [*reply.headers.items(), ("Content-Length", str(len(reply.body)))]
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}", headers)
        return [reply.body]


_JSON = {"Content-Type": "application/json"}
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}


def _codeconnections(environ: dict[str, Any]) -> Reply:
    """CodeConnections, which moto lacks (engine/moto_codeconnections.py)."""
    from proton_exodus.engine.moto_codeconnections import handle

    account_id, region = account_and_region(environ)
    return Reply(*handle(environ, _read_body(environ), account_id, region))


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _retire_flag(body: bytes) -> bool:
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        data = {}
    return bool(data.get("retired", True)) if isinstance(data, dict) else True


def serve_until_signal(server: LocalProtonServer, on_ready: Any) -> None:
    """Run `server` until SIGTERM or SIGINT, then stop it cleanly; `on_ready(url)` once it answers."""
    import signal

    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        try:
            on_ready(server.url)
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _quiet_moto_resource_warnings() -> None:
    """moto logs and warns for every resource type its CloudFormation does not model (CodeBuild,
    CodePipeline...): the stack still deploys, which is all the local Proton needs. Kept for --verbose."""
    logging.getLogger("moto").addFilter(_not_a_resource_gap)
    warnings.filterwarnings(
        "ignore", message=r"Tried to parse .* not supported by moto", category=UserWarning
    )


def _not_a_resource_gap(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("No Moto CloudFormation support for ")
