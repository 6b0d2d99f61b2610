"""README.md of a `terraform` export: the layout, the backend, the commands, and what the first plans
will show for each root module (from its plan-effect.json)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from exporters import Finding

PROVIDER_SOURCE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/cloudformation/stack.go"
)


def readme(effects: Mapping[str, str], opts: Mapping[str, str], findings: Sequence[Finding]) -> str:
    """`effects`: module dir -> its plan-effect.json text."""
    lines = [
        "# Terraform / OpenTofu: the Proton stacks, adopted in place",
        "",
        "Every CloudFormation stack Proton deployed is adopted by an `aws_cloudformation_stack` with an",
        "`import` block (Terraform >= 1.5 or OpenTofu >= 1.5), with the stack's own name, template,",
        "parameters, tags, capabilities and service role, so nothing is created and nothing is destroyed.",
        "The stacks keep their resources; Terraform only takes over the stack's updates.",
        "",
        "## Layout",
        "",
        "- `live/<account>/<region>/`: one root module per account and Region (the provider is pinned to the",
        "  account with `allowed_account_ids`). `versions.tf` holds the S3 backend (partial: bucket, key and",
        "  Region are given at `init`), `providers.tf` the provider, `<resource>.tf` one stack each: its",
        "  `import` block (id = the StackId), its resource and, for NoEcho parameters, a sensitive variable.",
        "- `templates/<StackName>.yaml|json` in each module: the template `template_body` reads with `file()`"
        + (" (the shared parameterised template)." if opts.get("parameterise") == "true" else ","),
    ]
    if opts.get("parameterise") != "true":
        lines += [
            "  exactly as deployed: the provider compares a YAML template byte for byte with GetTemplate's,",
            "  so only the deployed text plans no template change (`--opt parameterise=true` writes the",
            "  shared parameterised templates instead; their first apply is then a stack update, shown",
            "  below).",
        ]
    lines += [
        "- `plan-effect.json` in each module: each stack's configuration and what the import plan and the",
        "  plan after it show (below).",
        "- Parameters that carry an output of a stack they depend on read it by reference",
        '  (`aws_cloudformation_stack.<env>.outputs["X"]`), and other dependencies are `depends_on`, so',
        "  Terraform's order is the dependency graph's.",
        "- `self-managed/<dir>/`: Proton's regenerated input files of the self-managed Terraform estates,",
        "  for the provisioning repository they already live in (their state stays where it is).",
        "- No `.exodus-repo/` index: `exodus repo` (validate, set, upgrade, new-instance) does not work on",
        "  this export yet. A stack's parameters are HCL (`parameters = {...}` of its",
        "  `aws_cloudformation_stack`, or none for a deployed copy), which the shipped validator (standard",
        "  library only) cannot read back; an index would check inputs no deploy reads. Change an input in",
        "  the stack's `.tf` file and read `terraform plan`.",
        "",
        "## Commands (per module; `exodus plan` writes them wave by wave)",
        "",
        "```sh",
        'cd live/<account>/<region>',
        'terraform init -backend-config="bucket=$TF_STATE_BUCKET" \\',
        '  -backend-config="key=exodus/<account>/<region>/terraform.tfstate" \\',
        '  -backend-config="region=$TF_STATE_REGION" -backend-config="use_lockfile=true"',
        "terraform plan -out=tfplan            # must show 0 to add and 0 to destroy",
        "terraform show -json tfplan | jq -e '[.resource_changes[]? | select(.change.actions |"
        " index(\"create\") or index(\"delete\"))] | length == 0'",
        "terraform apply tfplan",
        "terraform plan -detailed-exitcode     # 0: no changes (NoEcho parameters aside)",
        "```",
        "",
        "## What `terraform plan` will show",
        "",
        f"Computed from the AWS provider's behaviour ({PROVIDER_SOURCE}, `flex.go`), modelled in",
        "`exporters/terraform/plan_effect.py` of exodus:",
        "",
        "- the import reads the stack, but keeps no parameters (the provider keeps only the keys already",
        "  in state), so the import plan shows `~ parameters` for every stack that has parameters.",
        "  Applying it calls UpdateStack with the same template, parameters and tags: CloudFormation",
        "  answers \"No updates are to be performed\", the provider reads the stack back, and the next",
        "  plan is empty;",
        "- a stack in such an update has its `outputs` unknown until the apply, so a stack reading them by",
        "  reference shows `~ parameters` (known after apply) in the same plan, with the same outcome;",
        "- a NoEcho parameter is read back as `****`: every plan shows an in-place update of",
        "  `parameters` that changes nothing (the provider's known permanent diff). That includes the",
        "  Parameter Store names of the secrets exodus moved out of the templates: exodus declares them",
        "  NoEcho so DescribeStacks never shows their resolved values;",
        "- the snapshot does not record TimeoutInMinutes or NotificationARNs: a stack created with a timeout",
        "  would plan a replacement (`timeout_in_minutes` forces a new stack) and the plan check stops it.",
        "",
        "| module | import plan | next plan |",
        "|---|---|---|",
    ]
    lines += [module_row(folder, text) for folder, text in sorted(effects.items())]
    lines += ["", "## Manual steps", ""]
    manual = [f for f in findings if f.code.startswith(("E", "W"))]
    lines += [f"- **{f.code}** {f.message}" for f in manual] or ["- none"]
    return "\n".join(lines) + "\n"


def module_row(folder: str, effect_json: str) -> str:
    doc = json.loads(effect_json)
    return f"| `{folder}` | {doc['import_plan']['summary']} | {doc['next_plan']['summary']} |"
