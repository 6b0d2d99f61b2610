"""Find every bundle, component and sample spec in the shared corpus by layout, and build render cases.

Bundles are found by layout (schema/schema.yaml plus a manifest folder), never by a hard-coded list.
Environment outputs are placeholders derived from the compatible environment template's own rendered
`Outputs` (literal values kept, intrinsic ones synthesised from the output's name), and instance outputs
for pipelines likewise from the instance template's `Outputs`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.errors import ExodusError
from proton_exodus.proton.bundle import FOLDERS, Bundle, load_bundle
from proton_exodus.proton.render.cloudformation import check_cloudformation
from proton_exodus.proton.spec import EnvironmentSpec, ServiceSpec, parse_spec
from tests.support.paths import CORPUS

OWN_SPECS = Path(__file__).resolve().parent / "specs"
ACCOUNT = "123456789012"
_STOP = {
    "svc",
    "spec",
    "specs",
    "yaml",
    "yml",
    "env",
    "template",
    "templates",
    "v1",
    "service",
    "environment",
}


def discover_bundles(root: Path = CORPUS) -> list[Path]:
    """Directories laid out as a Proton bundle: schema/schema.yaml next to a manifest folder (or alone)."""
    found = []
    for schema in sorted(root.rglob("schema/schema.yaml")):
        bundle = schema.parent.parent
        if any((bundle / folder / "manifest.yaml").is_file() for folder in FOLDERS) or not any(
            (bundle / folder).is_dir() for folder in FOLDERS
        ):
            found.append(bundle)
    return found


def discover_components(root: Path = CORPUS) -> list[Path]:
    """Directories holding a directly defined component: a manifest naming one file that sits beside it."""
    found = []
    for manifest in sorted(root.rglob("manifest.yaml")):
        if manifest.parent.name in FOLDERS or (manifest.parent / "schema").is_dir():
            continue
        doc = yaml.safe_load(manifest.read_text())
        templates = (doc or {}).get("infrastructure", {}).get("templates") or []
        files = [t.get("file") for t in templates if isinstance(t, dict)]
        if len(files) == 1 and files[0] and (manifest.parent / files[0]).is_file():
            found.append(manifest.parent)
    return found


def repo_of(path: Path) -> Path:
    return CORPUS / path.relative_to(CORPUS).parts[0]


def case_id(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def own_spec_path(bundle: Path) -> Path:
    return OWN_SPECS / (case_id(bundle).replace("/", "__") + ".yaml")


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[-_./]+", text.lower()) if t and t not in _STOP}


def find_specs(bundle: Path, kind: type) -> list[Path]:
    """Spec files shipped near the bundle (its spec/, and spec(s)/ dirs up to the repo), of `kind`."""
    candidates: list[Path] = []
    here, top = bundle, repo_of(bundle)
    while True:
        for sub in ("spec", "specs"):
            candidates += sorted(p for p in (here / sub).glob("*.y*ml") if p.is_file())
        if here == top:
            break
        here = here.parent
    specs = []
    for path in dict.fromkeys(candidates):
        try:
            if isinstance(parse_spec(path.read_text(), source=str(path)), kind):
                specs.append(path)
        except ExodusError:
            continue
    if len(specs) > 1:
        name = _tokens(case_id(bundle))
        matching = [p for p in specs if _tokens(p.stem) & name]
        specs = matching or specs
    if not specs and own_spec_path(bundle).is_file():
        specs = [own_spec_path(bundle)]
    return specs


def placeholder(key: str, account: str = ACCOUNT) -> str:
    """A plausible value for an output whose value is only known after deployment."""
    low = key.lower()
    uid = hashlib.sha256(key.encode()).hexdigest()[
        :17
    ]  # distinct ids per output (subnet lists must be unique)
    rules = [
        ("subnet", f"subnet-{uid}"),
        ("securitygroup", f"sg-{uid}"),
        ("sg", f"sg-{uid}"),
        ("cidr", "10.0.0.0/16"),
        ("vpc", f"vpc-{uid}"),
        ("region", "us-east-1"),
        ("namespaceid", "ns-0123456789abcdef"),
        ("topicname", "ping-topic"),
    ]
    if "arn" in low or "role" in low:
        service = "iam" if "role" in low else "sns" if "topic" in low else "ecs"
        resource = "role/placeholder" if service == "iam" else f"{key.lower()}-placeholder"
        return f"arn:aws:{service}:{'' if service == 'iam' else 'us-east-1'}:{account}:{resource}"
    for needle, value in rules:
        if needle in low:
            return value
    return f"placeholder-{key.lower()}"


def outputs_of(template: dict[str, Any]) -> dict[str, str]:
    """A template's Outputs as a deployed stack would report them (literal or synthesised strings)."""
    out = {}
    for key, body in (template.get("Outputs") or {}).items():
        value = body.get("Value") if isinstance(body, dict) else None
        out[key] = str(value) if isinstance(value, str | int | float) else placeholder(key)
    return out


def tf_outputs_of(folder_files: dict[str, bytes]) -> dict[str, str]:
    names = []
    for name, blob in sorted(folder_files.items()):
        if name.endswith(".tf"):
            names += re.findall(r'^output\s+"([^"]+)"', blob.decode(), flags=re.M)
    return {n: placeholder(n) for n in names}


@dataclass
class Case:
    """One render to perform: target is 'environment', 'instance:<name>', 'pipeline' or 'component'."""

    bundle: Path
    spec: Path | None
    target: str
    env_outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    instance_outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        spec = self.spec.name if self.spec else "-"
        return f"{case_id(self.bundle)}[{spec}:{self.target}]"


