"""End to end: crawl the local Proton (pages of 2, 30 % throttling, latency) and compare the snapshot
with the server's state kind by kind, field by field; retired Proton; unreachable CloudFormation."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from proton_exodus.errors import ProtonRetired
from proton_exodus.inventory import crawl_estate
from proton_exodus.inventory.calls import jsonable
from proton_exodus.model.secrets import PLACEHOLDER_RE, restore_data
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.settings import Settings
from tests.inventory.reference import reference_crawl
from tests.inventory.seeding import EstateSize, client, seed_estate

engine_server = pytest.importorskip("proton_exodus.engine.server")
faults_mod = pytest.importorskip("proton_exodus.engine.faults")

SIZES = {"small": EstateSize(2, 2, 2), "medium": EstateSize(3, 5, 3, connection=True)}
KEYS = {
    "environment_template_versions": ("templateName", "majorVersion", "minorVersion"),
    "service_template_versions": ("templateName", "majorVersion", "minorVersion"),
    "service_instances": ("serviceName", "name"),
    "service_pipelines": ("serviceName",),
    "environment_account_connections": ("id",),
    "repositories": ("provider", "name"),
    "template_sync_configs": ("templateType", "templateName"),
    "service_sync_configs": ("serviceName",),
    "deployments": ("id",),
    "account_settings": (),
}


@contextlib.contextmanager
def faulty(srv: Any, *, page_size: int = 2, **config: Any) -> Iterator[None]:
    """Turn the fault knobs on; pages are capped at `page_size` whatever maxResults asks for."""
    saved_faults, original = srv.faults, srv.protocol._paginated

    def capped(name: str, params: dict[str, Any], paginator: Any, backend: Any) -> Any:
        if "limit_key" in paginator:
            params["maxResults"] = min(int(params.get("maxResults") or 100), page_size)
        return original(name, params, paginator, backend)

    srv.faults = faults_mod.FaultInjector(faults_mod.FaultConfig(**config))
    srv.protocol._paginated = capped
    try:
        yield
    finally:
        srv.faults, srv.protocol._paginated = saved_faults, original


@pytest.fixture(scope="module", params=sorted(SIZES))
def estate(request: pytest.FixtureRequest) -> Iterator[Any]:
    # moto's state is global per process: a seed of its own keeps this estate's stack names from
    # colliding with stacks other tests on the same worker made in the same default account.
    seed = 7000 + sorted(SIZES).index(request.param) + (os.getpid() % 1000) * 10
    with engine_server.LocalProtonServer(port=0, backend_options={"seed": seed}) as srv:
        seed_estate(srv.url, SIZES[request.param])
        yield srv


def _key(kind: str, record: dict[str, Any]) -> tuple:
    return tuple(str(record[k]) for k in KEYS.get(kind, ("name",)))


def _same(got: Any, want: Any, secrets: dict[str, Any]) -> bool:
    """Equal, once secret placeholders in spec text are restored from secrets.json."""
    if isinstance(got, str) and isinstance(want, str) and PLACEHOLDER_RE.search(got):
        return restore_data(yaml.safe_load(got), secrets) == yaml.safe_load(want)
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(_same(got[k], want[k], secrets) for k in want)
    if isinstance(got, list) and isinstance(want, list):
        return len(got) == len(want) and all(_same(g, w, secrets) for g, w in zip(got, want, strict=True))
    return got == want


def test_snapshot_equals_the_servers_state(estate: Any, tmp_path: Path) -> None:
    with faulty(estate, throttle_rate=0.3, latency_ms=3, seed_random=11):
        report = crawl_estate(
            Settings(endpoint_url=estate.url, regions=("us-east-1",)), tmp_path / "snap", concurrency=8
        )
    snap = load_snapshot(tmp_path / "snap")
    truth = reference_crawl(client(estate.url, "proton"))
    for kind, expected in truth.items():
        got = {_key(kind, r): r for r in snap.kind(kind)}
        assert sorted(got) == sorted(_key(kind, {**w, **_ids(kind, k)}) for k, w in expected.items()), kind
        assert snap.meta["counts"][kind] == len(expected)
        for key, want in expected.items():
            record = got[_key(kind, {**want, **_ids(kind, key)})]
            for field, value in jsonable(want).items():
                assert _same(record.get(field), value, snap.secrets), f"{kind} {key} {field}"
            assert record["provenance"] == "proton-api" and record["account"] == "123456789012"
    assert report.api_calls["retries"] > 0 and report.api_calls["byOperation"]["ListServiceInstances"] >= 1
    _check_stacks(estate, snap)
    _check_secrets(tmp_path / "snap")


def _ids(kind: str, key: Any) -> dict[str, Any]:
    names = KEYS.get(kind, ("name",))
    values = key if isinstance(key, tuple) else (key,)
    return dict(zip(names, values, strict=False))


def _check_stacks(srv: Any, snap: Any) -> None:
    from botocore.handlers import json_decode_template_body

    deployed = [
        r
        for kind in ("environments", "service_instances", "service_pipelines", "components")
        for r in snap.kind(kind)
        if r.get("provisionedResources")
    ]
    assert deployed and all(snap.stack_for(r["arn"]) for r in deployed)
    for stack in snap.stacks:
        assert stack["reachable"], stack
        creds: dict[str, Any] = {}
        if stack["account"] != "123456789012":  # read as the connection role, like the crawler
            sts = client(srv.url, "sts")
            role = f"arn:aws:iam::{stack['account']}:role/proton-env"
            c = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
            creds = {
                "aws_access_key_id": c["AccessKeyId"],
                "aws_secret_access_key": c["SecretAccessKey"],
                "aws_session_token": c["SessionToken"],
            }
        cfn = client(srv.url, "cloudformation", **creds)
        cfn.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
        live = cfn.describe_stacks(StackName=stack["StackName"])["Stacks"][0]
        assert stack["StackStatus"] == live["StackStatus"] and stack["StackId"] == live["StackId"]
        assert stack["Outputs"] == jsonable(live.get("Outputs")) if "Outputs" in live else True
        body = cfn.get_template(StackName=stack["StackName"], TemplateStage="Original")["TemplateBody"]
        assert snap.stack_template(stack) == body


def _check_secrets(root: Path) -> None:
    secrets = root / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert any(str(v).startswith("s3cret-password-") for v in json.loads(secrets.read_text()).values())
    for path in root.rglob("*"):
        if path.is_file() and path.name != "secrets.json":
            assert "s3cret-password-" not in path.read_text(errors="replace"), path


def test_redact_writes_no_secrets_file(estate: Any, tmp_path: Path) -> None:
    crawl_estate(Settings(endpoint_url=estate.url), tmp_path / "snap", redact=True)
    assert not (tmp_path / "snap" / "secrets.json").exists()
    assert "s3cret-password-" not in "".join(p.read_text() for p in (tmp_path / "snap").glob("*.json"))


def test_retired_proton_raises_protonretired(estate: Any, tmp_path: Path) -> None:
    estate.retire(True)
    try:
        with pytest.raises(ProtonRetired) as err:
            crawl_estate(Settings(endpoint_url=estate.url), tmp_path / "snap")
    finally:
        estate.retire(False)
    assert "--source stacks" in (err.value.hint or "")
    assert not (tmp_path / "snap").exists()


def test_unreachable_cloudformation_still_completes(
    estate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:9")  # discard port: refused
    report = crawl_estate(Settings(regions=("us-east-1",)), tmp_path / "snap")
    snap = load_snapshot(tmp_path / "snap")
    assert snap.stacks and not any(s["reachable"] for s in snap.stacks)
    assert all(
        "Could not connect" in s["unreachableReason"] or "Endpoint" in s["unreachableReason"]
        for s in snap.stacks
    )
    assert any("stacks could not be read" in w for w in report.warnings)
    assert report.counts["environments"] >= 2


def test_member_accounts_through_assume_role_merge(estate: Any, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("# management and one member\n123456789012\n222222222222\n")
    single = crawl_estate(Settings(endpoint_url=estate.url), tmp_path / "one")
    merged = crawl_estate(
        Settings(endpoint_url=estate.url),
        tmp_path / "all",
        accounts_file=accounts,
        assume_role="arn:aws:iam::{account}:role/ExodusReadOnly",
    )
    assert merged.accounts == ("123456789012", "222222222222")
    snap = load_snapshot(tmp_path / "all")
    mine = {k: sum(1 for r in snap.kind(k) if r["account"] == "123456789012") for k in single.counts}
    assert mine == single.counts
    assert merged.api_calls["byOperation"]["AssumeRole"] >= 2


def test_bundles_from_a_template_sync_checkout_are_matched_and_copied(estate: Any, tmp_path: Path) -> None:
    from tests.inventory.seeding import write_bundles

    repo = write_bundles(tmp_path / "templates")
    report = crawl_estate(Settings(endpoint_url=estate.url), tmp_path / "snap", bundles=(str(repo),))
    snap = load_snapshot(tmp_path / "snap")
    versions = snap.kind("environment_template_versions") + snap.kind("service_template_versions")
    from tests.inventory.seeding import ENV_BUNDLE, SVC_BUNDLE

    texts = {ENV_BUNDLE["schema/schema.yaml"].strip(), SVC_BUNDLE["schema/schema.yaml"].strip()}
    for v in versions:
        if (v.get("schema") or "").strip() in texts:  # the version's schema is the bundle's: exact match
            assert v["bundleMatch"] == "schema", v
        latest = max(int(o["minorVersion"]) for o in versions if o["templateName"] == v["templateName"])
        if int(v["minorVersion"]) == latest:
            assert (
                v["bundle"] == f"bundles/{'environment' if 'env' in v['templateName'] else 'service'}/"
                f"{v['templateName']}/{v['majorVersion']}.{v['minorVersion']}"
            )
    assert set(report.versions_without_bundle) == {
        f"{v['templateName']}:{v['majorVersion']}.{v['minorVersion']}" for v in versions if not v["bundle"]
    }
    files = snap.bundle_files(next(v["bundle"] for v in versions if v["bundle"]))
    assert files and "schema/schema.yaml" in files
    sync = snap.kind("service_sync_configs")
    assert sync and sync[0]["opsFile"].startswith("sync:")
