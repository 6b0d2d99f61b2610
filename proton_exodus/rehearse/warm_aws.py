"""A warm `aws` CLI for the rehearsal: the same CLI code, without paying its start-up for every command.

A rehearsal runs the runbooks' shell as written, and most of its lines are `aws ...`: hundreds of CLI
processes, each spending ~0.4-0.6 s of CPU (more wall time on a busy machine) importing awscli and
botocore and parsing the service models before it sends one request. Here one resident server process
(a fresh `python`, never a fork of exodus, which runs moto's threads) imports awscli once, keeps the
JSON models it parses (the services the runbooks use are loaded up front), and for each call forks a
child that runs awscli's own entry point (`awscli.clidriver.main()`, what the `aws` script runs) with the
caller's argv, environment, working directory and stdin/stdout/stderr (the caller's file descriptors,
passed over a unix socket). The child's exit code goes back to the caller. Outputs, exit codes and
errors are the CLI's own: only the start-up is shared.

The caller side is a thin `aws` executable (python -I -S: no site, a few ms) put first on the PATH of
the processes a rehearsal starts; if the server is gone it `exec`s the real `aws`. `warm_aws()` starts the
server on first use and stops it when the outermost user leaves (also at exit, and the server exits by
itself when its parent's pipe closes: no orphan survives the rehearsal, however it ends).

Run as a script (`python -I warm_aws.py SOCKET REAL_AWS`) this file is the server: it imports only the
standard library and awscli."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

# the service models the runbooks, the staging and the exported workflows' steps call: parsed at start-up
SERVICES = (
    "cloudformation",
    "ssm",
    "secretsmanager",
    "sts",
    "codeconnections",
    "codepipeline",
    "s3",
    "servicecatalog",
    "iam",
)
START_TIMEOUT = 120.0  # a loaded 2-core machine can take a while to import awscli
_HEADER = 8  # bytes: the length of the JSON request that follows the file descriptors

_CLIENT = '''#!{python} -IS
# exodus rehearse: the `aws` CLI through a warm server (proton_exodus/rehearse/warm_aws.py); same CLI code
import os, socket, sys

def _real():
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])

try:
    cwd = os.getcwd()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect({sock!r})
except OSError:  # no server (or no working directory to hand over): the real CLI, as if never here
    _real()
import json
fds = []
for fd in (0, 1, 2):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        fds.append(os.open(os.devnull, os.O_RDWR))
body = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": cwd}}).encode()
socket.send_fds(s, [len(body).to_bytes({header}, "big")], fds)
s.sendall(body)
reply = b""
while True:
    chunk = s.recv(64)
    if not chunk:
        break
    reply += chunk
if not reply:
    sys.stderr.write("aws: the warm aws CLI server ended the call without an exit code\\n")
    os._exit(255)
os._exit(int(reply))
'''


class WarmAws:
    """One server process and the directory holding its socket and the `aws` client executable."""

    def __init__(self, real_aws: Path) -> None:
        self.real_aws = real_aws
        self.folder = Path(tempfile.mkdtemp(prefix="exodus-aws-"))
        self.socket = self.folder / "aws.sock"
        self.bin_dir = self.folder / "bin"
        self.log = self.folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it has imported awscli and listens (or raise RuntimeError)."""
        self.bin_dir.mkdir()
        client = self.bin_dir / "aws"
        client.write_text(
            _CLIENT.format(
                python=sys.executable, real=str(self.real_aws), sock=str(self.socket), header=_HEADER
            ),
            encoding="utf-8",
        )
        client.chmod(0o755)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-I", __file__, str(self.socket), str(self.real_aws)],
                stdin=subprocess.PIPE,  # the server exits when this pipe closes: when exodus ends
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.folder,
                env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))},
                start_new_session=True,  # a terminal's Ctrl-C reaches exodus, which stops it
            )
        out = self.process.stdout
        assert out is not None
        ready: list[bytes] = []
        reader = threading.Thread(target=lambda: ready.append(out.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not ready or ready[0].strip() != b"ready":
            said = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            self.stop()
            raise RuntimeError(
                "the warm aws CLI server did not start" + (f": {said[-1]}" if said else " in time")
            )
        out.close()

    def path(self, path: str) -> str:
        """`path` (a PATH value) with the warm `aws` first."""
        return f"{self.bin_dir}{os.pathsep}{path}"

    def stop(self) -> None:
        """Stop the server (closing its pipe; SIGKILL if it lingers) and remove its files."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(OSError):
                assert process.stdin is not None
                process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def shell_path(aws: WarmAws | None) -> str:
    """The PATH of the shells a rehearsal starts: the warm `aws` (when running) first, then this
    interpreter's folder (the real `aws`, `python3`) and the system's."""
    path = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    return aws.path(path) if aws is not None else path


_lock = threading.Lock()
_users = 0
_server: WarmAws | None = None


def real_aws() -> Path | None:
    """The `aws` executable installed next to this interpreter (the CLI the rehearsal runs), if any."""
    path = Path(sys.executable).parent / "aws"
    return path if path.is_file() else None


@contextlib.contextmanager
def warm_aws() -> Iterator[WarmAws | None]:
    """The rehearsal's warm `aws` (None when awscli is not installed here or the server cannot start:
    the callers then run the real `aws` from PATH). Nested uses share one server; the outermost
    stops it."""
    global _users, _server
    with _lock:
        _users += 1
        if _server is None and _users == 1 and real_aws() is not None:
            server = WarmAws(real_aws())  # type: ignore[arg-type]
            try:
                server.start()
                _server = server
            except RuntimeError as err:
                logging.getLogger(__name__).warning("%s; running the aws CLI cold", err)
        current = _server
    try:
        yield current
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _server is not None:
                _server.stop()
                _server = None


@atexit.register
def _stop_at_exit() -> None:
    if _server is not None:
        _server.stop()


# ------------------------------------------------------------------------------------- the server side
# Runs in its own interpreter (python -I this-file SOCKET REAL_AWS): standard library and awscli only.


def _memoise_models() -> None:
    """Keep every JSON model file awscli/botocore parse, by path: each forked child then starts with them
    parsed (copy-on-write). Children may modify what they get; the server's copies stay as parsed."""
    import importlib

    importlib.import_module("awscli")  # first: `botocore` is then awscli's own copy, as in the CLI
    loaders = importlib.import_module("botocore.loaders")

    original = loaders.JSONFileLoader._load_file
    parsed: dict[str, object] = {}

    def _load_file(self: object, full_path: str, open_method: object) -> object:
        if full_path not in parsed:
            parsed[full_path] = original(self, full_path, open_method)
        return parsed[full_path]

    loaders.JSONFileLoader._load_file = _load_file  # type: ignore[method-assign]

    # Listing the services walks ~400 model folders (a third of a warm call): kept per search path
    # and the folders' modification times (a model added to ~/.aws/models changes the key).
    listed: dict[tuple[object, ...], list[str]] = {}
    list_services = loaders.Loader.list_available_services

    def list_available_services(self: loaders.Loader, type_name: str) -> list[str]:
        key: tuple[object, ...] = (type_name, type(self.file_loader))
        for folder in self.search_paths:
            try:
                key += (folder, os.stat(folder).st_mtime_ns)
            except OSError:
                key += (folder, None)
        if key not in listed:
            listed[key] = list_services(self, type_name)
        return list(listed[key])

    loaders.Loader.list_available_services = list_available_services  # type: ignore[method-assign]


def _as_imported() -> None:
    """What importing awscli does to the environment (awscli/__init__.py), redone for the caller's: its
    AWS_DATA_PATH (user-expanded) with awscli's own data folder last."""
    import awscli

    paths = [
        os.path.expanduser(os.path.expandvars(p))
        for p in (os.environ["AWS_DATA_PATH"].split(os.pathsep) if "AWS_DATA_PATH" in os.environ else [])
    ]
    paths.append(os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data"))
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths)


def _warm_up(folder: str) -> None:
    """Import what a call imports and parse the models of SERVICES: run representative commands here,
    once, against an endpoint that refuses (their output goes nowhere)."""
    import awscli.clidriver
    from botocore.exceptions import DataNotFoundError

    saved = dict(os.environ)
    null = os.open(os.devnull, os.O_RDWR)
    kept = [os.dup(1), os.dup(2)]
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        os.environ.clear()
        os.environ.update(
            {
                "HOME": folder,
                "AWS_ACCESS_KEY_ID": "warm",
                "AWS_SECRET_ACCESS_KEY": "warm",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_PAGER": "",
            }
        )
        _as_imported()
        for argv in (
            ["sts", "get-caller-identity", "--query", "Account", "--output", "text"],
            ["cloudformation", "describe-stacks", "--output", "table"],
            ["ssm", "put-parameter", "--name", "n", "--type", "String", "--value", "file://warm.txt"],
            ["s3", "ls"],
        ):
            with contextlib.suppress(BaseException):
                awscli.clidriver.create_clidriver().main(argv)
        driver = awscli.clidriver.create_clidriver()
        driver._get_command_table()
        loader = driver.session.get_component("data_loader")
        for service in SERVICES:
            for kind in ("service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"):
                with contextlib.suppress(DataNotFoundError):
                    loader.load_service_model(service, kind)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(kept[0], 1)
        os.dup2(kept[1], 2)
        for fd in (*kept, null):
            os.close(fd)


def _receive(conn: object) -> tuple[dict[str, object], list[int]]:
    import json
    import socket

    assert isinstance(conn, socket.socket)
    head, fds, _, _ = socket.recv_fds(conn, _HEADER, 3)
    while len(head) < _HEADER:
        more = conn.recv(_HEADER - len(head))
        if not more:
            raise EOFError("the caller went away")
        head += more
    size, body = int.from_bytes(head, "big"), b""
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            raise EOFError("the caller went away")
        body += more
    return json.loads(body), fds


def _call(conn: object, real: str) -> None:
    """In a forked child: become the caller's `aws` process, run the CLI, send back the exit code."""
    import socket
    import traceback

    assert isinstance(conn, socket.socket)
    code: object = 255
    try:
        request, fds = _receive(conn)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        sys.argv = [real, *request["argv"]]  # type: ignore[misc]
        _as_imported()

        def _caller_gone() -> None:  # the caller was killed (a timeout): stop, as its CLI would have
            if not conn.recv(1):
                os._exit(1)

        threading.Thread(target=_caller_gone, daemon=True).start()
        # as the `aws` script does, then its `sys.exit(main())`
        if os.environ.get("LC_CTYPE", "") == "UTF-8":
            os.environ["LC_CTYPE"] = "en_US.UTF-8"
        import awscli.clidriver

        code = awscli.clidriver.main()
    except SystemExit as stop:
        code = stop.code
    except BaseException:  # noqa: BLE001 - what the interpreter prints for an uncaught exception
        traceback.print_exc()
        code = 1
    finally:
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            conn.sendall(str(code).encode())
        os._exit(0)


def serve(sock_path: str, real: str) -> None:
    """Accept calls on `sock_path` until stdin (the parent's pipe) closes; one forked child per call."""
    import selectors
    import signal
    import socket

    folder = os.path.dirname(sock_path)
    _memoise_models()
    _warm_up(folder)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(64)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    children: set[int] = set()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "call")
    selector.register(0, selectors.EVENT_READ, "parent")
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "parent" and not os.read(0, 4096):
                for pid in children:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGTERM)
                listener.close()
                shutil.rmtree(folder, ignore_errors=True)  # socket, client, log: also when exodus was killed
                return
            if key.data == "call":
                conn, _ = listener.accept()
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    listener.close()
                    os.close(null)
                    _call(conn, real)
                conn.close()
                children.add(pid)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    children.discard(pid)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
