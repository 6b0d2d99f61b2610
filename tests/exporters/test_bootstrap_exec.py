"""The cfn-git-sync bootstrap, executed: the demo plan's runbook lines (and each account's commands.sh)
run with the real `aws` CLI against the local cloud, one AWS CLI profile per account (assume-role).

The local cloud has no CodeConnections API and moto's CloudFormation has no
`AWS::CodeStarConnections::RepositoryLink`: the test adds a stand-in resource for the latter (a link id
as its `RepositoryLinkId` attribute) and puts an `aws` wrapper first on PATH that records every
`aws codeconnections` call together with the account its credentials belong to (asked of the local
STS with the call's own `--profile`) and forwards everything else to the real CLI. So `aws
cloudformation deploy` really creates the sync role stack in each account with the parameters the
command passes, and every sync configuration is shown to run under its stack's account with that
account's link id and role, read back from the stack's outputs."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.cfn.text import load_template
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.plan import plan_snapshot
from proton_exodus.plan.handover import plan_commands

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"
AWS = Path(sys.executable).with_name("aws")
ACCOUNTS = ("111111111111", "222222222222")
LINK_TYPE = "AWS::CodeStarConnections::RepositoryLink"
OVERRIDES = re.compile(r"--parameter-overrides((?:\s+\w+=\S+)+)")

WRAPPER = """#!{python}
import json, os, subprocess, sys
REAL, LOG = {real!r}, {log!r}
args = sys.argv[1:]
if not args or args[0] != "codeconnections":
    os.execv(REAL, [REAL, *args])
profile = args[args.index("--profile") + 1] if "--profile" in args else "default"
known = LOG + "." + profile  # one STS call per profile: the CLI's own start-up is the slow part
if not os.path.exists(known):
    who = subprocess.run([REAL, "sts", "get-caller-identity", "--region", "us-east-1", "--output", "json",
                          "--profile", profile], capture_output=True, text=True, check=True)
    with open(known, "w") as out:
        out.write(json.loads(who.stdout)["Account"])
account = open(known).read()
with open(LOG, "a") as log:
    log.write(json.dumps({{"args": args, "account": account}}) + "\\n")
if args[1] == "list-connections":  # the local cloud answers it: the connection the fixture made AVAILABLE
    os.execv(REAL, [REAL, *args])
"""


def _add_repository_link_stand_in() -> None:
    """moto's CloudFormation skips types it does not model; give RepositoryLink a stand-in."""
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    if parsing.resource_class_from_type(LINK_TYPE) is not None:
        return

    class RepositoryLink(CloudFormationModel):
        def __init__(self, name: str) -> None:
            self.name, self.link_id = name, str(uuid.uuid5(uuid.NAMESPACE_URL, name))

        physical_resource_id = property(lambda self: self.link_id)

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return LINK_TYPE

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in ("RepositoryLinkId", "RepositoryLinkArn")

        def get_cfn_attribute(self, attr: str) -> str:
            return self.link_id

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> RepositoryLink:
            props = cloudformation_json["Properties"]
            assert {"ConnectionArn", "OwnerId", "RepositoryName"} <= set(props), props
            assert f":{account_id}:connection/" in props["ConnectionArn"], (props, account_id)
            return cls(f"{account_id}/{props['OwnerId']}/{props['RepositoryName']}")

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert parsing.resource_class_from_type(LINK_TYPE) is RepositoryLink


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, dict[str, dict[str, Any]]]:
    """The demo snapshot, its cfn-git-sync plan and export, and the plan's commands per resource."""
    snap = load_snapshot(DEMO)
    plan, _graph = plan_snapshot(snap, target="cfn-git-sync")
    export = tmp_path_factory.mktemp("gitsync-export")
    run_export("cfn-git-sync", snap, export, plan=plan.to_dict())
    return plan, export, plan_commands(plan)


