"""The one reusable workflow every stack job calls (`on: workflow_call`): preview a change set on pull
requests (fail on any replacement or removal, then delete it), or deploy it on merge; both only from a
complete stack status, because aws-cloudformation-github-deploy v2.1+ would delete and recreate a stack in
ROLLBACK_COMPLETE (TARGETS.md §3.3, §3.4)."""

from __future__ import annotations

from typing import Any

from exporters._pipelines import ADOPTABLE_STATUSES
from exporters._pipelines.validate import github_steps

PATH = ".github/workflows/exodus-stack.yml"

# In these scripts a lone backslash ending a line is Python's line continuation (the step gets one long
# line, as before); a doubled one is the shell's.
_GATE = f"""status=$(aws cloudformation describe-stacks --stack-name "$STACK" \
--query 'Stacks[0].StackStatus' --output text)
case "$status" in
  {'|'.join(ADOPTABLE_STATUSES)}) echo "stack $STACK is $status" ;;
  *) echo "::error::stack $STACK is $status; exodus deploys an adopted stack only from a complete state"; \
exit 1 ;;
esac"""

_CREATE = """jq --argjson o "${OVERRIDES:-"{}"}" \
'[(.Parameters + $o) | to_entries[] | {ParameterKey: .key, ParameterValue: (.value | tostring)}]' \
"$CONFIG" > exodus-parameters.json
jq '[.Tags | to_entries[] | {Key: .key, Value: .value}]' "$CONFIG" > exodus-tags.json
aws cloudformation delete-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" 2>/dev/null || true
read -r -a caps <<< "$CAPABILITIES"
aws cloudformation create-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" \
--change-set-type UPDATE \\
  --template-body "file://$TEMPLATE" --parameters file://exodus-parameters.json \
--tags file://exodus-tags.json \\
  --capabilities "${caps[@]}"
if aws cloudformation wait change-set-create-complete --stack-name "$STACK" \
--change-set-name "$CHANGE_SET"; then
  echo "empty=false" >> "$GITHUB_OUTPUT"
  exit 0
fi
reason=$(aws cloudformation describe-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" \
--query StatusReason --output text)
case "$reason" in
  *"didn't contain changes"*|*"No updates are to be performed"*) echo "no changes for $STACK"; \
echo "empty=true" >> "$GITHUB_OUTPUT" ;;
  *) echo "::error::change set for $STACK failed: $reason"; exit 1 ;;
esac"""

_CHECK = """aws cloudformation describe-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" \
--output json > exodus-change-set.json
{
  echo "### Change set for \\`$STACK\\`"
  echo
  echo "| Action | Logical ID | Type | Replacement |"
  echo "|---|---|---|---|"
  jq -r '.Changes[].ResourceChange | \
"| \\(.Action) | \\(.LogicalResourceId) | \\(.ResourceType) | \\(.Replacement // "-") |"' \
exodus-change-set.json
} >> "$GITHUB_STEP_SUMMARY"
bad=$(jq '[.Changes[].ResourceChange \
| select(.Action == "Remove" or .Replacement == "True" or .Replacement == "Conditional")] | length' \
exodus-change-set.json)
if [ "$bad" -gt 0 ]; then
  echo "::error::$bad resource(s) of $STACK would be replaced or removed"
  exit 1
fi"""

_EXECUTE = """aws cloudformation execute-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET"
aws cloudformation wait stack-update-complete --stack-name "$STACK\""""

_DELETE = 'aws cloudformation delete-change-set --stack-name "$STACK" --change-set-name "$CHANGE_SET" || true'


def _env(change_set: str) -> dict[str, str]:
    return {
        "STACK": "${{ inputs.stack-name }}",
        "TEMPLATE": "${{ inputs.template-file }}",
        "CONFIG": "${{ inputs.config-file }}",
        "CAPABILITIES": "${{ inputs.capabilities }}",
        "CHANGE_SET": change_set,
    }


