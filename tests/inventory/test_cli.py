"""`exodus inventory` parses options, calls crawl_estate once, prints the summary."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

from proton_exodus.cli import main
from proton_exodus.errors import ProtonRetired
from proton_exodus.inventory.estate import CrawlReport


def _report(out: Path) -> CrawlReport:
    return CrawlReport(
        out=out,
        accounts=("111111111111",),
        regions=("us-east-1",),
        counts={"environments": 2, "services": 1},
        api_calls={"total": 9, "retries": 1, "byOperation": {}},
        duration_seconds=0.5,
        stacks=2,
        unreachable_stacks=1,
        versions_without_bundle=(),
        reused_units=0,
        warnings=("1 of 2 stacks could not be read",),
    )


def test_options_reach_the_library_and_json_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "snap"
    with (
        mock.patch("proton_exodus.inventory.crawl_estate", return_value=_report(out)) as crawl,
        pytest.raises(SystemExit) as exit_,
    ):
        main(
            [
                "inventory",
                "--out",
                str(out),
                "--region",
                "us-east-1",
                "--region",
                "eu-west-1",
                "--bundles",
                "repo",
                "--bundles",
                "s3://b/p",
                "--resume",
                "--concurrency",
                "4",
                "--assume-role",
                "arn:aws:iam::{account}:role/R",
                "--accounts",
                "a.txt",
                "--redact",
                "--output",
                "json",
                "--endpoint-url",
                "http://127.0.0.1:1",
            ]
        )
    assert exit_.value.code == 0
    settings, out_arg = crawl.call_args.args
    assert out_arg == out and settings.regions == ("us-east-1", "eu-west-1")
    assert settings.endpoint_url == "http://127.0.0.1:1"
    kwargs = crawl.call_args.kwargs
    assert kwargs["bundles"] == ("repo", "s3://b/p") and kwargs["resume"] and kwargs["redact"]
    assert kwargs["concurrency"] == 4 and kwargs["accounts_file"] == Path("a.txt")
    assert kwargs["source"] == "api" and kwargs["progress"] is None
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["environments"] == 2 and summary["apiCalls"]["retries"] == 1


def test_text_output_warns_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with (
        mock.patch("proton_exodus.inventory.crawl_estate", return_value=_report(tmp_path)),
        pytest.raises(SystemExit) as exit_,
    ):
        main(["inventory", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert exit_.value.code == 0 and "9 API calls" in captured.out
    assert "Warning: 1 of 2 stacks could not be read" in captured.err


def test_retired_proton_is_one_line_with_the_stacks_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    err = ProtonRetired(
        "The AWS Proton API in us-east-1 answers as a retired service",
        hint="use `exodus inventory --source stacks`",
    )
    with (
        mock.patch("proton_exodus.inventory.crawl_estate", side_effect=err),
        pytest.raises(SystemExit) as exit_,
    ):
        main(["inventory", "--out", str(tmp_path)])
    assert exit_.value.code == 3
    assert "--source stacks" in capsys.readouterr().err


def test_source_stacks_is_accepted_and_reaches_the_library(tmp_path: Path) -> None:
    with (
        mock.patch("proton_exodus.inventory.crawl_stacks", return_value=_report(tmp_path)) as crawl,
        pytest.raises(SystemExit),
    ):
        main(
            [
                "inventory",
                "--out",
                str(tmp_path),
                "--source",
                "stacks",
                "--specs",
                "s.yaml",
                "--provisioning-repo",
                "infra",
            ]
        )
    assert crawl.call_args.kwargs["specs"] == ("s.yaml",)
    assert crawl.call_args.kwargs["provisioning_repos"] == ("infra",)
