"""Terraform (self-managed) renders: the files Proton wrote into the infrastructure repository's PR.

Matches the Proton-generated files in the corpus (PROTON.md §2.4; corpus INDEX "cope with" 1-4): each
copied `.tf` file gets Proton's header comment, plus `proton.<kind>.variables.tf`,
`proton.auto.tfvars.json` (Jackson layout, `"//": <ARN>`) and `.proton/deployment-metadata.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from proton_exodus.proton.render.context import ResourceMetadata

__all__ = ["header", "jackson_json", "terraform_files", "variables_tf"]


def header(arn: str) -> str:
    """The comment Proton put on top of every .tf file it wrote (8 lines incl. the blank one after)."""
    return (
        "/*\nThis file is managed by AWS Proton. Any changes made directly to this file will be "
        "overwritten the next time AWS Proton performs an update.\n\n"
        f"To manage this resource, see AWS Proton Resource: {arn}\n\n"
        "If the resource is no longer accessible within AWS Proton, it may have been deleted and may "
        "require manual cleanup.\n*/\n\n"
    )


def jackson_json(value: Any, indent: int = 0) -> str:
    """JSON as Proton's (Java, Jackson DefaultPrettyPrinter) writer laid it out: `"k" : v`, `[ {`, `{ }`."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, Mapping):
        if not value:
            return "{ }"
        items = [
            f'{inner}{json.dumps(str(k), ensure_ascii=False)} : {jackson_json(v, indent + 1)}'
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson_json(v, indent) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def _object(fields: list[tuple[str, str]], indent: str = "    ") -> str:
    width = max(len(name) for name, _ in fields)
    return "\n".join(f"{indent}{name.ljust(width)} = {kind}" for name, kind in fields)


def _service_fields(service: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (k, "string")
        for k in ("name", "branch_name", "repository_connection_arn", "repository_id")
        if k in service
    ]


_ENV_INST = (
    "  type = object({\n"
    + _object([("account_id", "string"), ("name", "string"), ("outputs", "map(string)")])
    + "\n  })\n"
)


def _variable(name: str, body: str, *, nullable: bool = True) -> str:
    return f'variable "{name}" {{\n{body}' + ("  default = null\n" if nullable else "") + "}\n"


def variables_tf(kind: str, tfvars: Mapping[str, Any]) -> str:
    """The `proton.<kind>.variables.tf` body (without header) for the variables in `tfvars`."""
    blocks: list[str] = []
    if kind == "environment":
        blocks.append(
            _variable(
                "environment",
                "  type = object({\n" + _object([("inputs", "map(string)"), ("name", "string")]) + "\n  })\n",
            )
        )
    elif kind == "service_instance":
        blocks.append(_variable("environment", _ENV_INST))
        blocks.append(
            _variable(
                "service",
                "  type = object({\n" + _object(_service_fields(tfvars["service"])) + "\n  })\n",
                nullable=False,
            )
        )
        inst = [("name", "string"), ("inputs", "map(string)")]
        if "components" in tfvars["service_instance"]:
            inst.append(
                ("components", "map(string)" if not tfvars["service_instance"]["components"] else "any")
            )
        blocks.append(_variable("service_instance", "  type = object({\n" + _object(inst) + "\n  })\n"))
    elif kind == "pipeline":
        blocks.append(
            _variable(
                "service_instances",
                "  type = list(\n    object({\n"
                + _object(
                    [("name", "string"), ("inputs", "map(string)"), ("outputs", "map(string)")], "      "
                )
                + "\n      environment = object({\n"
                + _object(
                    [("account_id", "string"), ("name", "string"), ("outputs", "map(string)")], "        "
                )
                + "\n      })\n    })\n  )\n",
                nullable=False,
            )
        )
        blocks.append(
            _variable(
                "service", "  type = object({\n" + _object(_service_fields(tfvars["service"])) + "\n  })\n"
            )
        )
        blocks.append(
            _variable("pipeline", "  type = object({\n" + _object([("inputs", "map(string)")]) + "\n  })\n")
        )
    elif kind == "component":
        blocks.append(_variable("environment", _ENV_INST))
        blocks.append(
            _variable("component", "  type = object({\n" + _object([("name", "string")]) + "\n  })\n")
        )
        if "service_instance" in tfvars:
            blocks.append(
                _variable(
                    "service",
                    "  type = object({\n" + _object(_service_fields(tfvars["service"])) + "\n  })\n",
                )
            )
            blocks.append(
                _variable(
                    "service_instance",
                    "  type = object({\n"
                    + _object([("name", "string"), ("inputs", "map(string)")])
                    + "\n  })\n",
                )
            )
    return "".join(block + "\n" for block in blocks)


def _deployment_metadata(meta: ResourceMetadata) -> str:
    resource: dict[str, Any] = {"arn": meta.arn}
    for key, value in (
        ("templateArn", meta.template_arn),
        ("templateMajorVersion", meta.template_major_version),
        ("templateMinorVersion", meta.template_minor_version),
        ("environmentArn", meta.environment_arn),
    ):
        if value is not None:
            resource[key] = value
    doc: dict[str, Any] = {}
    if meta.deployment_id is not None:
        doc["deploymentId"] = meta.deployment_id
    doc["isResourceDeleted"] = meta.is_resource_deleted
    doc["resourceMetadata"] = resource
    return jackson_json(doc)


def terraform_files(
    kind: str, tf_files: Mapping[str, str], tfvars: Mapping[str, Any], metadata: ResourceMetadata | None
) -> dict[str, str]:
    """The working directory: copied .tf files (+ header), the variables file, tfvars, metadata."""
    top = header(metadata.arn) if metadata else ""
    files = {name: top + text for name, text in tf_files.items()}
    files[f"proton.{kind}.variables.tf"] = top + variables_tf(kind, tfvars)
    body = dict(tfvars)
    if metadata:
        body["//"] = metadata.arn
        files[".proton/deployment-metadata.json"] = _deployment_metadata(metadata)
    files["proton.auto.tfvars.json"] = jackson_json(body)
    return files
