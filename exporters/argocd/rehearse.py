"""The `argocd` deployer, emulated for `exodus rehearse`: Argo CD syncs the Applications (and the ones its
ApplicationSets generate) from a real local Git repository, within their AppProject's permissions, and
provider-aws-cloudformation reconciles each Crossplane `Stack` (TARGETS.md §5.3):

- Argo CD refuses a sync when the project does not admit the source repository, the destination, or a
  resource the sync creates: the `Stack` (cluster-scoped) and, with `CreateNamespace=true`, the
  destination `Namespace` must be in `clusterResourceWhitelist`
  (https://argo-cd.readthedocs.io/en/stable/user-guide/projects/);
- the provider acts in the account of its ProviderConfig's role (`assumeRoleChain`) and adopts the stack
  named `forProvider.name` whose id is the `crossplane.io/external-name` annotation; it first
  **Observes** (DescribeStacks; an observed stack that does not exist is never created without `Create`);
- then **Update** (README step 3: `managementPolicies: [Observe, Update, LateInitialize]`) with
  `templateBody`, `parameters`, `capabilities` and `tags`: the provider calls UpdateStack, no change
  set; the rehearsal computes the same effect through a change set it describes, then executes;
- unless the provider runs with `--skip-default-tags` (a DeploymentRuntimeConfig arg in the bootstrap),
  it adds `crossplane-kind`, `crossplane-name` and `crossplane-providerconfig` to the stack's tags."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporters._pipelines.rehearse import role_account
from exporters.argocd import kustomize
from exporters.argocd.bootstrap import OBSERVE_ACTIONS, ROLE_NAME
from proton_exodus.errors import BadInput
from proton_exodus.rehearse.changeset import (
    ChangeSetRun,
    execute_change_set,
    judge,
    run_change_set,
    stack_or_none,
)
from proton_exodus.rehearse.model import FAILED, SKIPPED, RehearsalContext, Step
from proton_exodus.rehearse.repo import commit_export

STACK_GROUP, STACK_KIND = "cloudformation.aws.upbound.io", "Stack"
_GO_VAR = re.compile(r"\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class App:
    """An Argo CD Application, as applied or generated."""

    name: str
    file: str  # the apps/ file that applies or generates it
    project: str
    repo: str
    path: str
    server: str
    namespace: str
    sync_options: tuple[str, ...]


def _docs(path: Path, rel: str) -> list[dict[str, Any]]:
    try:
        return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
    except (OSError, yaml.YAMLError) as err:
        raise BadInput(f"{rel}: not readable YAML ({str(err).splitlines()[0]})") from None


def _render(node: Any, values: Mapping[str, Any]) -> Any:
    """An ApplicationSet template with `{{.key}}` from one list element (goTemplate, missingkey=error)."""
    if isinstance(node, str):

        def one(m: re.Match[str]) -> str:
            if m.group(1) not in values:
                raise BadInput(f"ApplicationSet template: map has no entry for key {m.group(1)!r}")
            return str(values[m.group(1)])

        return _GO_VAR.sub(one, node)
    if isinstance(node, list):
        return [_render(n, values) for n in node]
    if isinstance(node, Mapping):
        return {k: _render(v, values) for k, v in node.items()}
    return node


def _app(doc: Mapping[str, Any], rel: str) -> App:
    spec = doc.get("spec") or {}
    source, dest = spec.get("source") or {}, spec.get("destination") or {}
    return App(
        str((doc.get("metadata") or {}).get("name", "")),
        rel,
        str(spec.get("project", "default")),
        str(source.get("repoURL", "")),
        str(source.get("path", "")).strip("/"),
        str(dest.get("server", "")),
        str(dest.get("namespace", "")),
        tuple(str(o) for o in ((spec.get("syncPolicy") or {}).get("syncOptions") or [])),
    )


def applications(checkout: Path) -> tuple[list[App], dict[str, dict[str, Any]]]:
    """Every Application under apps/ (ApplicationSets' list generators expanded) and the AppProjects."""
    apps, projects = [], {}
    for path in sorted((checkout / "apps").glob("**/*.y*ml")):
        rel = path.relative_to(checkout).as_posix()
        for doc in _docs(path, rel):
            kind = doc.get("kind")
            if kind == "AppProject":
                projects[str((doc.get("metadata") or {}).get("name", ""))] = doc.get("spec") or {}
            elif kind == "Application":
                apps.append(_app(doc, rel))
            elif kind == "ApplicationSet":
                spec = doc.get("spec") or {}
                for gen in spec.get("generators") or []:
                    for element in (gen.get("list") or {}).get("elements") or []:
                        apps.append(_app(_render(spec.get("template") or {}, element), rel))
    return apps, projects


def _allowed(rules: list[Mapping[str, Any]], group: str, kind: str, name: str) -> bool:
    return any(
        fnmatch.fnmatchcase(group, str(r.get("group", "")))
        and fnmatch.fnmatchcase(kind, str(r.get("kind", "")))
        and fnmatch.fnmatchcase(name, str(r.get("name") or "*"))
        for r in rules
    )


def project_denies(app: App, project: Mapping[str, Any] | None) -> list[str]:
    """Why Argo CD would refuse to sync `app` in its project (empty when it may)."""
    if project is None:
        return [f"Application {app.name} references project {app.project}, which does not exist"]
    why = []
    repos = [str(r) for r in project.get("sourceRepos") or []]
    if not any(fnmatch.fnmatchcase(app.repo, r) for r in repos):
        why.append(f"application repo {app.repo} is not permitted in project '{app.project}'")
    dests = project.get("destinations") or []
    if not any(
        fnmatch.fnmatchcase(app.server, str(d.get("server", "")))
        and fnmatch.fnmatchcase(app.namespace, str(d.get("namespace", "")))
        for d in dests
    ):
        why.append(
            f"application destination {app.server} {app.namespace} is not permitted in project "
            f"'{app.project}'"
        )
    cluster = list(project.get("clusterResourceWhitelist") or [])
    if not _allowed(cluster, STACK_GROUP, STACK_KIND, "*"):
        why.append(f"resource {STACK_GROUP}:{STACK_KIND} is not permitted in project {app.project}")
    if "CreateNamespace=true" in app.sync_options and not _allowed(cluster, "", "Namespace", app.namespace):
        why.append(f"resource :Namespace {app.namespace} is not permitted in project {app.project}")
    return why


def stack_objects(checkout: Path, app_path: str) -> list[dict[str, Any]]:
    """The Crossplane Stacks an Application at `app_path` applies: Kustomize's build when the path has a
    kustomization.yaml (Argo CD's tool detection), else every YAML file under it (directory, recursive)."""
    if (checkout / app_path / kustomize.KUSTOMIZATION).is_file():
        return [d for d in kustomize.render(checkout, app_path) if d.get("kind") == STACK_KIND]
    found = []
    for path in sorted((checkout / app_path).glob("**/*.y*ml")):
        rel = path.relative_to(checkout).as_posix()
        found += [d for d in _docs(path, rel) if d.get("kind") == STACK_KIND]
    return found


def _runtime_args(doc: Mapping[str, Any]) -> list[str]:
    """The args a DeploymentRuntimeConfig gives the provider's own container (`package-runtime`)."""
    spec = (((doc.get("spec") or {}).get("deploymentTemplate") or {}).get("spec") or {}).get("template") or {}
    containers = (spec.get("spec") or {}).get("containers") or []
    return [
        str(a)
        for c in containers
        if (c or {}).get("name") == "package-runtime"
        for a in (c.get("args") or [])
    ]


def provider_accounts(checkout: Path) -> tuple[dict[str, str], bool]:
    """ProviderConfig name -> the account its (last) assumed role lives in; and whether the provider runs
    with --skip-default-tags: its `runtimeConfigRef` (Crossplane's `default` when it names none) is a
    DeploymentRuntimeConfig of the bootstrap passing that flag to the `package-runtime` container."""
    accounts: dict[str, str] = {}
    runtime: dict[str, list[str]] = {}
    refs: list[str] = []
    for path in sorted((checkout / "bootstrap").glob("*.y*ml")):
        rel = path.relative_to(checkout).as_posix()
        for doc in _docs(path, rel):
            if doc.get("kind") == "ProviderConfig":
                chain = (doc.get("spec") or {}).get("assumeRoleChain") or []
                role = str((chain[-1] if chain else {}).get("roleARN", ""))
                accounts[str((doc.get("metadata") or {}).get("name", ""))] = role_account(role)
            if doc.get("kind") == "DeploymentRuntimeConfig":
                runtime[str((doc.get("metadata") or {}).get("name", ""))] = _runtime_args(doc)
            if doc.get("kind") == "Provider" and "provider-aws-cloudformation" in str(
                (doc.get("spec") or {}).get("package", "")
            ):
                refs.append(
                    str(((doc.get("spec") or {}).get("runtimeConfigRef") or {}).get("name") or "default")
                )
    skip = bool(refs) and all("--skip-default-tags" in runtime.get(r, []) for r in refs)
    return accounts, skip


# What stands for the runbook's `kubectl` lines (rehearse/runbook.py records them, does not run them): they
# talk to the Argo CD cluster, which is not here; this module performs what they make Argo CD do.
STAND_INS = {
    "kubectl": (
        "the rehearsal's Argo CD sync emulation (exporters/argocd/rehearse.py) stands for the cluster: "
        "it reads the Applications, ApplicationSets and AppProjects from the export's commit, refuses a "
        "sync the project does not admit, and reconciles each Crossplane Stack as "
        "provider-aws-cloudformation does (Observe, then Update as a change set, described first); the "
        "rollback's orphaning deletes leave every stack, which the rehearsal's rollback checks"
    )
}


def runbook_settings(
    places: Sequence[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path | None = None,
    snapshot_dir: Path | None = None,
) -> dict[str, str]:
    """No settings to give; creates what README.md's Bootstrap has a person create first: the role each
    account's ProviderConfig assumes (`exodus-crossplane`), with the observe-only permissions it lists.
    Its trust is IRSA from the cluster's OIDC provider, and there is no cluster here: it trusts the
    account instead (the sync emulation acts through the account's own credentials)."""
    from proton_exodus.engine.cloud import ClientFactory

    factory = ClientFactory(endpoint_url)
    for account in sorted({a for a, _ in places}):
        iam = factory.client("iam", account, "us-east-1")
        if ROLE_NAME in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
            continue
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        observe = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(OBSERVE_ACTIONS), "Resource": "*"}],
        }
        iam.put_role_policy(
            RoleName=ROLE_NAME, PolicyName="exodus-observe", PolicyDocument=json.dumps(observe)
        )
    return {}


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `deploy` step per stack of the waves, in wave order: Argo CD's sync of the Application that
    holds its Stack, then the provider's Observe and Update."""
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir, "repo-server")
    apps, projects = applications(checkout)
    accounts, skip_tags = provider_accounts(checkout)
    where: dict[str, tuple[App, dict[str, Any]]] = {}
    broken: list[str] = []  # Applications Argo CD cannot render (ComparisonError): their Stacks never sync
    for app in apps:
        try:
            objects = stack_objects(checkout, app.path)
        except BadInput as err:
            broken.append(f"{app.name} ({app.path}): {err}")
            continue
        for obj in objects:
            name = str(((obj.get("spec") or {}).get("forProvider") or {}).get("name", ""))
            where.setdefault(name, (app, obj))
    for number, targets in ctx.waves:
        for target in targets:
            step = Step(number, "deploy", target.stack_name, target.account, target.region)
            found = where.get(target.stack_name)
            if found is None and broken:
                step.outcome = FAILED
                step.message = "no Application renders a Stack for it; Argo CD cannot render " + "; ".join(
                    broken
                )
                yield step
                continue
            if found is None:
                step.outcome, step.message = SKIPPED, "no Application of the export holds a Stack for it"
                yield step
                continue
            yield _sync(ctx, commit, step, *found, projects, accounts, skip_tags)


