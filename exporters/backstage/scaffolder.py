"""Proton's self-service as Backstage Software Templates (scaffolder.backstage.io/v1beta3): one per Proton
template and major version (minor versions of a major share compatible schemas, PROTON.md §4.1).

The form is the template's schema (form.py): a first page names the instance (operation, names,
environment, version, export repository), then one page per input type. The steps write, with
`fetch:template` from the template's skeleton, the instance's Git sync deployment file on the version's
shared template, exactly as `exodus repo new-instance` / `set` would (deployment.py); a template with no
shared template in the export gets a request file for `exodus repo` instead. Then they open a pull request
in the export repository with `publish:github:pull-request`, so a reviewer sees the change before it
deploys, as the export's own workflows require.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exporters.backstage import deployment
from exporters.backstage.catalog import ANNOTATION, entity_name
from exporters.backstage.form import PAGE_FIELD, input_pages
from proton_exodus.model.secrets import secret_name
from proton_exodus.proton.schema import TemplateSchema

API = "scaffolder.backstage.io/v1beta3"
PROTON_NAME = r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$"  # Proton resource names (environments, services, instances)
OPERATIONS = ("new-instance", "set")


def request_path(template_kind: str) -> str:
    """The request file an instance's pull request adds or changes, relative to the export repository (a
    Backstage template expression: the file is named after the instance)."""
    if template_kind == "environment":
        return "proton-specs/environments/${{ values.environment }}.yaml"
    return "proton-specs/services/${{ values.service }}/${{ values.instance }}.yaml"


@dataclass(frozen=True)
class TemplateMajor:
    """One Proton template at one major version: its minor versions and the schema of the newest."""

    kind: str  # "environment" | "service"
    name: str
    major: str
    minors: tuple[str, ...]  # newest first
    schema: TemplateSchema
    environments: tuple[str, ...] = ()  # where an instance may go (compatible environments in the estate)
    instances: tuple[str, ...] = ()  # existing instances (`service/instance` or environment names)
    sensitive: frozenset[str] = field(default_factory=frozenset)
    files: deployment.InstanceFiles | None = None  # the export's shared templates: the skeleton writes the
    # deployment file itself; None: it writes a request file for `exodus repo`

    @property
    def versions(self) -> list[str]:
        """The versions the form offers, newest first: those with a shared template in the export."""
        every = [f"{self.major}.{minor}" for minor in self.minors]
        return [v for v in every if v in self.files.variants] if self.files else every

    @property
    def entity(self) -> str:
        return entity_name(f"{self.name}-v{self.major}")


def _identity_page(t: TemplateMajor, repository: str) -> dict[str, Any]:
    versions = t.versions
    name_field = {"type": "string", "pattern": PROTON_NAME, "minLength": 1, "maxLength": 100}
    props: dict[str, Any] = {
        "operation": {
            "title": "Operation",
            "type": "string",
            "enum": list(OPERATIONS),
            "default": "new-instance",
            "description": "new-instance adds an instance; set changes the inputs of an existing one",
        },
        "version": {
            "title": "Template version",
            "type": "string",
            "enum": versions,
            "default": versions[0],
            "description": f"{t.name} minor versions of major {t.major}, newest first"
            + (" (those with a shared template in the export)" if t.files else ""),
        },
    }
    required = ["operation", "version", "repoUrl"]
    if t.kind == "environment":
        props["environment"] = {**name_field, "title": "Environment name"}
        required.append("environment")
    else:
        props["service"] = {**name_field, "title": "Service name"}
        props["instance"] = {**name_field, "title": "Instance name"}
        env: dict[str, Any] = {"title": "Environment", "type": "string"}
        if t.environments:
            env["enum"] = list(t.environments)
            env["description"] = "Environments of the estate this template version is compatible with"
        else:
            env.update(name_field)
        props["environment"] = env
        required += ["service", "instance", "environment"]
    repo: dict[str, Any] = {
        "title": "Export repository",
        "type": "string",
        "description": "The repository holding the exodus export; the change arrives as a pull request",
        "ui:field": "RepoUrlPicker",
        "ui:options": {"allowedHosts": ["github.com"]},
    }
    if repository:
        repo["default"] = repository
    props["repoUrl"] = repo
    existing = ", ".join(t.instances[:20]) + (" ..." if len(t.instances) > 20 else "")
    return {
        "title": "Instance",
        "description": f"Which {t.kind} to add or change" + (f" (existing: {existing})" if existing else ""),
        "required": required,
        "properties": props,
    }


def _steps(t: TemplateMajor) -> list[dict[str, Any]]:
    values: dict[str, Any] = {
        "operation": "${{ parameters.operation }}",
        "template": t.name,
        "version": "${{ parameters.version }}",
        "environment": "${{ parameters.environment }}",
    }
    if t.kind == "service":
        values["service"] = "${{ parameters.service }}"
        values["instance"] = "${{ parameters.instance }}"
        subject = "${{ parameters.service }}/${{ parameters.instance }}"
        branch = "exodus/${{ parameters.service }}-${{ parameters.instance }}"
    else:
        subject = "${{ parameters.environment }}"
        branch = "exodus/${{ parameters.environment }}"
    for kind in t.schema.input_types():
        values[PAGE_FIELD[kind]] = "${{ parameters." + PAGE_FIELD[kind] + " }}"
    if t.files:
        values.update(deployment.step_values(t.files))
    return [
        {
            "id": "request",
            "name": "Write the instance's deployment file" if t.files else "Write the instance request",
            "action": "fetch:template",
            "input": {"url": "./skeleton", "targetPath": "./", "values": values},
        },
        {
            "id": "pull-request",
            "name": "Open a pull request in the export repository",
            "action": "publish:github:pull-request",
            "input": {
                "repoUrl": "${{ parameters.repoUrl }}",
                "branchName": branch,
                "title": "${{ parameters.operation }} "
                + subject
                + f" ({t.name} "
                + "${{ parameters.version }})",
                "description": (
                    "Requested from Backstage: the instance's Git sync deployment file on the shared "
                    f"{t.name} template, as `exodus repo new-instance` / `set` write it. The repository's "
                    "validate workflow checks the inputs against the schema; Git sync deploys after merge."
                    + deployment.secret_note(
                        t.files, PAGE_FIELD["environment" if t.kind == "environment" else "service"]
                    )
                    if t.files
                    else "Requested from Backstage. The request file's first lines hold the `exodus repo` "
                    "command that applies it to this export (it renders the instance as Proton did and "
                    f"checks the inputs against the {t.name} schema); the export's workflows deploy the "
                    "change after review." + request_secret_note(t)
                ),
            },
        },
    ]


def _not_secret(t: TemplateMajor) -> str:
    """A Nunjucks test that `key` is not a secret input (whose form field says only "has one")."""
    return "not (key in " + json.dumps(sorted(t.sensitive)) + ")"


def request_secret_note(t: TemplateMajor) -> str:
    """The request's pull-request text (over the form's `parameters`) for each secret marked as set: the
    form never takes the value; `exodus repo` refuses one too and names the Secrets Manager secret to create
    for a new instance (model/secrets.py's `secret_name`), which this gives as a command."""
    field = PAGE_FIELD["environment" if t.kind == "environment" else "service"]
    stack = (
        "${{ parameters.environment }}"
        if t.kind == "environment"
        else "${{ parameters.service }}-${{ parameters.instance }}"
    )
    out = []
    for secret in sorted(t.sensitive):
        variable = re.sub(r"[^A-Za-z0-9]", "_", secret).upper()
        out.append(
            "{%- if (parameters." + field + " or {})[" + json.dumps(secret) + "] %}"
            f"\n\nSecret `{secret}`: the form never takes its value. For a new instance, create it "
            "before applying the request:\n\n    aws secretsmanager create-secret --name "
            f"'{secret_name(stack, secret)}' --secret-string \"${variable}\"{{%- endif %}}"
        )
    return "".join(out)


def apply_command(t: TemplateMajor) -> str:
    """The `exodus repo` command that applies a request (nunjucks, rendered by `fetch:template`): `set
    NAME INPUT=VALUE ...`, or `new-instance NAME INPUT=VALUE ... --template KIND/NAME --version V
    [--environment ENV]`. Values are JSON, which `exodus repo` reads as YAML scalars."""
    name = (
        "${{ values.environment }}"
        if t.kind == "environment"
        else "${{ values.service }}/${{ values.instance }}"
    )
    field = PAGE_FIELD["environment" if t.kind == "environment" else "service"]
    pairs = (
        f"{{% for key, value in values.{field} %}}{{% if {_not_secret(t)} %}}"
        " '${{ key }}=${{ value | dump }}'{% endif %}{% endfor %}"
        if field.split("_")[0] in t.schema.input_types()
        else ""
    )
    where = "" if t.kind == "environment" else " --environment ${{ values.environment }}"
    return (
        f"exodus repo ${{{{ values.operation }}}} {name}{pairs}"
        '{% if values.operation == "new-instance" %}'
        f" --template {t.kind}/{t.name} --version ${{{{ values.version }}}}{where}"
        "{% endif %}"
    )


def skeleton(t: TemplateMajor) -> str:
    """The request file the pull request adds (rendered by `fetch:template`; `dump` writes JSON, which is
    YAML): what `exodus repo new-instance` / `exodus repo set` take, and the command that applies it."""
    lines = [
        "# An instance request from Backstage. Apply it in a checkout of the export repository with:",
        f"#   {apply_command(t)}",
        "operation: ${{ values.operation | dump }}",
        f"template: {t.kind}/{t.name}",
        "version: ${{ values.version | dump }}",
    ]
    if t.kind == "service":
        lines += ["service: ${{ values.service | dump }}", "instance: ${{ values.instance | dump }}"]
    lines.append("environment: ${{ values.environment | dump }}")
    for kind in t.schema.input_types():
        key = {"environment": "spec", "service": "spec", "pipeline": "pipeline_spec"}[kind]
        if kind != "pipeline" and t.sensitive:  # a secret's field says only "has one": not an input
            lines.append(
                f"{key}:{{% for key, value in values.{PAGE_FIELD[kind]} %}}{{% if {_not_secret(t)} %}}\n"
                "  ${{ key | dump }}: ${{ value | dump }}{% endif %}{% endfor %}"
            )
            continue
        lines.append(f"{key}: ${{{{ values.{PAGE_FIELD[kind]} | dump }}}}")
    return "\n".join(lines) + "\n"


def template_entity(t: TemplateMajor, owner: str, repository: str) -> dict[str, Any]:
    """The Software Template entity of one Proton template major version."""
    return {
        "apiVersion": API,
        "kind": "Template",
        "metadata": {
            "name": t.entity,
            "title": f"{t.name} v{t.major} ({t.kind})",
            "description": (
                f"Add or change a {t.kind} from Proton template {t.name} major version {t.major}: "
                "the form checks the inputs as Proton's schema did, and a pull request carries the change"
            ),
            "tags": ["proton", t.kind],
            "annotations": {f"{ANNOTATION}/template": f"{t.name} {t.major}"},
        },
        "spec": {
            "owner": owner,
            "type": t.kind,
            "parameters": [
                _identity_page(t, repository),
                *input_pages(t.schema, t.sensitive, secret_flags=True),
            ],
            "steps": _steps(t),
            "output": {
                "links": [
                    {"title": "Pull request", "url": "${{ steps['pull-request'].output.remoteUrl }}"},
                ]
            },
        },
    }


def template_files(t: TemplateMajor, owner: str, repository: str) -> tuple[dict[str, Any], Mapping[str, str]]:
    """The template entity and its skeleton files (path relative to the template's folder -> text): the
    deployment file when the export has the template's shared templates, else the request file."""
    if t.files:
        field_name = PAGE_FIELD["environment" if t.kind == "environment" else "service"]
        text = deployment.skeleton(t.files, field_name)
        return template_entity(t, owner, repository), {f"skeleton/{deployment.SKELETON_FILE}": text}
    return template_entity(t, owner, repository), {f"skeleton/{request_path(t.kind)}": skeleton(t)}


def newest_first(minors: Sequence[str]) -> tuple[str, ...]:
    """Minor versions, newest first (numerically)."""
    return tuple(sorted(set(minors), key=lambda m: (int(m) if m.isdigit() else -1, m), reverse=True))