# A service pipeline's new image arrives as an override: written into the checkout's configuration first,
# so the schema check judges what the change set will deploy (the change set merges the same values).
_OVERRIDE = """jq --argjson o "$OVERRIDES" '.Parameters += $o' "$CONFIG" > "$RUNNER_TEMP/exodus-config.json"
mv "$RUNNER_TEMP/exodus-config.json" "$CONFIG\""""


def _steps(role: str, overrides: bool = False) -> list[dict[str, Any]]:
    apply = {
        "name": "Apply parameter overrides to the configuration",
        "if": "env.OVERRIDES != '' && env.OVERRIDES != '{}'",
        "run": _OVERRIDE,
    }
    return [
        {"uses": "actions/checkout@v5"},
        *([apply] if overrides else []),
        *github_steps(),  # the inputs against their template schemas, before any AWS call
        {
            "name": "Assume the AWS role (OIDC)",
            "uses": "aws-actions/configure-aws-credentials@v6",
            "with": {"role-to-assume": role, "aws-region": "${{ inputs.aws-region }}"},
        },
        {"name": "Gate on stack status", "run": _GATE},
    ]


def reusable_workflow() -> dict[str, Any]:
    """The reusable workflow, as data."""
    string = {"type": "string", "required": True}
    preview_cs = "exodus-pr-${{ github.event.pull_request.number || github.run_id }}"
    deploy_cs = "exodus-${{ github.run_id }}-${{ github.run_attempt }}"
    preview = {
        "name": "Preview ${{ inputs.stack-name }}",
        "if": "inputs.mode == 'preview'",
        "runs-on": "ubuntu-latest",
        # the stack's account's plan role, trusted for repo:ORG/REPO:environment:<environment>-plan only
        "environment": "${{ inputs.environment }}-plan",
        "permissions": {"id-token": "write", "contents": "read"},
        "env": _env(preview_cs),
        "steps": [
            *_steps("${{ inputs.plan-role-arn }}"),
            {"name": "Create change set", "id": "changeset", "run": _CREATE},
            {
                "name": "Fail on replacement or removal",
                "if": "steps.changeset.outputs.empty == 'false'",
                "run": _CHECK,
            },
            {"name": "Delete change set", "if": "always()", "run": _DELETE},
        ],
    }
    deploy = {
        "name": "Deploy ${{ inputs.stack-name }}",
        "if": "inputs.mode == 'deploy'",
        "runs-on": "ubuntu-latest",
        "environment": "${{ inputs.environment }}",
        "permissions": {"id-token": "write", "contents": "read"},
        "concurrency": {"group": "exodus-stack-${{ inputs.stack-name }}", "cancel-in-progress": False},
        "env": {**_env(deploy_cs), "OVERRIDES": "${{ inputs.parameter-overrides }}"},
        "steps": [
            *_steps("${{ vars.AWS_DEPLOY_ROLE_ARN }}", overrides=True),
            {"name": "Create change set", "id": "changeset", "run": _CREATE},
            {"name": "Execute change set", "if": "steps.changeset.outputs.empty == 'false'", "run": _EXECUTE},
        ],
    }
    return {
        "name": "exodus stack",
        "on": {
            "workflow_call": {
                "inputs": {
                    "stack-name": string,
                    "template-file": string,
                    "config-file": string,
                    "aws-region": string,
                    "environment": string,
                    "plan-role-arn": {
                        "type": "string",
                        "required": False,
                        "default": "",
                        "description": "read-only role in the stack's account, for previews",
                    },
                    "mode": {"type": "string", "required": True, "description": "preview or deploy"},
                    "capabilities": {
                        "type": "string",
                        "required": False,
                        "default": "CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND",
                    },
                    "parameter-overrides": {
                        "type": "string",
                        "required": False,
                        "default": "{}",
                        "description": "JSON object of parameter values overriding the config file",
                    },
                }
            }
        },
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": {"preview": preview, "deploy": deploy},
    }