@pytest.fixture
def cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The local cloud, AWS CLI profiles exodus-<account> (assume-role into each account), and a
    shell environment whose `aws` records CodeConnections calls."""
    from proton_exodus.engine.server import LocalProtonServer

    _add_repository_link_stand_in()
    server = LocalProtonServer().start()
    # moto's state is per process: start every test from an empty cloud
    urllib.request.urlopen(urllib.request.Request(f"{server.url}/moto-api/reset", method="POST"), timeout=30)
    _available_connections(server.url)
    home, bin_dir, log = tmp_path / "home", tmp_path / "bin", tmp_path / "codeconnections.jsonl"
    (home / ".aws").mkdir(parents=True)
    bin_dir.mkdir()
    config = ["[profile exodus-base]", "region = us-east-1"]
    for account in ACCOUNTS:
        config += [
            f"[profile exodus-{account}]",
            f"role_arn = arn:aws:iam::{account}:role/exodus-operator",
            "source_profile = exodus-base",
            "region = us-east-1",
        ]
    (home / ".aws" / "config").write_text("\n".join(config) + "\n")
    (home / ".aws" / "credentials").write_text(
        "[exodus-base]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    wrapper = bin_dir / "aws"
    wrapper.write_text(WRAPPER.format(python=sys.executable, real=str(AWS), log=str(log)))
    wrapper.chmod(0o755)
    # HOME is the CLI's assume-role cache too: a fresh one per server, whose keys it knows
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_PAGER": "",
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_ENDPOINT_URL": server.url,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PROFILE_PREFIX": "exodus-",
        "CONNECTION_NAME": "exodus",
        "REPO_OWNER": "exodus-demo",
        "REPO_NAME": "proton-estate",
        "BRANCH": "main",
    }
    try:
        yield env, log
    finally:
        server.stop()


def _available_connections(url: str) -> None:
    """The runbooks' prerequisite in each account: a connection named `exodus`, AVAILABLE (its provider
    handshake is a person's, in the console), which the repository link in the sync-role stack names."""
    from proton_exodus.engine import moto_codeconnections as cc
    from proton_exodus.engine.cloud import ClientFactory

    for account in ACCOUNTS:
        client = ClientFactory(url).client("codeconnections", account, "us-east-1")
        arn = client.create_connection(ConnectionName="exodus", ProviderType="GitHub")["ConnectionArn"]
        cc.backend(account, "us-east-1").complete_handshake(arn)


