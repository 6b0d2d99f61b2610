"""The warm `aws` CLI changes speed only: the same commands, through the warm server and through the real
`aws` executable, against the local cloud, print the same stdout and stderr and exit with the same code
(success; a service error and a client-side error: 255, awscli v1's code for both; a usage error: 2;
`file://`/`fileb://` paths relative to the working directory, stdin, `--query`, `--output text`/`table`,
credentials from the environment and from profiles in AWS_CONFIG_FILE). The caller's own process costs a
few hundredths of a second of CPU (the CLI runs in the server's child), and no server outlives its user."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.rehearse import warm_aws as warm
from proton_exodus.rehearse.warm_aws import WarmAws, shell_path, warm_aws

pytestmark = pytest.mark.skipif(warm.real_aws() is None, reason="awscli is not installed here")


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    with LocalProtonServer(port=0, retired=True) as server:
        yield server


@pytest.fixture(scope="module")
def server() -> Iterator[WarmAws]:
    with warm_aws() as aws:
        assert aws is not None
        yield aws


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    command: str, cloud: Any, cwd: Path, aws: WarmAws | None, stdin: bytes = b"", **env: str
) -> tuple[int, str, str, float]:
    """`command` in bash with the warm `aws` (aws given) or the real one first on PATH: exit code,
    stdout, stderr and the CPU seconds of the processes started here (bash and the client or the CLI)."""
    base = {
        "PATH": shell_path(aws),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": cloud.url,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEWARM",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
    }
    before = _children_cpu()
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env={**base, **env},
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode(), _children_cpu() - before


def both(command: str, cloud: Any, tmp_path: Path, server: WarmAws, **kw: Any) -> tuple[int, str, str]:
    """Run `command` cold then warm (each in its own folder, `{who}` naming its resources); assert the
    results are equal and the warm caller was cheap; return the warm result with `{who}` put back."""
    results = {}
    files = kw.pop("files", {})
    for who, aws in (("cold", None), ("warm", server)):
        cwd = tmp_path / who
        cwd.mkdir(exist_ok=True)
        for name, data in files.items():
            (cwd / name).write_bytes(data)
        code, out, err, cpu = run(command.format(who=who), cloud, cwd, aws, **kw)
        # an assumed role's session is named after the clock (botocore-session-<seconds>)
        out, err = (
            re.sub(r"botocore-session-\d+", "botocore-session-N", t.replace(who, "{who}")) for t in (out, err)
        )
        results[who] = (code, out, err)
        if aws is not None:
            assert cpu < 0.25, f"the warm caller used {cpu:.2f} s of CPU: did the real CLI run here?"
    assert results["warm"] == results["cold"]
    return results["warm"]


def test_a_successful_call_prints_the_same_json(cloud: Any, tmp_path: Path, server: WarmAws) -> None:
    code, out, err = both("aws sts get-caller-identity", cloud, tmp_path, server)
    assert code == 0 and '"Account"' in out and err == ""


def test_a_service_error_exits_with_the_same_code_and_message(
    cloud: Any, tmp_path: Path, server: WarmAws
) -> None:
    code, out, err = both("aws ssm get-parameter --name /exodus/{who}/missing", cloud, tmp_path, server)
    assert code == 255 and out == ""  # awscli v1: 255 for a service error too (v2 says 254)
    assert "An error occurred (ParameterNotFound) when calling the GetParameter operation" in err


def test_a_client_side_error_exits_255(cloud: Any, tmp_path: Path, server: WarmAws) -> None:
    code, _, err = both(
        "aws ssm put-parameter --type String --name /x --value file://absent.txt", cloud, tmp_path, server
    )
    assert code == 255 and "Unable to load paramfile file://absent.txt" in err


def test_a_usage_error_exits_2_with_the_usage(cloud: Any, tmp_path: Path, server: WarmAws) -> None:
    code, _, err = both("aws ssm no-such-operation", cloud, tmp_path, server)
    assert code == 2 and err.startswith("usage: ") and "aws [options] <command> <subcommand>" in err
    assert "aws: error: argument operation: Invalid choice, valid choices are:" in err


def test_file_and_fileb_paths_are_relative_to_the_callers_directory(
    cloud: Any, tmp_path: Path, server: WarmAws
) -> None:
    files = {"value.txt": "ünïcode value\n".encode(), "blob.bin": bytes(range(256))}
    command = (
        "aws ssm put-parameter --type String --name /exodus/{who}/file --value file://value.txt "
        "--query Version --output text && "
        "aws ssm get-parameter --name /exodus/{who}/file --query Parameter.Value --output text && "
        "aws secretsmanager create-secret --name {who}-blob --secret-binary fileb://blob.bin "
        "--query Name --output text && "
        "aws secretsmanager get-secret-value --secret-id {who}-blob --query SecretBinary --output text"
    )
    code, out, err = both(command, cloud, tmp_path, server, files=files)
    lines = out.splitlines()
    assert code == 0 and err == "", err
    assert lines[1] == "ünïcode value"
    assert lines[-1] == base64.b64encode(files["blob.bin"]).decode()


def test_stdin_and_stdout_stream_through_the_cli(cloud: Any, tmp_path: Path, server: WarmAws) -> None:
    data = bytes(range(256)) * 64
    command = (
        "aws s3 mb s3://exodus-{who}-stdin >/dev/null && aws s3 cp - s3://exodus-{who}-stdin/k && "
        "aws s3 cp s3://exodus-{who}-stdin/k - | sha256sum"
    )
    code, out, err = both(command, cloud, tmp_path, server, stdin=data)
    assert (code, err) == (0, "")
    assert out.split()[0] == hashlib.sha256(data).hexdigest()


def test_query_and_output_formats(cloud: Any, tmp_path: Path, server: WarmAws) -> None:
    setup = (
        "aws ssm put-parameter --type String --name /exodus/{who}/q --value v1 --output text >/dev/null && "
    )
    command = setup + (
        "aws ssm get-parameter --name /exodus/{who}/q --query '[Parameter.Name, Parameter.Type]' "
        "--output text && "
        "aws ssm get-parameter --name /exodus/{who}/q --query '{{N: Parameter.Name}}' --output table "
        "&& aws ssm describe-parameters --parameter-filters Key=Name,Option=BeginsWith,Values=/exodus/{who}/ "
        "--query 'length(Parameters)'"
    )
    code, out, err = both(command, cloud, tmp_path, server)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "/exodus/{who}/q\tString"
    assert any(line.startswith("|") and "/exodus/{who}/q" in line for line in out.splitlines()[1:-1])


def test_profiles_from_the_config_file_and_env_credentials(
    cloud: Any, tmp_path: Path, server: WarmAws
) -> None:
    for who in ("cold", "warm"):
        home = tmp_path / who
        home.mkdir()
        (home / "config").write_text(
            textwrap.dedent(
                """\
                [profile ops]
                region = eu-west-1
                output = text
                [profile deploy]
                role_arn = arn:aws:iam::222222222222:role/exodus-rehearsal
                source_profile = ops
                region = us-east-1
                """
            ),
            encoding="utf-8",
        )
        (home / "credentials").write_text(
            "[ops]\naws_access_key_id = AKIAEXAMPLEOPS\naws_secret_access_key = s\n", encoding="utf-8"
        )
    command = (
        "aws configure list | sed -n 3,4p && unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY && "
        "aws configure get region --profile ops && aws --profile ops sts get-caller-identity --query Arn && "
        "AWS_PROFILE=deploy aws sts get-caller-identity --query Arn --output text"
    )
    env = {"AWS_CONFIG_FILE": "config", "AWS_SHARED_CREDENTIALS_FILE": "credentials"}
    code, out, err = both(command, cloud, tmp_path, server, **env)
    lines = out.splitlines()
    assert code == 0 and err == "", err
    assert "****************WARM" in lines[1] and lines[1].split()[-1] == "env"  # the environment's key
    assert lines[2] == "eu-west-1" and "assumed-role/exodus-rehearsal/" in lines[4]


def test_nested_uses_share_one_server_and_the_last_one_out_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "_server", None)  # as if no rehearsal held one (the module's is put back)
    monkeypatch.setattr(warm, "_users", 0)
    with warm_aws() as outer:
        assert outer is not None and outer.process is not None
        pid = outer.process.pid
        with warm_aws() as inner:
            assert inner is outer
        assert outer.process is not None and os.path.exists(outer.socket)
    assert outer.process is None and not outer.folder.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited orphan waits for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_server_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no `finally` to run: the server notices its parent's pipe close and exits."""
    script = textwrap.dedent(
        f"""\
        import sys, time
        sys.path.insert(0, {str(Path(warm.__file__).parents[2])!r})
        from proton_exodus.rehearse.warm_aws import warm_aws
        with warm_aws() as aws:
            print(aws.process.pid, aws.folder, flush=True)
            time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid_text, folder = parent.stdout.readline().split()
    pid = int(pid_text)
    assert _running(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not _running(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the warm aws server outlived its parent")
    assert not Path(folder).exists()  # its socket, client and log went with it


def test_without_its_server_the_client_runs_the_real_cli() -> None:
    real = warm.real_aws()
    assert real is not None
    server = WarmAws(real)
    server.start()
    try:
        assert server.process is not None
        server.process.kill()  # a crashed server: its socket file stays, nothing listens
        server.process.wait(30)
        assert server.socket.exists()
        proc = subprocess.run(
            [str(server.bin_dir / "aws"), "--version"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        cold = subprocess.run(
            [str(real), "--version"], capture_output=True, text=True, check=False, timeout=120
        )
        assert (proc.returncode, proc.stdout, proc.stderr) == (cold.returncode, cold.stdout, cold.stderr)
        assert proc.stdout.startswith("aws-cli/")
    finally:
        server.stop()
    assert not server.folder.exists()


def test_a_server_that_cannot_start_leaves_the_real_cli(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(warm, "_server", None)
    monkeypatch.setattr(warm, "_users", 0)
    monkeypatch.setattr(warm, "__file__", str(tmp_path / "absent.py"))  # the server's script is gone
    with warm_aws() as aws:
        assert aws is None
        assert shell_path(aws).split(":")[0] == str(Path(sys.executable).parent)  # the real `aws`
    assert "the warm aws CLI server did not start: " in caplog.text and "absent.py" in caplog.text
