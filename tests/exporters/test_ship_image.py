"""Day 2 after the hand-over: a service pipeline rewritten by the github-actions and codepipeline exporters
ships a new image. The converted shell steps run in order (bash, `aws` against the local cloud, `docker`
a recording fake), and the only change to the instance stack is its task definition's image: a
create-only property of AWS::ECS::TaskDefinition, so a replacement (a new revision), as expected."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml

from exporters.codepipeline import exporter as codepipeline
from exporters.github_actions import exporter as github_actions
from proton_exodus.cfn.effects import predict_replacement
from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import resolve_parameters
from proton_exodus.cfn.text import load_template
from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.testing.synthetic import SyntheticSize
from tests.exporters._pipelines.estates import synthetic_context

SHA = "0123456789abcdef0123456789abcdef01234567"
REGION = "us-east-1"
_PROTON = 'aws proton --region "$AWS_DEFAULT_REGION"'


def _codebuild_project(name: str, variables: dict[str, str], phases: str) -> str:
    """A CodeBuild project of the pipeline stack (the YAML under its logical id): both projects differ only
    in name, environment variables and build phases."""
    env = "".join(
        f"          - Name: {key}\n            Value: {value}\n" for key, value in variables.items()
    )
    return f"""    Type: AWS::CodeBuild::Project
    Properties:
      Name: {name}
      ServiceRole: arn:aws:iam::123456789012:role/build
      Artifacts: {{Type: CODEPIPELINE}}
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/amazonlinux2-x86_64-standard:5.0
        EnvironmentVariables:
{env}      Source:
        Type: CODEPIPELINE
        BuildSpec: |
          version: 0.2
          phases:
{phases}"""


_BUILD_PHASES = f"""\
            pre_build:
              commands:
                - cd "$CODEBUILD_SRC_DIR/services/app"
                - aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS \
--password-stdin "${{REPOSITORY_URI%%/*}}"
            build:
              commands:
                - IMAGE_ID="$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION"
                - docker build -t "$IMAGE_ID" -f "Dockerfile" .
                - docker push "$IMAGE_ID"
            post_build:
              commands:
                - {_PROTON} get-service --name "$SERVICE_NAME" | jq -r .service.spec > service.yaml
                - yq -i ".instances[].spec.image = \\"$IMAGE_ID\\"" service.yaml
          artifacts:
            base-directory: services/app
            files:
              - service.yaml
"""
_DEPLOY_PHASES = f"""\
            build:
              commands:
                - {_PROTON} update-service-instance --deployment-type CURRENT_VERSION \
--name "$SERVICE_INSTANCE_NAME" --service-name "$SERVICE_NAME" --spec file://service.yaml
                - {_PROTON} wait service-instance-deployed --name "$SERVICE_INSTANCE_NAME" \
--service-name "$SERVICE_NAME"
"""
_BUILD_VARIABLES = {"REPOSITORY_URI": "!GetAtt ImageRepository.RepositoryUri", "SERVICE_NAME": "__SERVICE__"}
_DEPLOY_VARIABLES = {"SERVICE_NAME": "__SERVICE__", "SERVICE_INSTANCE_NAME": "__INSTANCE__"}

# A Proton service pipeline as the demo's bundle renders it (one instance): build and push an image, write
# it into the service spec, deploy each instance through Proton.
PIPELINE = f"""AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ImageRepository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: ship/app
  BuildProject:
{_codebuild_project("app-build", _BUILD_VARIABLES, _BUILD_PHASES)}\
  DeployProject:
{_codebuild_project("app-deploy", _DEPLOY_VARIABLES, _DEPLOY_PHASES)}\
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/pipeline
      ArtifactStore: {{Type: S3, Location: bucket}}
      Stages:
        - Name: Source
          Actions:
            - Name: Checkout
              ActionTypeId: {{Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: '1'}}
              Configuration: {{ConnectionArn: arn, FullRepositoryId: org/app, BranchName: main}}
              OutputArtifacts: [{{Name: SourceOutput}}]
        - Name: Build
          Actions:
            - Name: BuildImage
              ActionTypeId: {{Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}}
              Configuration: {{ProjectName: !Ref BuildProject}}
              InputArtifacts: [{{Name: SourceOutput}}]
              OutputArtifacts: [{{Name: BuildOutput}}]
        - Name: Deploy-__INSTANCE__
          Actions:
            - Name: Deploy
              ActionTypeId: {{Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}}
              Configuration: {{ProjectName: !Ref DeployProject}}
              InputArtifacts: [{{Name: BuildOutput}}]
