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
        "- `TEMPLATES.json` names, per stack, the template file and the parameter file it deploys; each",
        "  module's `index.tf` reads it, and each stack's `template_body` is that template file and its",
        "  `parameters` that file's `Parameters` (`jsondecode(file(...)).Parameters`), merged with the",
        "  references and NoEcho variables below. `exodus repo` edits those files, so the stacks follow.",
        "- `templates/<template>/v<major>.<minor>/<kind>-<hash>.yaml`: the shared parameterised",
        "  templates, one per template version (and variant), the same files the other CloudFormation",
        "  targets ship; a stack proven equal to its version's shared template deploys it with its values"
        + (
            "."
            if opts.get("parameterise") == "true"
            else " (none here: `--opt parameterise=false` keeps every deployed template)."
        ),
        "- `live/<account>/<region>/templates/<StackName>.yaml|json`: a stack's own template, exactly as",
        "  deployed, where its template version fell back to a rendered copy (TEMPLATES.json: not shared).",
        "- `live/<account>/<region>/parameters/<StackName>.json`: the stack's parameters, a template",
        '  configuration (`{"Parameters": {...}}`) as CodePipeline reads one.',
        "- `.exodus-repo/`: the repository index (template versions, their JSON Schemas and bundles, every",
        "  instance), so `exodus repo validate|set|upgrade|outdated` work on a checkout of this export.",
        "  `exodus repo new-instance` writes the new stack's parameter file and its TEMPLATES.json row; its",
        "  module's `aws_cloudformation_stack.added` (index.tf, one per row the export did not adopt)",
        "  creates it from those files: `terraform plan` shows one stack to add.",
        "- `plan-effect.json` in each module: each stack's configuration and what the import plan and the",
        "  plan after it show (below).",
        "- Parameters that carry an output of a stack they depend on read it by reference",
        '  (`aws_cloudformation_stack.<env>.outputs["X"]`, over the value the parameter file records), and',
        "  other dependencies are `depends_on`, so Terraform's order is the dependency graph's.",
        "- `self-managed/<dir>/`: Proton's regenerated input files of the self-managed Terraform estates,",
        "  for the provisioning repository they already live in (their state stays where it is).",
        "- `.gitignore`: what terraform leaves in a checkout stays out of Git (`.terraform/`, saved plans,",
        "  which hold every value in clear, local state, crash logs); commit `.terraform.lock.hcl`.",
        "",
        "## Commands (per module; `exodus plan` writes them wave by wave)",
        "",
        "```sh",
        'cd live/<account>/<region>',
        'terraform init -backend-config="bucket=$TF_STATE_BUCKET" \\',
        '  -backend-config="key=exodus/<account>/<region>/terraform.tfstate" \\',
        '  -backend-config="region=$TF_STATE_REGION" -backend-config="use_lockfile=true"',
        "terraform plan -out=import.tfplan     # must show 0 to add and 0 to destroy",
        "terraform show -json import.tfplan | jq -e '[.resource_changes[]? | select(.change.actions |"
        " index(\"create\") or index(\"delete\"))] | length == 0'",
        "terraform apply import.tfplan",
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
        "  answers \"No updates are to be performed\", the provider takes that as success, and the next",
        "  plan is empty;",
        "- a stack on a shared template also shows `~ template_body`: the provider compares YAML as text",
        "  (no diff suppression on this resource) and the shared text is not the deployed one. The apply's",
        "  UpdateStack sends the shared template with the stack's values: CloudFormation sees a changed",
        "  template (it declares the parameters the deployed copy had resolved), updates the stack without",
        "  changing any resource (each resolves to what it is: proven per stack at export, and the",
        "  rehearsal's change sets hold no resource change), stores the shared template, and the provider",
        "  reads it back: the next plan is empty. Where the two templates differ only in text (the same",
        "  template once parsed) CloudFormation answers \"No updates are to be performed\" instead, keeps",
        "  the old text, and every later plan shows `~ template_body` again (finding W-TF-TEMPLATE-TEXT",
        "  names those stacks; the next plan column below counts them);",
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