def _sync(
    ctx: RehearsalContext,
    commit: str,
    step: Step,
    app: App,
    obj: Mapping[str, Any],
    projects: Mapping[str, Mapping[str, Any]],
    accounts: Mapping[str, str],
    skip_tags: bool,
) -> Step:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    fp = spec.get("forProvider") or {}
    config = str((spec.get("providerConfigRef") or {}).get("name", "default"))
    step.command = (
        f"argocd sync {app.name} ({app.file}, project {app.project}, {app.path}@{commit[:12]}): "
        f"Stack {meta.get('name')} observe, then update (providerConfig {config})"
    )
    denied = project_denies(app, projects.get(app.project))
    if denied:
        step.outcome, step.message = FAILED, "Argo CD refuses the sync: " + "; ".join(denied)
        return step
    acting = accounts.get(config, "")
    if acting != step.account:
        step.outcome = FAILED
        step.message = (
            f"ProviderConfig {config} acts in account {acting or '(none)'}, the stack lives in {step.account}"
        )
        return step
    region = str(fp.get("region") or step.region)
    cfn = ctx.cloudformation(step.account, region)
    observed = stack_or_none(cfn, step.stack)
    if observed is None:
        step.outcome = FAILED
        step.message = "Observe: the stack does not exist (without Create the provider never creates it)"
        return step
    notes = []
    external = str((meta.get("annotations") or {}).get("crossplane.io/external-name", ""))
    stack_id = str(observed.get("StackId", "")).rsplit("/", 1)[-1]
    if external != stack_id:
        if not ctx.rebuilt:
            step.outcome = FAILED
            step.message = f"Observe: external-name {external} is not the stack's id {stack_id}"
            return step
        notes.append("external-name names the recorded stack id; the rebuilt stack has a new one")
    body = str(fp.get("templateBody") or "")
    current = cfn.get_template(StackName=step.stack).get("TemplateBody", "")
    notes.append(
        "observed: templateBody "
        + ("equals" if (current if isinstance(current, str) else "") == body else "differs from")
        + " the stack's template"
    )
    tags = {str(k): str(v) for k, v in (fp.get("tags") or {}).items()}
    if not skip_tags:
        tags.update(
            {
                "crossplane-kind": "stack.cloudformation.aws.upbound.io",
                "crossplane-name": str(meta.get("name", "")),
                "crossplane-providerconfig": config,
            }
        )
    params = {str(k): str(v) for k, v in (fp.get("parameters") or {}).items()}
    run: ChangeSetRun = run_change_set(
        cfn,
        step.stack,
        body,
        params,
        tags,
        name=f"exodus-crossplane-{commit[:12]}",
        role_arn=str(fp.get("iamRoleArn") or "") or None,
        execute=False,
        capabilities=[str(c) for c in fp.get("capabilities") or []],
        poll=ctx.poll,
        timeout=ctx.timeout,
    )
    if run.change_set_type == "CREATE":
        run.error = run.error or "the change set would create the stack"
    if not run.error:
        notes.append("update: managementPolicies [Observe, Update, LateInitialize] (README step 3)")
        execute_change_set(cfn, step.stack, run, poll=ctx.poll, timeout=ctx.timeout)
    step.message = "; ".join(notes)
    return judge(step, run, body, f"{app.path} Stack {meta.get('name')}")