Outputs:
  ImageRepositoryUri:
    Value: !GetAtt ImageRepository.RepositoryUri
"""

# What the local cloud can create of the pipeline stack: the repository and the output the build reads.
PIPELINE_STAND_IN = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ImageRepository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: ship/app
Outputs:
  ImageRepositoryUri:
    Value: !GetAtt ImageRepository.RepositoryUri
"""

FAKE_DOCKER = """#!/bin/sh
echo "$*" >> "$EXODUS_DOCKER_LOG"
cat > /dev/null
"""


@pytest.fixture(scope="module")
def estate():
    """A one-instance synthetic estate whose service pipeline is the demo-like PIPELINE."""
    ctx = synthetic_context(SyntheticSize(environments=1, services=1, instances_per_service=1))
    instance = next(u for u in ctx.units if u.kind == "service_instance")
    pipeline = next(u for u in ctx.units if u.kind == "service_pipeline")
    text = PIPELINE.replace("__SERVICE__", str(instance.service)).replace("__INSTANCE__", instance.name)
    units = tuple(dataclasses.replace(u, deployed_template=text) if u is pipeline else u for u in ctx.units)
    return dataclasses.replace(ctx, units=units), instance, pipeline


@pytest.fixture()
def cloud(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    (bin_dir / "python3").symlink_to(sys.executable)  # the deploy step's python3 needs PyYAML
    real_yq, jq = shutil.which("yq"), shutil.which("jq")
    if not real_yq or not jq:
        pytest.skip("jq and yq are needed to run the build steps")
    if "jq wrapper" in subprocess.run([real_yq, "-h"], capture_output=True, text=True).stdout:
        # runners have mikefarah's yq v4 (`yq -i EXPR FILE` writes YAML); this one is the jq wrapper
        (bin_dir / "yq").write_text(f'#!/bin/sh\nexec {real_yq} -y "$@"\n')
        (bin_dir / "yq").chmod(0o755)
    with LocalProtonServer() as server:
        requests.post(f"{server.url}/moto-api/reset", timeout=30)  # moto's state is per process
        env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": server.url,
            "EXODUS_DOCKER_LOG": str(tmp_path / "docker.log"),
        }
        for key, value in env.items():
            if key.startswith("AWS_"):
                monkeypatch.setenv(key, value)
        yield server, env


def _client(server: LocalProtonServer, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=server.url)


def _deploy(
    cfn: Any,
    stack: str,
    template: str,
    parameters: dict[str, str],
    tags: dict[str, str],
    *,
    create: bool = False,
) -> None:
    """Create the stack, or update it through a change set (as the environment pipeline does)."""
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    kind = "CREATE" if create else "UPDATE"
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="handover",
        ChangeSetType=kind,
        TemplateBody=template,
        Parameters=params,
        Tags=tag_list,
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.get_waiter("change_set_create_complete").wait(StackName=stack, ChangeSetName="handover")
    cfn.execute_change_set(StackName=stack, ChangeSetName="handover")
    cfn.get_waiter("stack_create_complete" if create else "stack_update_complete").wait(StackName=stack)


def _resources(cfn: Any, stack: str) -> dict[str, str]:
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
    }


