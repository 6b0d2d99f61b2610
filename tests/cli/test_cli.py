"""The CLI edge: help, version, global options before and after sub-commands, errors and exit codes."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from proton_exodus.cli import COMMANDS, cli, main
from proton_exodus.cli.options import global_options, settings_of
from proton_exodus.errors import AwsError, BadInput, ExitCode


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0
    assert out.startswith("exodus ")


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["no-such-command"], capsys)
    assert code == ExitCode.BAD_INPUT
    assert "No such command" in err
    assert "Traceback" not in err


def _probe_command() -> click.Command:
    @click.command("probe")
    @global_options
    @click.option("--fail", type=click.Choice(["bad", "aws", "bug"]))
    @click.pass_context
    def probe(ctx: click.Context, fail: str | None) -> None:
        s = settings_of(ctx)
        if fail == "bad":
            raise BadInput(
                "spec.yaml: instances[1].spec.port: 'x' is not of type 'number'", hint="fix the spec"
            )
        if fail == "aws":
            raise AwsError("proton:ListEnvironments denied in us-east-1")
        if fail == "bug":
            raise RuntimeError("boom")
        click.echo(f"{s.profile}|{','.join(s.regions)}|{s.endpoint_url}|{s.output}|{s.verbose}")

    return probe


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    cli.add_command(_probe_command())
    yield
    cli.commands.pop("probe", None)


def test_global_options_before_and_after_subcommand(probe: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(
        [
            "--profile",
            "p",
            "--region",
            "eu-west-1",
            "probe",
            "--region",
            "us-east-1",
            "--output",
            "json",
            "--endpoint-url",
            "http://127.0.0.1:4566",
            "-v",
        ],
        capsys,
    )
    assert code == 0
    assert out.strip() == "p|eu-west-1,us-east-1|http://127.0.0.1:4566|json|1"


@pytest.mark.parametrize(
    ("fail", "expected_code", "expected_line"),
    [
        ("bad", ExitCode.BAD_INPUT, "Error: spec.yaml: instances[1].spec.port: 'x' is not of type 'number'"),
        ("aws", ExitCode.AWS_ERROR, "Error: proton:ListEnvironments denied in us-east-1"),
        ("bug", ExitCode.INTERNAL, "Error: internal error (RuntimeError: boom); re-run with --debug"),
    ],
)
def test_errors_become_one_line_and_exit_code(
    probe: None, capsys: pytest.CaptureFixture[str], fail: str, expected_code: int, expected_line: str
) -> None:
    code, out, err = run_main(["probe", "--fail", fail], capsys)
    assert code == expected_code
    assert out == ""
    assert err.splitlines()[0] == expected_line
    assert "Traceback" not in err


def test_debug_shows_traceback(probe: None) -> None:
    with pytest.raises(RuntimeError):
        main(["probe", "--fail", "bug", "--debug"])


def test_endpoint_env_vars_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from proton_exodus.settings import Settings

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_PROTON", "http://127.0.0.1:2")
    s = Settings()
    assert s.endpoint_for("proton") == "http://127.0.0.1:2"
    assert s.endpoint_for("cloudformation") == "http://127.0.0.1:1"
    assert Settings(endpoint_url="http://x:3").endpoint_for("proton") == "http://x:3"


def test_endpoint_url_applies_to_every_client() -> None:
    from proton_exodus.aws import build_client
    from proton_exodus.settings import Settings

    s = Settings(endpoint_url="http://127.0.0.1:4566")
    for service in ("proton", "cloudformation", "s3", "sts"):
        assert build_client(service, s).meta.endpoint_url == "http://127.0.0.1:4566"


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from proton_exodus.cli import main; main(['--help'])"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "exodus" in proc.stdout
