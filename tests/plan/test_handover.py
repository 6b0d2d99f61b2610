"""Runbook commands name files the export really holds: the demo snapshot is exported to every target,
planned for that target, and every path in the hand-over, check, rollback and restore commands must
exist in that export; the mechanisms never delete an adopted stack and apply a shared file once a wave."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporters import API_VERSION, Registry
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.plan import plan_files, plan_snapshot
from proton_exodus.plan.handover import plan_commands, target_steps
from tests.plan import BUILTIN_EXPORTERS
from tests.plugins.dummy_exporter import exporter as dummy

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"
KEYS = ("handover", "check", "rollback", "restore", "cutover")
LOCAL = re.compile(r'"\$EXPORT/([^"]+)"')  # a file read from the checkout
REPO_PATH = re.compile(r"(?<![\w$/.-])((?:\.github|[a-z][\w.-]*)/[\w./-]+\.(?:ya?ml|json|sh))")
WORKFLOW = re.compile(r"gh (?:workflow (?:enable|disable|run)|run list --workflow) (\S+)")


@pytest.fixture(scope="module")
def demo():
    return load_snapshot(DEMO)


@pytest.fixture(scope="module")
def planned(demo, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """target -> (plan, runbook files, commands, set of files in that target's export of the demo)."""
    out = {}
    for target in BUILTIN_EXPORTERS:
        plan, graph = plan_snapshot(demo, target=target)
        export = tmp_path_factory.mktemp(target)
        run_export(target, demo, export, plan=plan.to_dict())
        files = {p.relative_to(export).as_posix() for p in export.rglob("*") if p.is_file()}
        out[target] = (plan, plan_files(plan, graph), plan_commands(plan), files)
    return out


def _lines(cmds: dict, keys: tuple[str, ...] = KEYS) -> list[str]:
    return [line for c in cmds.values() for key in keys for line in c[key]]


def referenced(line: str) -> set[str]:
    """Export paths a command line names: local reads, repository paths and GitHub workflow names."""
    found = set(LOCAL.findall(line))
    rest = LOCAL.sub("", line)
    found |= {p for p in REPO_PATH.findall(rest) if not p.startswith(".aws-proton/")}
    found |= {f".github/workflows/{name}" for name in WORKFLOW.findall(rest) if "/" not in name}
    return found


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_every_runbook_path_exists_in_the_export(planned, target: str) -> None:
    plan, runbooks, cmds, files = planned[target]
    paths = {p for line in _lines(cmds) for p in referenced(line)}
    assert paths, f"{target}: the runbooks name no export file at all"
    missing = sorted(paths - files)
    assert not missing, f"{target}: runbooks name files the export lacks: {missing[:5]}"
    text = "\n".join(body for name, body in runbooks.items() if name.startswith("wave-"))
    for line in _lines(cmds):
        assert line in text, f"{target}: command not rendered: {line}"
    by_kind = {r.kind for w in plan.waves for r in w.resources if cmds[r.id]["handover"]}
    assert {"environment", "service_instance", "service_pipeline", "component"} <= by_kind


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_every_movable_stack_is_handed_over(planned, target: str) -> None:
    plan, _, cmds, files = planned[target]
    for wave in plan.waves:
        for r in wave.resources:
            c = cmds[r.id]
            if r.kind == "environment_account_connection" or c["manual"]:
                continue
            if r.blocked_by:  # held back: a file applied now would deploy it (a pipeline runs at once)
                assert c["handover"] == [c["handover"][0]] and "held back by the plan" in c["handover"][0]
                assert not c["check"] and not c["rollback"] and not c["cutover"]
                continue
            named = {p for line in c["handover"] for p in referenced(line)}
            assert named and named <= files, f"{target} wave {wave.number}: {r.label} hands over {named}"


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_rollback_never_deletes_an_adopted_stack(planned, target: str) -> None:
    plan, _, cmds, _ = planned[target]
    stacks = {r.stack_name for w in plan.waves for r in w.resources if r.stack_name}
    for line in _lines(cmds, ("rollback", "restore")):
        if line.startswith("#"):
            continue
        assert not any(f"delete-stack --stack-name {s} " in line for s in stacks), line
        assert "kubectl delete" not in line or "/stacks/" not in line, line


def test_codepipeline_deploys_each_pipeline_once_per_wave(planned) -> None:
    plan, _, cmds, _ = planned["codepipeline"]
    created: dict[str, int] = {}
    for wave in plan.waves:
        deploys = [
            p
            for r in wave.resources
            for line in cmds[r.id]["handover"]
            if line.startswith("aws cloudformation deploy")
            for p in LOCAL.findall(line)
            if p.startswith("pipelines/")
        ]
        assert len(deploys) == len(set(deploys)), f"wave {wave.number} repeats a pipeline: {deploys}"
        for path in deploys:
            created.setdefault(path, wave.number)
        for r in wave.resources:
            for line in cmds[r.id]["rollback"]:
                match = re.search(r"delete-stack --stack-name (exodus-pipeline-\S+)", line)
                if match:  # only the wave that created a pipeline deletes it
                    group = match.group(1).removeprefix("exodus-pipeline-").replace("-", "/", 1)
                    assert created[f"pipelines/{group}.yaml"] == wave.number
    assert {"pipelines/environments/dev.yaml", "pipelines/services/orders-api.yaml"} <= set(created)
    later = next(w for w in plan.waves if any(cmds[r.id]["restore"] for r in w.resources))
    assert any(
        "start-pipeline-execution --name exodus-" in line
        for r in later.resources
        for line in cmds[r.id]["handover"]
    ), "an updated pipeline is run again"


def test_argocd_rollback_orphans(planned) -> None:
    plan, runbooks, cmds, _ = planned["argocd"]
    for r in (r for w in plan.waves for r in w.resources):
        lines = cmds[r.id]["rollback"]
        for i, line in enumerate(lines):
            if line.startswith("kubectl delete") and "/apps/projects/" not in line:
                assert '"finalizers":null' in lines[i - 1], (
                    f"{r.label}: delete without dropping the finalizer"
                )
                if "/apps/environments/" in line or "/apps/pipelines/" in line:
                    assert line.endswith("--cascade=orphan")
    env = next(r for w in plan.waves for r in w.resources if r.kind == "environment" and r.name == "dev")
    assert cmds[env.id]["handover"][-2:] == [
        'kubectl apply -n argocd -f "$EXPORT/apps/environments/dev.yaml"',
        "kubectl -n argocd patch application env-dev --type merge -p "
        '\'{"operation":{"initiatedBy":{"username":"exodus-runbook"},"sync":{"syncStrategy":{"hook":{}}}}}\'',
    ]


def test_github_actions_names_environment_workflows(planned) -> None:
    plan, _, cmds, _ = planned["github-actions"]
    prod = next(r for w in plan.waves for r in w.resources if r.kind == "environment" and r.name == "prod")
    assert (
        'gh workflow run environments-prod.yml --repo "$REPOSITORY" --ref "$BRANCH"'
        in cmds[prod.id]["handover"]
    )


class _Bare:
    """A third-party exporter with no optional hook at all."""

    name, summary, api_version = "bare", "no hooks", API_VERSION

    def export(self, ctx):  # pragma: no cover - never called
        raise AssertionError


THIRD_PARTY = Registry({"dummy": lambda: dummy, "bare": lambda: _Bare()})


def test_target_without_layout_falls_back_to_its_readme(demo) -> None:
    plan, _ = plan_snapshot(demo, target="bare", registry=THIRD_PARTY)
    cmds = plan_commands(plan, target_steps("bare", THIRD_PARTY))
    stacked = [
        r for w in plan.waves for r in w.resources if r.stack_name and r.provisioning == "cloudformation"
    ]
    assert stacked and all("README.md" in cmds[r.id]["manual"] for r in stacked)
    assert all(not cmds[r.id]["handover"] for r in stacked)


def test_third_party_target_without_runbook_lists_its_files(demo) -> None:
    """The dummy exporter names its files (`handover`) but gives no commands: the runbook lists each file
    to apply once a wave, says the target gives no commands, and sets no target variables."""
    plan, graph = plan_snapshot(demo, target="dummy", registry=THIRD_PARTY)
    files = plan_files(plan, graph, registry=THIRD_PARTY)
    cmds = plan_commands(plan, target_steps("dummy", THIRD_PARTY))
    env = next(r for w in plan.waves for r in w.resources if r.kind == "environment" and r.name == "dev")
    path = f"stacks/{env.extra.get('stack_account') or env.account}/{env.region}/{env.stack_name}.txt"
    assert cmds[env.id]["handover"] == [
        f"# apply {path} as the export's README.md says (the dummy target gives no commands)"
    ]
    assert cmds[env.id]["rollback"] == [f"# undo applying {path} as the export's README.md says"]
    assert not any(c["check"] or c["restore"] for c in cmds.values())
    wave = files["wave-01.md"]
    assert "Target: `dummy`" in wave and "--target dummy" in wave
    assert "BRANCH=main                      # branch the target deploys from\n```" in wave
    text = "\n".join(body for name, body in files.items() if name.startswith("wave-"))
    assert "the target can take over from" in text and "the dummy target gives no commands" in text


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_builtin_targets_give_a_runbook_through_the_registry(target: str) -> None:
    steps = target_steps(target)
    assert steps.layout is not None and type(steps.runbook).__module__.startswith("exporters.")
    assert steps.runbook.variables and steps.runbook.takes_over_from


def test_git_sync_rollback_removes_the_shared_role_stack_only_with_the_last_wave_using_it(planned) -> None:
    """Every wave using an account and Region may be rolled back first: each one's rollback deletes its
    own sync configurations, then deletes the sync role stack only when no sync configuration uses its
    repository link any more; no rollback deletes it unconditionally, and the runbook says so."""
    from exporters.cfn_git_sync.layout import ROLE_STACK

    plan, runbooks, cmds, _ = planned["cfn-git-sync"]
    checked = 0
    for wave in plan.waves:
        places = {
            (r.extra.get("stack_account") or r.account, r.extra.get("stack_region") or r.region)
            for r in wave.resources
            if any("create-sync-configuration" in line for line in cmds[r.id]["handover"])
        }
        lines = [line for r in reversed(wave.resources) for line in cmds[r.id]["rollback"]]
        assert not any(
            line.startswith(f"aws cloudformation delete-stack --stack-name {ROLE_STACK}") for line in lines
        )
        for account, region in places:
            at = f'--region {region} --profile "${{PROFILE_PREFIX}}{account}"'
            guarded = [
                i
                for i, line in enumerate(lines)
                if line.startswith('if [ "$IN_USE" = "0" ]; then aws cloudformation delete-stack')
                and f"--stack-name {ROLE_STACK} {at};" in line
            ]
            own = [i for i, line in enumerate(lines) if "delete-sync-configuration" in line and at in line]
            assert len(guarded) == 1 and own and max(own) < guarded[0], (wave.number, account, region)
            assert "list-sync-configurations" in lines[guarded[0] - 1] and at in lines[guarded[0] - 1]
            checked += 1
        if places:
            text = runbooks[f"wave-{wave.number:02d}.md"]
            assert "the last wave using it to be rolled back removes it" in " ".join(text.split())
    assert checked > len(plan.waves)  # the demo's waves use both accounts


@pytest.mark.parametrize("target", ["terraform", "spacelift"])
def test_every_wave_inits_the_modules_it_plans_before_it_plans_them(planned: dict, target: str) -> None:
    """`.terraform/` is ignored by the export's .gitignore, so a wave run from a fresh checkout has none:
    every wave's runbook inits each module (the account's root module; Spacelift's configuration) before
    its first plan or apply there, also when an earlier wave prepared the account."""
    _, files, _, _ = planned[target]
    module = re.compile(r'-chdir="\$EXPORT"/(\S+) (init|plan|apply)\b')
    checked = 0
    for name, text in sorted(files.items()):
        if not name.startswith("wave-"):
            continue
        body = text.split("## Exit checks")[0]
        initialised: set[str] = set()
        for path, verb in module.findall(body):
            if verb == "init":
                initialised.add(path)
            else:
                assert path in initialised, f"{name}: {verb} in {path} before its init"
                checked += 1
    assert checked >= 30