@cache
def loaded(path: Path) -> Bundle:
    return load_bundle(path, name=path.parent.name if re.fullmatch(r"v\d+", path.name) else path.name)


def environment_bundles(repo: Path) -> dict[str, Path]:
    """Environment template name -> bundle dir, within one repository."""
    out = {}
    for path in discover_bundles(repo):
        try:
            bundle = loaded(path)
        except ExodusError:
            continue
        if bundle.template_type == "environment":
            out[bundle.name or path.name] = path
    return out


def sample_outputs(bundle: Path) -> dict[str, Any] | None:
    """AWS's template checker ships `spec/sample-outputs.yaml` ({environment: .., service: ..})."""
    path = bundle / "spec" / "sample-outputs.yaml"
    return yaml.safe_load(path.read_text()) if path.is_file() else None


@cache
def env_outputs_for(service_bundle: Path, *, use_samples: bool = False) -> dict[str, str]:
    """Placeholder outputs of the environment a service bundle is compatible with.

    AWS's template-checker `sample-outputs.yaml` values (`public-subnet-1`, `12343-vpc`) are not valid
    ids, so by default only its keys are used, with placeholder values; `use_samples` keeps them as is.
    """
    sample = sample_outputs(service_bundle)
    if sample is not None:
        env = sample.get("environment") or {}
        return {k: str(v) if use_samples else placeholder(k) for k, v in env.items()}
    bundle = loaded(service_bundle)
    envs = environment_bundles(repo_of(service_bundle))
    for env_name, _major in bundle.compatible_environments or [(n, 1) for n in envs]:
        if env_name not in envs:
            continue
        env = loaded(envs[env_name])
        if env.provisioning == "cloudformation":
            spec = find_specs(envs[env_name], EnvironmentSpec)
            inputs = parse_spec(spec[0].read_text()).spec if spec else {}
            from proton_exodus.proton.render import render_environment

            rendered = render_environment(env, name=env_name, inputs=inputs, account_id=ACCOUNT)
            return outputs_of(check_cloudformation(rendered.text or "", source=env_name))
        return tf_outputs_of(env.folder_files("infrastructure"))
    return {}


def service_context(bundle: Bundle):
    from proton_exodus.proton.render import ServiceContext

    if bundle.has_pipeline:
        return ServiceContext(
            bundle.name or "svc",
            "main",
            "my-org/my-repo",
            f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/placeholder",
        )
    return ServiceContext(bundle.name or "svc")


def build_cases() -> list[Case]:
    """Every render the corpus supports: environments, every instance of every spec, every pipeline."""
    cases: list[Case] = []
    for path in discover_bundles():
        try:
            bundle = loaded(path)
        except ExodusError:
            continue  # negative cases are covered by test_corpus_negative
        if bundle.template_type == "environment":
            if bundle.provisioning != "customer-managed":
                cases += [Case(path, spec, "environment") for spec in find_specs(path, EnvironmentSpec)]
            continue
        for spec in find_specs(path, ServiceSpec):
            parsed = parse_spec(spec.read_text())
            cases += [Case(path, spec, f"instance:{inst.name}") for inst in parsed.instances]
            if bundle.has_pipeline:
                cases.append(Case(path, spec, "pipeline"))
    return cases


def instance_outputs(bundle: Bundle, path: Path, spec: ServiceSpec) -> dict[str, dict[str, str]]:
    """Outputs of each instance (for pipelines), from sample-outputs or the rendered instance template."""
    sample = sample_outputs(path)
    if sample is not None:
        return {i.name: {k: str(v) for k, v in (sample.get("service") or {}).items()} for i in spec.instances}
    out = {}
    for inst in spec.instances:
        if bundle.manifests["instance_infrastructure"].language != "cloudformation":
            out[inst.name] = tf_outputs_of(bundle.folder_files("instance_infrastructure"))
            continue
        rendered = render_case(Case(path, None, f"instance:{inst.name}"), spec=spec)  # placeholders
        out[inst.name] = outputs_of(check_cloudformation(rendered.text or "", source=inst.name))
    return out


def render_case(case: Case, *, spec: Any = None, use_samples: bool = False):
    """Render one case with the library API (raw spec inputs; the render applies schema defaults)."""
    from proton_exodus.proton.render import (
        EnvironmentContext,
        InstanceContext,
        render_environment,
        render_pipeline,
        render_service_instance,
    )

    bundle = loaded(case.bundle)
    spec = spec or parse_spec(case.spec.read_text(), source=str(case.spec))
    if case.target == "environment":
        return render_environment(bundle, name="my-env", inputs=spec.spec, account_id=ACCOUNT)
    env_outputs = env_outputs_for(case.bundle, use_samples=use_samples)
    if case.target == "pipeline":
        outs = instance_outputs(bundle, case.bundle, spec)
        instances = [
            InstanceContext(
                i.name,
                i.spec,
                outs.get(i.name, {}),
                EnvironmentContext(i.environment or "env", ACCOUNT, env_outputs),
            )
            for i in spec.instances
        ]
        return render_pipeline(
            bundle, service=service_context(bundle), pipeline_inputs=spec.pipeline, instances=instances
        )
    inst = spec.instance(case.target.split(":", 1)[1])
    return render_service_instance(
        bundle,
        service=service_context(bundle),
        instance_name=inst.name,
        inputs=inst.spec,
        path=f"instances[{spec.instance_index(inst.name)}].spec",
        environment=EnvironmentContext(inst.environment or "env", ACCOUNT, env_outputs),
        components={},
    )