__all__ = ["applications", "project_denies", "rehearse"]


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as an operator makes it in the GitOps repository: `edit` gets the Crossplane Stack's
    `templateBody` (as Kustomize renders it: a shared template's) and `parameters` (the Stack whose
    `forProvider.name` is the stack) and returns them changed; the Stack's file is rewritten. A changed
    template never edits a shared one: the Stack gets it inline and leaves the shared component."""
    export_dir = Path(export_dir)
    for path in sorted((export_dir / "stacks").glob("**/*.y*ml")):
        rel = path.relative_to(export_dir).as_posix()
        if path.name == kustomize.KUSTOMIZATION:
            continue
        docs = _docs(path, rel)
        for doc in docs:
            fp = ((doc.get("spec") or {}).get("forProvider")) or {}
            if doc.get("kind") != STACK_KIND or fp.get("name") != stack_name:
                continue
            params = {str(k): str(v) for k, v in (fp.get("parameters") or {}).items()}
            directory = path.parent.relative_to(export_dir).as_posix()
            shared = "templateBody" not in fp
            if shared:
                rendered = [
                    d
                    for d in stack_objects(export_dir, directory)
                    if ((d.get("spec") or {}).get("forProvider") or {}).get("name") == stack_name
                ]
                body = str(
                    ((rendered[0].get("spec") or {}).get("forProvider") or {}).get("templateBody") or ""
                )
            else:
                body = str(fp.get("templateBody") or "")
            after, new_params = edit(body, dict(params))
            if after == body and new_params == params:
                return []
            changed = [rel]
            if after != body:
                fp["templateBody"] = after
                if shared:
                    changed.append(_leave_component(export_dir, directory))
            if new_params != params:
                fp["parameters"] = dict(sorted(new_params.items()))
            path.write_text(
                yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False, width=1000),
                encoding="utf-8",
            )
            return sorted(changed)
    raise BadInput(f"the export has no Crossplane Stack for {stack_name} under stacks/")


def _leave_component(export_dir: Path, directory: str) -> str:
    """The stack directory's kustomization.yaml without its shared template component (its Stack now
    holds its own template)."""
    rel = f"{directory}/{kustomize.KUSTOMIZATION}"
    doc = yaml.safe_load((export_dir / rel).read_text(encoding="utf-8"))
    doc.pop("components", None)
    (export_dir / rel).write_text(
        yaml.safe_dump(doc, sort_keys=False, default_flow_style=False), encoding="utf-8"
    )
    return rel
