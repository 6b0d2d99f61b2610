"""Shared helpers for exporter tests: snapshots of stacks rendered from corpus bundles by the real
Proton renderer, and running an exporter in memory."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.testing.templates import stack_name_for

ACCOUNT, REGION = "123456789012", "us-east-1"


def corpus_environment_snapshot(
    bundle_dir: Path, spec_file: Path, names: list[str], vary: dict[str, list[Any]] | None = None
) -> Snapshot:
    """Environments of one corpus environment bundle, each deployed with the rendered template."""
    from proton_exodus.proton.bundle import load_bundle
    from proton_exodus.proton.render import render_environment
    from proton_exodus.proton.spec import parse_spec

    bundle = load_bundle(bundle_dir, name=bundle_dir.parent.name)
    base = parse_spec(spec_file.read_text()).spec
    files = {
        p.relative_to(bundle_dir).as_posix(): p.read_bytes()
        for p in sorted(bundle_dir.rglob("*"))
        if p.is_file()
    }
    tname = bundle_dir.parent.name
    snap = Snapshot(meta={"source": "test"})
    rel = f"bundles/environment/{tname}/1.0"
    snap.bundles[rel] = files
    snap.records["environment_template_versions"] = [
        {
            "templateName": tname,
            "majorVersion": "1",
            "minorVersion": "0",
            "bundle": rel,
            "schema": files["schema/schema.yaml"].decode(),
            "account": ACCOUNT,
            "region": REGION,
        }
    ]
    envs, stacks = [], []
    for i, name in enumerate(names):
        inputs = copy.deepcopy(base)
        for key, values in (vary or {}).items():
            inputs[key] = values[i % len(values)]
        body = render_environment(bundle, name=name, inputs=inputs, account_id=ACCOUNT).text or ""
        stack = stack_name_for(name)
        arn = f"arn:aws:proton:{REGION}:{ACCOUNT}:environment/{name}"
        tpath = f"stacks/{ACCOUNT}/{REGION}/{stack}.template"
        snap.templates[tpath] = body
        spec = yaml.safe_dump({"proton": "EnvironmentSpec", "spec": inputs}, sort_keys=True)
        envs.append(
            {
                "name": name,
                "arn": arn,
                "templateName": tname,
                "templateMajorVersion": "1",
                "templateMinorVersion": "0",
                "deploymentStatus": "SUCCEEDED",
                "spec": spec,
                "stackName": stack,
                "account": ACCOUNT,
                "region": REGION,
                "outputs": {},
            }
        )
        stacks.append(
            {
                "StackName": stack,
                "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/x",
                "StackStatus": "UPDATE_COMPLETE",
                "Parameters": [],
                "Outputs": [],
                "Tags": [{"Key": "proton:environment", "Value": arn}],
                "Capabilities": [],
                "account": ACCOUNT,
                "region": REGION,
                "resourceArn": arn,
                "resourceKind": "environment",
                "templatePath": tpath,
                "reachable": True,
            }
        )
    snap.records["environments"] = envs
    snap.stacks = stacks
    return snap


def corpus_service_snapshot(bundle_dir: Path, spec_file: Path) -> Snapshot:
    """One service of a corpus service bundle: its instances and pipeline deployed with the templates the
    real renderer produces (environment outputs are the render tests' placeholders)."""
    from proton_exodus.proton.render import EnvironmentContext, render_service_instance
    from proton_exodus.proton.spec import parse_spec
    from tests.proton.render.corpus_cases import Case, env_outputs_for, loaded, render_case, service_context

    bundle = loaded(bundle_dir)
    spec = parse_spec(spec_file.read_text())
    svc = service_context(bundle)
    files = {
        p.relative_to(bundle_dir).as_posix(): p.read_bytes()
        for p in sorted(bundle_dir.rglob("*"))
        if p.is_file()
    }
    tname = bundle.name or bundle_dir.parent.name
    rel = f"bundles/service/{tname}/1.0"
    snap = Snapshot(meta={"source": "test"}, bundles={rel: files})
    snap.records["service_template_versions"] = [
        {
            "templateName": tname,
            "majorVersion": "1",
            "minorVersion": "0",
            "bundle": rel,
            "schema": files["schema/schema.yaml"].decode(),
            "account": ACCOUNT,
            "region": REGION,
        }
    ]
    base = {
        "account": ACCOUNT,
        "region": REGION,
        "templateName": tname,
        "templateMajorVersion": "1",
        "templateMinorVersion": "0",
        "serviceName": svc.name,
        "spec": spec_file.read_text(),
    }
    svc_arn = f"arn:aws:proton:{REGION}:{ACCOUNT}:service/{svc.name}"
    snap.records["services"] = [
        {
            "name": svc.name,
            "arn": svc_arn,
            "account": ACCOUNT,
            "region": REGION,
            "spec": spec_file.read_text(),
            "repositoryId": svc.repository_id,
            "branchName": svc.branch_name,
            "repositoryConnectionArn": svc.repository_connection_arn,
        }
    ]
    env_outputs = env_outputs_for(bundle_dir)
    envs = sorted({i.environment or "env" for i in spec.instances})
    snap.records["environments"] = [
        {
            "name": e,
            "arn": f"arn:aws:proton:{REGION}:{ACCOUNT}:environment/{e}",
            "account": ACCOUNT,
            "region": REGION,
            "outputs": env_outputs,
        }
        for e in envs
    ]
    for index, inst in enumerate(spec.instances):
        body = (
            render_service_instance(
                bundle,
                service=svc,
                instance_name=inst.name,
                inputs=inst.spec,
                environment=EnvironmentContext(inst.environment or "env", ACCOUNT, env_outputs),
                components={},
                path=f"instances[{index}].spec",
            ).text
            or ""
        )
        arn = f"{svc_arn}/service-instance/{inst.name}"
        _add_stack(
            snap,
            "service_instances",
            {**base, "name": inst.name, "arn": arn, "environmentName": inst.environment or "env"},
            body,
        )
    if bundle.has_pipeline and "pipeline_infrastructure/manifest.yaml" in files:
        body = render_case(Case(bundle_dir, spec_file, "pipeline")).text or ""
        _add_stack(snap, "service_pipelines", {**base, "arn": f"{svc_arn}/pipeline"}, body)
    return snap


def _add_stack(snap: Snapshot, kind: str, record: dict[str, Any], body: str) -> None:
    name = stack_name_for(record["serviceName"], record.get("name", "pipeline"))
    tpath = f"stacks/{ACCOUNT}/{REGION}/{name}.template"
    snap.templates[tpath] = body
    snap.records.setdefault(kind, []).append({**record, "stackName": name, "deploymentStatus": "SUCCEEDED"})
    snap.stacks.append(
        {
            "StackName": name,
            "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/x",
            "StackStatus": "UPDATE_COMPLETE",
            "Parameters": [],
            "Outputs": [],
            "Tags": [],
            "Capabilities": ["CAPABILITY_IAM"],
            "account": ACCOUNT,
            "region": REGION,
            "resourceArn": record["arn"],
            "resourceKind": kind[:-1],
            "templatePath": tpath,
            "reachable": True,
        }
    )
