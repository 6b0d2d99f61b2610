"""Bundle loading: layouts, Proton's limits and safe in-memory archive reading,
each with a precise message."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from proton_exodus.errors import BundleError, SchemaError
from proton_exodus.proton.bundle import load_bundle, load_component, load_template_sync_repo
from tests.proton.render.helpers import ENV_SCHEMA, env_bundle, svc_bundle
from tests.support.bundles import CFN_MANIFEST, TF_MANIFEST, build_file_tree, tar_gz, tar_members, zip_bytes


def load(tmp_path: Path, files: dict, **kw):
    return load_bundle(build_file_tree(tmp_path / "b", files), **kw)


def fails(tmp_path: Path, files: dict, match: str, **kw) -> None:
    with pytest.raises(BundleError, match=match):
        load(tmp_path, files, **kw)


def test_environment_and_service_bundles_load(tmp_path: Path) -> None:
    env = load(tmp_path, env_bundle())
    assert (env.template_type, env.provisioning, env.has_pipeline) == ("environment", "cloudformation", False)
    svc = load_bundle(
        build_file_tree(tmp_path / "s", svc_bundle(**{".compatible-envs": "my-env:1\nother:3\n"}))
    )
    assert (svc.template_type, svc.has_pipeline, svc.compatible_environments) == (
        "service",
        True,
        (("my-env", 1), ("other", 3)),
    )
    assert len(svc.digest()) == 64 and svc.digest() == load_bundle(tmp_path / "s").digest()


@pytest.mark.parametrize("key", ["compatible_environments", "compatible_environment"])
def test_template_registration_file(tmp_path: Path, key: str) -> None:
    reg = f"{key}:\n  - my-env:2\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n"
    svc = load(tmp_path, svc_bundle(**{".template-registration.yaml": reg}))
    assert svc.compatible_environments == (("my-env", 2),)
    assert svc.supported_component_sources == ("DIRECTLY_DEFINED",)


@pytest.mark.parametrize(
    ("files", "match"),
    [
        (
            {"infrastructure/manifest.yaml": CFN_MANIFEST},
            r"^bundle has no schema/schema.yaml \(found: infrastructure\)",
        ),
        (
            env_bundle(**{"infrastructure/manifest.yaml": "infrastructure: ["}),
            r"infrastructure/manifest.yaml line 1: not valid YAML",
        ),
        (
            env_bundle(**{"infrastructure/manifest.yaml": "templates: []"}),
            r"expected `infrastructure: templates:`",
        ),
        (
            env_bundle(**{"infrastructure/manifest.yaml": CFN_MANIFEST.replace("jinja", "mustache")}),
            r"infrastructure.templates\[0\].rendering_engine: must be jinja, hcl or codebuild, not "
            r"'mustache'",
        ),
        (
            env_bundle(
                **{"infrastructure/manifest.yaml": CFN_MANIFEST.replace("cloudformation\n", "terraform\n")}
            ),
            r"rendering_engine jinja needs template_language cloudformation, not 'terraform'",
        ),
        (
            env_bundle(
                **{"infrastructure/manifest.yaml": CFN_MANIFEST + CFN_MANIFEST.split("templates:\n")[1]}
            ),
            r"a CloudFormation manifest lists exactly one file, not 2",
        ),
        (
            env_bundle(
                **{"infrastructure/manifest.yaml": CFN_MANIFEST.replace('"cloudformation.yaml"', "main.yaml")}
            ),
            r"names 'main.yaml', but infrastructure/main.yaml is not in the bundle",
        ),
        (
            {"schema/schema.yaml": ENV_SCHEMA, "infrastructure/cloudformation.yaml": "x"},
            r"infrastructure/ has no manifest.yaml",
        ),
        (
            {
                "schema/schema.yaml": ENV_SCHEMA,
                "infrastructure/manifest.yaml": TF_MANIFEST,
                "infrastructure/a.txt": "x",
            },
            r"`file: \"\*\"` matched no .tf file",
        ),
        (
            env_bundle(
                **{
                    "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
                    "instance_infrastructure/cloudformation.yaml": "x",
                }
            ),
            r"environment bundle: only infrastructure/ may hold a manifest \(found "
            r"instance_infrastructure/\)",
        ),
        (
            {k: v for k, v in svc_bundle().items() if not k.startswith("pipeline_")},
            r"pipeline_infrastructure/ and schema pipeline_input_type go together \(folder absent, "
            r"pipeline_input_type set\)",
        ),
        (
            {k: v for k, v in svc_bundle().items() if not k.startswith("instance_")},
            r"instance_infrastructure/manifest.yaml is missing",
        ),
        (
            svc_bundle(**{".compatible-envs": "my-env\n"}),
            r".compatible-envs: 'my-env' is not `environment-template-name:major-version`",
        ),
        (
            svc_bundle(**{".template-registration.yaml": "supported_component_sources: [GIT]\n"}),
            r"supported_component_sources may only list DIRECTLY_DEFINED",
        ),
    ],
)
def test_layout_and_manifest_rules(tmp_path: Path, files: dict, match: str) -> None:
    fails(tmp_path, files, match)


def test_pre_ga_layout_is_refused_with_a_reason(tmp_path: Path) -> None:
    files = {
        "schema/schema.yaml": svc_bundle()["schema/schema.yaml"],
        "infrastructure/manifest.yaml": CFN_MANIFEST.replace("rendering_engine", "engine"),
        "infrastructure/cloudformation.yaml": "x",
        "pipeline/manifest.yaml": CFN_MANIFEST,
        "pipeline/cloudformation.yaml": "x",
    }
    with pytest.raises(BundleError, match=r"pre-GA service bundle layout .*nothing to render") as err:
        load(tmp_path, files)
    assert "instance_infrastructure/" in err.value.hint


def test_customer_managed_environment_is_schema_only(tmp_path: Path) -> None:
    schema = ENV_SCHEMA.replace("          default: 10.0.0.0/16\n", "")
    bundle = load(tmp_path, {"schema/schema.yaml": schema})
    assert bundle.provisioning == "customer-managed"
    with pytest.raises(
        BundleError,
        match="customer-managed environment schema input 'vpc_cidr' must be a string with no default",
    ):
        load_bundle(build_file_tree(tmp_path / "c", {"schema/schema.yaml": ENV_SCHEMA}))


BIG_CFN = "Resources: {}\n" + "#" * (200 * 1024)
ELEVEN_TF = {
    "schema/schema.yaml": ENV_SCHEMA,
    "infrastructure/manifest.yaml": TF_MANIFEST,
    **{f"infrastructure/f{i}.tf": "" for i in range(11)},
}


@pytest.mark.parametrize(
    ("files", "match"),
    [
        (
            env_bundle(template=BIG_CFN),
            r"infrastructure/cloudformation.yaml: 20481\d bytes is over Proton's 200 KB limit",
        ),
        (
            env_bundle(**{"infrastructure/manifest.yaml": CFN_MANIFEST + "#" * 51200}),
            r"manifest.yaml: \d+ bytes is over Proton's 50 KB limit",
        ),
        (ELEVEN_TF, r"bundle has 11 template files; Proton allows at most 10"),
    ],
)
def test_documented_limits_refuse_a_new_version_and_warn_for_an_existing_one(
    tmp_path: Path, files: dict, match: str
) -> None:
    fails(tmp_path, files, match, strict=True)
    bundle = load_bundle(tmp_path / "b")  # read again, as an estate that exists
    assert len(bundle.warnings) == 1 and re.search(match, bundle.warnings[0])


def test_bundle_over_5_mb_is_refused_either_way(tmp_path: Path) -> None:
    big = env_bundle(**{f"extra/{i}.bin": b"x" * 200_000 for i in range(27)})
    fails(tmp_path, big, r"larger than Proton's 5 MB limit")


def test_files_a_manifest_does_not_list_have_no_per_file_limit(tmp_path: Path) -> None:
    """A CodeBuild sample Proton deployed ships a 280 KB package-lock.json: only IaC template files have
    the 200 KB limit (UG ag-limits "other template files"; UG ag-wrap-up: other files are ignored)."""
    codebuild = (
        "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n"
        "        image: aws/codebuild/standard:6.0\n        provision: [npm ci]\n"
    )
    lock = b'{"lockfileVersion": 2, "pad": "' + b"x" * 280_000 + b'"}'
    for files in (
        env_bundle(**{"infrastructure/big.json": lock}),
        {
            "schema/schema.yaml": ENV_SCHEMA,
            "infrastructure/manifest.yaml": codebuild,
            "infrastructure/package-lock.json": lock,
        },
    ):
        for strict in (False, True):
            bundle = load_bundle(build_file_tree(tmp_path / f"{len(files)}{strict}", files), strict=strict)
            assert bundle.warnings == ()


def test_template_name_length(tmp_path: Path) -> None:
    fails(tmp_path, env_bundle(), r"is 101 characters; Proton allows 1 to 100", name="n" * 101, strict=True)
    assert "101 characters" in load_bundle(tmp_path / "b", name="n" * 101).warnings[0]


def test_schema_errors_surface_as_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"schema/schema.yaml line 1: not valid YAML"):
        load(tmp_path, env_bundle(**{"schema/schema.yaml": "schema: ["}))


def test_archives_load_in_memory_also_wrapped_in_a_folder(tmp_path: Path) -> None:
    data = tar_gz(env_bundle(), prefix="my-template/")
    assert load_bundle(data).template_type == "environment"
    (tmp_path / "b.tar.gz").write_bytes(data)
    assert load_bundle(tmp_path / "b.tar.gz").digest() == load_bundle(data).digest()
    assert load_bundle(zip_bytes(env_bundle())).digest() == load_bundle(data).digest()


def _link(name: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, "/etc/passwd"
    return info


@pytest.mark.parametrize(
    ("member", "match"),
    [
        ((tarfile.TarInfo("schema/schema.yaml"), b"x"), r"member 'schema/schema.yaml' appears twice"),
        ((tarfile.TarInfo("../escape.yaml"), b"x"), r"member '../escape.yaml' escapes the bundle root"),
        ((tarfile.TarInfo("/etc/cron.d/x"), b"x"), r"member '/etc/cron.d/x' has an absolute path"),
    ],
)
def test_unsafe_tar_members_are_refused(tmp_path: Path, member, match: str) -> None:
    ok = [(tarfile.TarInfo(n), v.encode()) for n, v in env_bundle().items()]
    with pytest.raises(BundleError, match=match):
        load_bundle(tar_members([*ok, member]))
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_unsafe_zip_members_are_refused() -> None:
    with pytest.raises(BundleError, match="escapes the bundle root"):
        load_bundle(zip_bytes({"a/../../x": "x"}))


def test_not_an_archive() -> None:
    with pytest.raises(BundleError, match=r"^bundle: not a readable .tar.gz or .zip archive"):
        load_bundle(b"plain text, not an archive")


def test_template_sync_repo(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            **{f"env-tmpl/v1/{k}": v for k, v in env_bundle().items()},
            **{f"env-tmpl/v2/{k}": v for k, v in env_bundle().items()},
            **{f"svc-tmpl/v1/{k}": v for k, v in svc_bundle().items()},
            "README.md": "x",
        },
    )
    found = load_template_sync_repo(tmp_path)
    assert sorted(found) == [("env-tmpl", 1), ("env-tmpl", 2), ("svc-tmpl", 1)]
    assert found[("svc-tmpl", 1)].name == "svc-tmpl"


def test_component_limits() -> None:
    manifest = CFN_MANIFEST
    assert load_component("Resources: {}", manifest).template_type == "component"
    with pytest.raises(BundleError, match="at most 51200"):
        load_component("x" * 51_201, manifest)
    with pytest.raises(BundleError, match="at most 1024"):
        load_component("x", manifest + "#" * 1024)
    with pytest.raises(BundleError, match="must name exactly one CloudFormation or Terraform file"):
        load_component("x", TF_MANIFEST)