def _hand_over(
    server: LocalProtonServer, files: dict[str, str], instance: Any, pipeline: Any
) -> dict[str, str]:
    """The estate as Proton left it, then the instance stack's first deploy from the export."""
    cfn = _client(server, "cloudformation")
    cluster = load_template(instance.deployed_template)["Resources"]["Service"]["Properties"]["Cluster"]
    _client(server, "ecs").create_cluster(clusterName=cluster)
    _deploy(
        cfn,
        str(instance.stack_name),
        str(instance.deployed_template),
        dict(instance.parameters),
        dict(instance.tags),
        create=True,
    )
    _deploy(cfn, str(pipeline.stack_name), PIPELINE_STAND_IN, {}, {}, create=True)
    before = _resources(cfn, str(instance.stack_name))
    # TEMPLATES.json says which (shared) template and which configuration file the stack deploys from
    (entry,) = [s for s in json.loads(files["TEMPLATES.json"])["stacks"] if s["stack"] == instance.stack_name]
    template, config = files[entry["templateFile"]], json.loads(files[entry["parameterFile"]])
    assert (
        config["Parameters"]["Image"] == instance.inputs["image"]
    )  # today's value: the first deploy keeps it
    # CloudFormation compares the template after parameter resolution: the same as deployed, a no-op
    # (the local cloud's change sets compare raw resource JSON, so a `Ref` there reads as a change).
    deployed = load_normalised(str(instance.deployed_template))
    resolved = resolve_parameters(load_normalised(template), config["Parameters"])
    # a shared template's Description is general (a planned NoResourceChange); resources are equal
    assert {**resolved, "Description": ""} == {**deployed, "Description": ""}
    _deploy(cfn, str(instance.stack_name), template, config["Parameters"], config["Tags"])
    after = _resources(cfn, str(instance.stack_name))
    assert set(after) == set(before)
    return after


def _run(script: str, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"step failed ({done.returncode}):\n{script}\n--- stderr\n{done.stderr}"


def _expand(value: str, workspace: Path) -> str:
    github = {"github.workspace": str(workspace), "github.sha": SHA, "github.run_number": "7"}
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: github[m.group(1)], value)


def _run_job(job: dict[str, Any], base: dict[str, str], workspace: Path, artifacts: dict[str, Path]) -> None:
    """A GitHub Actions job: its `run:` steps in order (each a new bash in `working-directory` or the
    workspace, as on a runner), $GITHUB_ENV between steps, artifacts kept in `artifacts`."""
    env = {**base, **{k: _expand(str(v), workspace) for k, v in (job.get("env") or {}).items()}}
    github_env = workspace.parent / f"{workspace.name}.env"
    for step in job["steps"]:
        uses = step.get("uses", "")
        if uses.startswith("actions/upload-artifact"):
            artifacts[step["with"]["name"]] = workspace / step["with"]["path"]
        elif uses.startswith("actions/download-artifact"):
            source = artifacts[step["with"]["name"]]
            shutil.copy(source, workspace / step["with"]["path"] / source.name)
        elif "run" in step:
            github_env.write_text("")
            cwd = workspace / (step.get("working-directory") or ".")
            _run(step["run"], {**env, "GITHUB_ENV": str(github_env), "GITHUB_RUN_ID": "99"}, cwd)
            for line in github_env.read_text().splitlines():
                key, _, value = line.partition("=")
                env[key] = value


def _workspace(root: Path, name: str) -> Path:
    workspace = root / name
    (workspace / "services" / "app").mkdir(parents=True)
    (workspace / "services" / "app" / "Dockerfile").write_text("FROM scratch\n")
    return workspace


def _assert_only_the_image_changed(
    server: LocalProtonServer, files: dict[str, str], instance: Any, handed_over: dict[str, str], image: str
) -> None:
    cfn, ecs = _client(server, "cloudformation"), _client(server, "ecs")
    stack = cfn.describe_stacks(StackName=str(instance.stack_name))["Stacks"][0]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    # one parameter changed: the image; the shared template's others keep the instance's values
    handed = _handed_over_parameters(files, instance)
    assert params == {**handed, "Image": image} and handed["Image"] != image
    now = _resources(cfn, str(instance.stack_name))
    changed = sorted(k for k in now if now[k] != handed_over.get(k))
    # ContainerDefinitions is create-only: a new image is a new task definition revision (a replacement)
    assert (
        predict_replacement("AWS::ECS::TaskDefinition", "Properties.ContainerDefinitions[0].Image") == "True"
    )
    assert changed == ["TaskDefinition"]
    old = _containers(ecs, handed_over["TaskDefinition"])
    new = _containers(ecs, now["TaskDefinition"])
    assert [c.pop("image") for c in old] == [instance.inputs["image"]]
    assert [c.pop("image") for c in new] == [image]
    # nothing else in the containers changed (the local cloud keeps CloudFormation's key casing on create
    # and ECS's on update: compare keys case-insensitively)
    assert _folded(new) == _folded(old)


