"""Shell commands of the plan and export, run as written: every line of a ```sh block with the real `aws`
CLI (and `jq`) against the rehearsal's endpoint, with the credentials the block says to use for each
account (`# account N, ...: use credentials for this account` switches to a role in account N, assumed
through STS as an operator's profile would). A command that exits non-zero is a failed step.

This runs PLANNED_CHANGES.md's staging of secrets (before the first wave: the Parameter Store Strings
the exported templates read), and every wave runbook's commands (`run_wave_runbooks`, below).
`SNAPSHOT=path/to/snapshot` is set to the snapshot rehearsed; when
it has no secrets.json, a stand-in one holds the placeholder text the rebuilt stacks carry (so the staged
value is the deployed one), and the step says so. `aws` is the CLI kept warm by `warm_aws` (the same
CLI code without its start-up per command)."""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from proton_exodus.model.secrets import PLACEHOLDER_RE
from proton_exodus.rehearse.model import BLOCKED, FAILED, OK, Step
from proton_exodus.rehearse.warm_aws import shell_path, warm_aws

_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.S | re.M)
_ACCOUNT = re.compile(r"#\s*account (\d{12}), Region ([a-z0-9-]+): use credentials for this account")
_ASSIGN = re.compile(r"^([A-Z_][A-Z0-9_]*)=(\S*)")
REHEARSAL_ROLE = "exodus-rehearsal"  # the role an operator's profile assumes in each account
COMMAND_TIMEOUT = 300


def shell_lines(markdown: str) -> list[str]:
    """The lines of every ```sh block, in order (blank lines dropped, comments kept: they switch accounts)."""
    return [ln for block in _BLOCK.findall(markdown) for ln in block.splitlines() if ln.strip()]


def stand_in_secrets(planned: Mapping[str, object], work: Path) -> Path:
    """A snapshot folder with a secrets.json whose values are the placeholders the rebuilt stacks carry."""
    ids = sorted(
        {str(s.get("secretId")) for s in planned.get("stage") or [] if isinstance(s, Mapping)}  # type: ignore[union-attr]
    )
    folder = work / "stand-in-snapshot"
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        i: f"{{{{exodus:secret:{i}}}}}" for i in ids if PLACEHOLDER_RE.fullmatch(f"{{{{exodus:secret:{i}}}}}")
    }
    (folder / "secrets.json").write_text(
        json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return folder


@functools.lru_cache(maxsize=4)
def _clients(endpoint_url: str) -> Any:
    """One client factory per endpoint: a boto3 client costs ~0.1 s of CPU to build (its models), and the
    runbooks switch accounts some 80 times on the demo."""
    from proton_exodus.engine.cloud import ClientFactory

    return ClientFactory(endpoint_url)


def _credentials(endpoint_url: str, account: str, region: str) -> dict[str, str]:
    sts = _clients(endpoint_url).client("sts", account, region)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{REHEARSAL_ROLE}", RoleSessionName="exodus-rehearse"
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "AWS_DEFAULT_REGION": region,
    }


def run_lines(
    lines: list[str],
    *,
    source: str,
    endpoint_url: str,
    variables: Mapping[str, str],
    cwd: Path,
    wave: int = 0,
    action: str = "runbook",
) -> Iterator[Step]:
    """One Step per command line of `source`; `variables` replace the operator's placeholder assignments."""
    with warm_aws() as aws:
        yield from _run_lines(lines, source, endpoint_url, variables, cwd, wave, action, shell_path(aws))


def _run_lines(
    lines: list[str],
    source: str,
    endpoint_url: str,
    variables: Mapping[str, str],
    cwd: Path,
    wave: int,
    action: str,
    path: str,
) -> Iterator[Step]:
    home = cwd / "home"
    home.mkdir(parents=True, exist_ok=True)
    base = {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_PAGER": "",
        **variables,
    }
    creds: dict[str, str] = {}
    account = region = ""
    for line in lines:
        switch = _ACCOUNT.search(line)
        if switch:
            account, region = switch.groups()
            creds = _credentials(endpoint_url, account, region)
            continue
        if line.lstrip().startswith("#"):
            continue
        assign = _ASSIGN.match(line)
        if assign and assign.group(1) in variables:
            continue  # the operator's placeholder (e.g. SNAPSHOT=path/to/snapshot): set above
        step = Step(wave, action, source, account, region, command=line.strip())
        if not creds:
            step.outcome, step.message = FAILED, "no account named before this command: whose credentials?"
            yield step
            continue
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line],
            cwd=cwd,
            env={**base, **creds},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            out = [ln for ln in (proc.stdout + "\n" + proc.stderr).splitlines() if ln.strip()]
            step.outcome = FAILED
            step.message = f"exit {proc.returncode}: " + (out[-1].strip() if out else "no output")
        else:
            step.outcome = OK
        yield step


