"""Shared helpers for exporter tests: snapshots of stacks rendered from corpus bundles by the real
Proton renderer, and running an exporter in memory."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.synthetic import stack_name_for

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
ACCOUNT, REGION = "123456789012", "us-east-1"


def corpus_environment_snapshot(bundle_dir: Path, spec_file: Path, names: list[str],
                                vary: dict[str, list[Any]] | None = None) -> Snapshot:
    """Environments of one corpus environment bundle, each deployed with the rendered template."""
    from proton_exodus.bundle import load_bundle
    from proton_exodus.render import render_environment
    from proton_exodus.spec import parse_spec

    bundle = load_bundle(bundle_dir, name=bundle_dir.parent.name)
    base = parse_spec(spec_file.read_text()).spec
    files = {p.relative_to(bundle_dir).as_posix(): p.read_bytes() for p in sorted(bundle_dir.rglob("*")) if p.is_file()}
    tname = bundle_dir.parent.name
    snap = Snapshot(meta={"source": "test"})
    rel = f"bundles/environment/{tname}/1.0"
    snap.bundles[rel] = files
    snap.records["environment_template_versions"] = [{
        "templateName": tname, "majorVersion": "1", "minorVersion": "0", "bundle": rel,
        "schema": files["schema/schema.yaml"].decode(), "account": ACCOUNT, "region": REGION}]
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
        envs.append({"name": name, "arn": arn, "templateName": tname, "templateMajorVersion": "1",
                     "templateMinorVersion": "0", "deploymentStatus": "SUCCEEDED", "spec": spec,
                     "stackName": stack, "account": ACCOUNT, "region": REGION, "outputs": {}})
        stacks.append({"StackName": stack, "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/x",
                       "StackStatus": "UPDATE_COMPLETE", "Parameters": [], "Outputs": [],
                       "Tags": [{"Key": "proton:environment", "Value": arn}], "Capabilities": [],
                       "account": ACCOUNT, "region": REGION, "resourceArn": arn, "resourceKind": "environment",
                       "templatePath": tpath, "reachable": True})
    snap.records["environments"] = envs
    snap.stacks = stacks
    return snap