def _run(script: str, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        ["sh", "-eu", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{done.stderr[-3000:]}\n--- script ---\n{script[:3000]}"


def _aws_json(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [str(AWS), *args, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def _role_stacks(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    out = {}
    for account in ACCOUNTS:
        stack = _aws_json(
            env,
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            "exodus-cfn-git-sync-role",
            "--region",
            "us-east-1",
            "--profile",
            f"exodus-{account}",
        )["Stacks"][0]
        assert stack["StackId"].split(":")[4] == account
        out[account] = stack
    return out


def _calls(log: Path, op: str) -> list[dict[str, Any]]:
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return [c for c in calls if c["args"][1] == op]


def _arg(call: dict[str, Any], name: str) -> str:
    return call["args"][call["args"].index(name) + 1]


def _check_sync_configurations(log: Path, env: dict[str, str], stack_accounts: dict[str, str]) -> int:
    stacks = _role_stacks(env)
    outputs = {a: {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])} for a, s in stacks.items()}
    for account, stack in stacks.items():
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack
        params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        assert params["OwnerId"] == "exodus-demo" and params["RepositoryName"] == "proton-estate"
        assert params["ConnectionArn"].startswith(f"arn:aws:codeconnections:us-east-1:{account}:connection/")
        assert f":iam::{account}:role/" in outputs[account]["RoleArn"]
    assert len({o["RepositoryLinkId"] for o in outputs.values()}) == len(ACCOUNTS)
    creates = _calls(log, "create-sync-configuration")
    for call in creates:
        stack, account = _arg(call, "--resource-name"), call["account"]
        config = _arg(call, "--config-file")
        assert config.split("/")[1] == account, (stack, config, account)
        if stack in stack_accounts:
            assert stack_accounts[stack] == account, (stack, account)
        assert _arg(call, "--repository-link-id") == outputs[account]["RepositoryLinkId"], stack
        assert _arg(call, "--role-arn") == outputs[account]["RoleArn"], stack
    assert not _calls(log, "create-repository-link")  # the role stack created the one link per account
    return len(creates)


def _accounts(export: Path) -> dict[str, str]:
    """Stack name -> account, from the deployment file paths `deployments/<account>/<region>/<stack>.yaml`
    (the exporter writes them from each stack's ARN)."""
    return {p.stem: p.parent.parent.name for p in (export / "deployments").glob("*/*/*.yaml")}


def test_every_sync_configuration_command_runs_as_its_stacks_account(demo) -> None:
    """All of the demo plan's sync-configuration blocks: the link id, the role and the sync configuration
    are read and created with the credentials (profile) and Region of the stack's own account."""
    plan, export, commands = demo
    accounts = _accounts(export)
    blocks = 0
    for wave in plan.waves:
        for r in wave.resources:
            lines = commands[r.id]["handover"]
            creates = [line for line in lines if "create-sync-configuration" in line]
            if not creates:
                continue
            blocks += 1
            stack = re.search(r"--resource-name (\S+)", creates[0]).group(1)
            profiles = {
                m
                for line in lines
                if line.startswith(("LINK_ID=", "SYNC_ROLE_ARN=", "aws "))
                for m in re.findall(r'--profile "\$\{PROFILE_PREFIX\}(\d{12})"', line)
            }
            assert profiles == {accounts[stack]}, (wave.number, stack, profiles)
            assert all("--region us-east-1" in line for line in lines if "aws " in line)
    assert blocks == sum(
        1 for c in commands.values() if any("create-sync-configuration" in x for x in c["handover"])
    )
    assert "222222222222" in {accounts[s] for s in accounts}


def test_runbook_bootstrap_and_sync_configurations_run_on_the_local_cloud(demo, cloud) -> None:
    """Executed: every account's bootstrap, then the sync configurations of every stack in account
    222222222222 and of the first two in 111111111111, in wave order (each `aws` start-up costs about a
    second here; the static test above covers every block)."""
    plan, export, commands = demo
    env, log = cloud
    env = {**env, "EXPORT": str(export)}
    accounts = _accounts(export)
    taken: dict[str, int] = {}
    lines = []
    for wave in plan.waves:
        for r in wave.resources:
            block = commands[r.id]["handover"]
            if any("create-sync-configuration" in line for line in block):
                account = accounts[r.stack_name]
                taken[account] = taken.get(account, 0) + 1
                if account != "222222222222" and taken[account] > 2:
                    continue
            lines += block
    assert sum(1 for line in lines if "cloudformation deploy" in line) == len(ACCOUNTS)
    _run("\n".join(lines), env, export)
    created = _check_sync_configurations(log, env, accounts)
    assert created == 2 + taken["222222222222"] and taken["222222222222"] >= 3


def test_every_commands_sh_runs_on_the_local_cloud(demo, cloud) -> None:
    _plan, export, _commands = demo
    env, log = cloud
    scripts = sorted((export / "bootstrap").glob("*/*/commands.sh"))
    assert {p.parent.parent.name for p in scripts} == set(ACCOUNTS)
    for script in scripts:
        _run(f"sh {shlex.quote(str(script))}", env, export)
    assert (
        _check_sync_configurations(log, env, _accounts(export))
        == len(list(export.glob("deployments/*/*/*.y*ml"))) - 1
    )  # the stack in ROLLBACK_COMPLETE gets none


def test_every_role_template_parameter_without_default_is_passed(demo) -> None:
    """Static check, independent of what the local cloud emulates: the deploy commands of the runbooks
    and of commands.sh pass every parameter git-sync-role.yaml needs, and nothing creates the repository
    link a second time."""
    plan, export, commands = demo
    deploys = [
        (re.search(r'--template-file "\$EXPORT/(\S+)"', line).group(1), line)
        for c in commands.values()
        for line in c["handover"]
        if "cloudformation deploy" in line
    ]
    deploys += [
        (p.with_name("git-sync-role.yaml").relative_to(export).as_posix(), line)
        for p in (export / "bootstrap").glob("*/*/commands.sh")
        for line in p.read_text().splitlines()
        if "cloudformation deploy" in line
    ]
    assert len(deploys) == 4  # runbook and commands.sh, for each of the two accounts
    for template, line in deploys:
        params = load_template((export / template).read_text())["Parameters"]
        needed = {k for k, v in params.items() if "Default" not in v}
        passed = {kv.split("=", 1)[0] for kv in OVERRIDES.search(line).group(1).split()}
        assert needed <= passed, (line, needed - passed)
    everything = [
        line
        for c in commands.values()
        for key in ("handover", "check", "rollback", "restore")
        for line in c[key]
    ]
    everything += [p.read_text() for p in (export / "bootstrap").glob("*/*/commands.sh")]
    assert not [line for line in everything if "create-repository-link" in line]