def _handed_over_parameters(files: dict[str, str], instance: Any) -> dict[str, str]:
    """The parameters of the instance's template configuration as exported (its first deploy)."""
    (entry,) = [s for s in json.loads(files["TEMPLATES.json"])["stacks"] if s["stack"] == instance.stack_name]
    return dict(json.loads(files[entry["parameterFile"]])["Parameters"])


def _folded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _folded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_folded(v) for v in value]
    return value


def _containers(ecs: Any, arn: str) -> list[dict[str, Any]]:
    """A task definition's containers. Read from the local cloud's state: its DescribeTaskDefinition
    drops the fields of a definition CloudFormation registered (it keeps CloudFormation's key names)."""
    from moto.ecs.models import ecs_backends

    ecs.describe_task_definition(taskDefinition=arn)  # it exists (a revision, not an edit)
    account, region = arn.split(":")[4], arn.split(":")[3]
    found = ecs_backends[account][region].describe_task_definition(arn).container_definitions
    return [{k[:1].lower() + k[1:]: v for k, v in c.items()} for c in found]


def _repository_uri(server: LocalProtonServer, pipeline: Any) -> str:
    outputs = _client(server, "cloudformation").describe_stacks(StackName=str(pipeline.stack_name))["Stacks"][
        0
    ]
    return next(o["OutputValue"] for o in outputs["Outputs"] if o["OutputKey"] == "ImageRepositoryUri")


def test_github_actions_service_workflow_ships_a_new_image(estate, cloud, tmp_path) -> None:
    ctx, instance, pipeline = estate
    server, env = cloud
    files = dict(github_actions.export(ctx).files)
    handed_over = _hand_over(server, files, instance, pipeline)
    workflow = yaml.safe_load(next(t for p, t in files.items() if p.endswith("pipeline.yml")))
    artifacts: dict[str, Path] = {}
    for index, job in enumerate(workflow["jobs"].values()):  # jobs are in stage order, one per action
        _run_job(job, env, _workspace(tmp_path, f"job{index}"), artifacts)
    image = f"{_repository_uri(server, pipeline)}:{SHA}"
    docker = (tmp_path / "docker.log").read_text().splitlines()
    assert docker[1:] == [f"build -t {image} -f Dockerfile .", f"push {image}"]
    _assert_only_the_image_changed(server, files, instance, handed_over, image)


def test_codepipeline_service_pipeline_ships_a_new_image(estate, cloud, tmp_path) -> None:
    """The rewritten buildspecs, run as CodeBuild runs them: every phase's commands in one shell, the
    project's variables set (REPOSITORY_URI from the stack), the output artifact from base-directory."""
    from exporters._pipelines import build_steps

    ctx, instance, pipeline = estate
    server, env = cloud
    files = dict(codepipeline.export(ctx).files)
    handed_over = _hand_over(server, files, instance, pipeline)
    converted = next(t for p, t in files.items() if p.endswith(f"/{pipeline.stack_name}.yaml"))
    uri = _repository_uri(server, pipeline)
    previous: Path | None = None
    for index, step in enumerate(build_steps(converted, [instance.name])):
        workspace = _workspace(tmp_path, f"build{index}")
        if previous is not None:
            shutil.copy(previous, workspace / previous.name)
        variables = {
            **env,
            **step.variables,
            "CODEBUILD_SRC_DIR": str(workspace),
            "CODEBUILD_RESOLVED_SOURCE_VERSION": SHA,
            "CODEBUILD_BUILD_NUMBER": "7",
        }
        variables.update({var: uri for var in step.stack_outputs})
        commands = [
            c for phase in ("install", "pre_build", "build", "post_build") for c in step.phases.get(phase, [])
        ]
        _run("\n".join(commands), variables, workspace)
        if step.artifacts:
            previous = workspace / step.base_directory / step.artifacts[0]
    _assert_only_the_image_changed(server, files, instance, handed_over, f"{uri}:{SHA}")