# ---------------------------------------------------------------------------------- the wave runbooks
# plan/wave-NN.md as a person runs it: "before" = entry checks and steps (ahead of the deployer), "after" =
# exit checks; each ```sh line with the credentials its comment or `--profile` names. `exodus` and `git`
# lines are the rehearsal's own export, commit and deployer: recorded as manual steps, not run twice.

MANUAL = "manual"
_SECTION = re.compile(r"^## (.+)$", re.M)
_PHASES = {"Entry checks": "before", "Steps": "before", "Exit checks": "after", "Rollback": "rollback"}
_WITH = re.compile(r"^\s*#.*\baccount (\d{12})")
_ASSIGNS = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s*)+(?:#.*)?$")
_CAPTURE = re.compile(r"^([A-Z_][A-Z0-9_]*)=(\$\(.*\))$")
_PERSON = ("exodus", "git")
_ENV_PREFIX = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=(?:\"[^\"]*\"|'[^']*'|\S*)\s+)+")
_PROFILE = re.compile(r"--profile \"?\$\{PROFILE_PREFIX\}(\d{12})")
_NAMED = re.compile(r"--(?:stack|resource)-name (\S+)")
# what a check's `--query` may print when the hand-over took (stack status, sync status, drift status,
# a Service Catalog provisioned product's status)
GOOD = frozenset(
    {
        "AVAILABLE",
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "SUCCEEDED",
        "IN_SYNC",
        "Succeeded",  # a CodePipeline execution's status (ListPipelineExecutions)
    }
)


_INDENTED = re.compile(r"^([ \t]*)```(?:sh|bash|shell)[ \t]*\n(.*?)^\1```", re.S | re.M)


def block_lines(markdown: str) -> list[str]:
    """The lines of every ```sh block, also those indented under a list item, in order."""
    return [ln.strip() for _, block in _INDENTED.findall(markdown) for ln in block.splitlines() if ln.strip()]


def wave_runbook(markdown: str, phase: str) -> list[tuple[str, list[str]]]:
    """(section, command lines) of one phase of a wave runbook, in document order; the variable block
    before the first section comes first (section "setup"), in every phase."""
    parts = _SECTION.split(markdown)
    out = [("setup", block_lines(parts[0]))]
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        if _PHASES.get(title.strip()) == phase:
            out.append((title.strip(), block_lines(body)))
    return out


def write_profiles(home: Path, endpoint_url: str, places: list[tuple[str, str]], prefix: str) -> None:
    """The operator's AWS CLI profiles `<prefix><account>`: credentials of the rehearsal role, per account."""
    creds, config = [], []
    for account, region in sorted(set(places)):
        c = _credentials(endpoint_url, account, region)
        creds += [
            f"[{prefix}{account}]",
            f"aws_access_key_id = {c['AWS_ACCESS_KEY_ID']}",
            f"aws_secret_access_key = {c['AWS_SECRET_ACCESS_KEY']}",
            f"aws_session_token = {c['AWS_SESSION_TOKEN']}",
            "",
        ]
        config += [f"[profile {prefix}{account}]", f"region = {region}", ""]
    home.mkdir(parents=True, exist_ok=True)
    (home / "aws-credentials").write_text("\n".join(creds), encoding="utf-8")
    (home / "aws-config").write_text("\n".join(config), encoding="utf-8")


def run_script(
    sections: list[tuple[str, list[str]]],
    *,
    source: str,
    endpoint_url: str,
    variables: Mapping[str, str],
    cwd: Path,
    wave: int,
    regions: Mapping[str, str],
    held: Mapping[str, str] | None = None,
    stand_ins: Mapping[str, str] | None = None,
) -> Iterator[Step]:
    """One Step per command, as a person runs the runbook in one shell: assignments carry to later lines,
    `# ... account N` comments switch the default credentials, `--profile` picks the profile's. A check
    (a `--query` of the entry or exit checks) fails when it prints anything but a good state. A command
    on a stack the plan holds back (`held`: stack name -> the plan's reason), or using a value captured
    from one, is not run: a person fixes that unit first (reported `blocked`)."""
    with warm_aws() as aws:
        yield from _run_script(
            sections,
            source,
            endpoint_url,
            variables,
            cwd,
            wave,
            regions,
            held or {},
            shell_path(aws),
            stand_ins or {},
        )


def _run_script(
    sections: list[tuple[str, list[str]]],
    source: str,
    endpoint_url: str,
    variables: Mapping[str, str],
    cwd: Path,
    wave: int,
    regions: Mapping[str, str],
    held: Mapping[str, str],
    path: str,
    stand_ins: Mapping[str, str],
) -> Iterator[Step]:
    home = cwd / "home"
    env = {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_PAGER": "",
        **variables,
    }
    creds: dict[str, str] = {}
    account = ""
    held_values: dict[str, str] = {}  # variables captured from a held-back stack's command -> reason
    for section, lines in sections:
        for line in lines:
            switch = _WITH.match(line)
            if switch:
                account = switch.group(1)
                creds = _credentials(endpoint_url, account, regions.get(account, "us-east-1"))
                continue
            if line.lstrip().startswith("#"):
                continue
            if _ASSIGNS.match(line):  # the operator's settings: the rehearsal's values win
                _assign(line, env, variables, cwd)
                why = _naming_held(line, held)
                for name in re.findall(r"([A-Z_][A-Z0-9_]*)=", line.split("#", 1)[0]):
                    held_values.pop(name, None)  # a new value: what it held back is over
                    if why is not None:  # a held-back stack's value (its adoption file): users wait
                        held_values[name] = why
                continue
            command = line.strip()
            named = _NAMED.search(command)
            on = named.group(1) if named else source
            profile = _PROFILE.search(command)
            who = profile.group(1) if profile else account
            step = Step(wave, "runbook", on, who, regions.get(who, ""), command=command)
            capture = _CAPTURE.match(command)
            uses = (r for v, r in held_values.items() if f"${v}" in command or f"${{{v}}}" in command)
            why = held.get(on) or _naming_held(command, held) or next(uses, None)
            if capture and why is None:
                held_values.pop(capture.group(1), None)  # captured anew from a unit that is not held
            if why is not None:
                if capture:
                    held_values[capture.group(1)] = why
                step.outcome, step.message = BLOCKED, f"not run: {why}"
                yield step
                continue
            program = _ENV_PREFIX.sub("", capture.group(2)[2:] if capture else command).split(" ", 1)[0]
            program = env.get(program[1:], program) if program.startswith("$") else program  # $TF
            if program in _PERSON:
                step.outcome = MANUAL
                step.message = f"{section}: an operator's `{program}` command; the rehearsal's own export, "
                step.message += "commit and deployer stand for it"
                yield step
                continue
            if program in stand_ins:  # the target's own tool, whose effect the deployer emulates
                step.outcome = MANUAL
                step.message = f"{section}: `{program}` is the target's own tool; {stand_ins[program]}"
                yield step
                continue
            script = f"{command}\nprintf '\\0%s' \"${capture.group(1)}\"" if capture else command
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=cwd,
                env={**env, **creds},
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
            out = proc.stdout
            if capture:
                out, _, value = out.rpartition("\0")
                env[capture.group(1)] = value
            printed = out.strip().strip('"')
            if proc.returncode != 0:
                lines_out = [ln for ln in (proc.stdout + "\n" + proc.stderr).splitlines() if ln.strip()]
                step.outcome = FAILED
                step.message = f"exit {proc.returncode}: " + (lines_out[-1].strip() if lines_out else "")
            elif capture and value in ("", "None"):
                step.outcome, step.message = FAILED, f"{capture.group(1)} is empty: the query found nothing"
            elif section.endswith("checks") and "--query" in command and not capture and printed not in GOOD:
                step.outcome, step.message = FAILED, f"{section}: printed {printed or 'nothing'}"
            else:
                step.outcome = OK
                step.message = f"printed {printed}" if printed and section.endswith("checks") else ""
            yield step


def _naming_held(line: str, held: Mapping[str, str]) -> str | None:
    """The plan's reason when `line` names a held-back stack anywhere (`--provisioned-product-name`, an
    adoption file's path...), not only as `--stack-name`; None otherwise."""
    return next((why for stack, why in held.items() if stack and stack in line), None)


def _assign(line: str, env: dict[str, str], fixed: Mapping[str, str], cwd: Path) -> None:
    """A settings line (`NAME=value  # comment`): names the rehearsal fixes keep its value; the others
    take the value bash gives it (quotes removed, `$EXPORT/...` expanded), as the person's shell would."""
    for name, value in re.findall(r"([A-Z_][A-Z0-9_]*)=(\S*)", line.split("#", 1)[0]):
        if name in fixed:
            continue
        if not re.search(r"[\"'$\\`~]", value):
            env[name] = value
            continue
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", f"printf '%s' {value}"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        env[name] = proc.stdout if proc.returncode == 0 else value


REPOSITORY = ("exodus-rehearsal", "export")  # owner and name the rehearsal's repository link names
CONNECTION = "exodus-rehearsal"


def run_wave_runbooks(
    plan_dir: Path,
    phase: str,
    waves: list[tuple[int, list[Any]]],
    export_dir: Path,
    work: Path,
    endpoint_url: str,
    *,
    snapshot_dir: Path | None = None,
    rebuilt: bool = True,
    held: Mapping[str, str] | None = None,
    stand_ins: Mapping[str, str] | None = None,
    settings: Any = None,
) -> list[Step]:
    """Every command of `phase` ("before": entry checks and steps; "after": exit checks; "rollback") of
    each wave's runbook in `plan_dir`, wave by wave. Before the first wave, in a cloud the rehearsal
    rebuilt, the CodeConnections connection the runbooks expect exists in every account and Region (its
    console handshake is a person's: a manual step) and the export is the linked repository."""
    files = sorted(Path(plan_dir).glob("wave-*.md"))
    by_number = {int(re.sub(r"\D", "", p.stem)): p for p in files}
    places = sorted({(t.account, t.region) for _, ts in waves for t in ts if t.account and t.region})
    regions = dict(places)
    work.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    if phase == "before":
        write_profiles(work / "home", endpoint_url, places, "exodus-")
        steps += _connections(places, export_dir, work, endpoint_url, rebuilt)
    variables = {
        "SNAPSHOT": str(snapshot_dir or work / "snapshot"),
        "PLAN": str(plan_dir),
        "EXPORT": str(export_dir),
        "BRANCH": "main",
        "PROFILE_PREFIX": "exodus-",
        "CONNECTION_NAME": CONNECTION,
        "REPO_OWNER": REPOSITORY[0],
        "REPO_NAME": REPOSITORY[1],
    }
    if callable(settings):  # the target's operator settings, as the rehearsal's local cloud has them
        snapshot = Path(variables["SNAPSHOT"])
        variables.update(settings(places, export_dir, endpoint_url, work_dir=work, snapshot_dir=snapshot))
    with warm_aws():  # one server for every wave's commands (or the rehearsal's, when it holds one)
        for number, _ in waves:
            steps += _wave_steps(
                by_number.get(number), number, phase, variables, work, endpoint_url, regions, held, stand_ins
            )
    return steps


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create `bucket` in `region` unless the account has it already: what a person makes once before the
    runbooks (a state, template or artifact bucket), for `runbook_settings` hooks. us-east-1 takes no
    LocationConstraint; every other Region needs one."""
    if bucket in {b["Name"] for b in s3.list_buckets().get("Buckets") or []}:
        return
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **where)


def _wave_steps(
    path: Path | None,
    number: int,
    phase: str,
    variables: Mapping[str, str],
    work: Path,
    endpoint_url: str,
    regions: Mapping[str, str],
    held: Mapping[str, str] | None,
    stand_ins: Mapping[str, str] | None = None,
) -> list[Step]:
    if path is None:
        return [Step(number, "runbook", f"wave {number}", outcome=FAILED, message="no runbook file")]
    sections = wave_runbook(path.read_text(encoding="utf-8"), phase)
    return list(
        run_script(
            sections,
            source=path.name,
            endpoint_url=endpoint_url,
            variables=variables,
            cwd=work,
            wave=number,
            regions=regions,
            held=held,
            stand_ins=stand_ins,
        )
    )


def _connections(
    places: list[tuple[str, str]], export_dir: Path, work: Path, endpoint_url: str, rebuilt: bool
) -> list[Step]:
    """The runbooks' prerequisite: an AVAILABLE connection named CONNECTION per account and Region."""
    from proton_exodus.engine.cloud import ClientFactory
    from proton_exodus.rehearse.repo import commit_export

    steps = []
    if rebuilt:
        from proton_exodus.engine import moto_codeconnections as cc

        _, _commit = commit_export(export_dir, work / "linked-repository")
        cc.serve_repository(*REPOSITORY, work / "linked-repository" / "repository.git")
    for account, region in places:
        step = Step(0, "runbook", f"connection {CONNECTION}", account, region)
        step.command = (
            f"aws codeconnections create-connection --connection-name {CONNECTION} --provider-type GitHub"
        )
        if not rebuilt:
            step.outcome, step.message = (
                MANUAL,
                "the connection must exist and be AVAILABLE (not created here)",
            )
            steps.append(step)
            continue
        client = ClientFactory(endpoint_url).client("codeconnections", account, region)
        known = [c for c in client.list_connections()["Connections"] if c["ConnectionName"] == CONNECTION]
        arn = (
            known[0]["ConnectionArn"]
            if known
            else client.create_connection(ConnectionName=CONNECTION, ProviderType="GitHub")["ConnectionArn"]
        )
        cc.backend(account, region).complete_handshake(arn)
        step.outcome = MANUAL
        step.message = "created PENDING; the provider handshake (a person, in the console) made it AVAILABLE"
        steps.append(step)
    return steps
