"""How a `service-catalog` export is handed over in the runbooks `exodus plan` writes: per account and
Region the artifacts are copied to the artifact bucket and the portfolio stack is deployed; then each
stack, in wave order, is imported as a provisioned product (one import at a time, as Service Catalog
requires). Every command runs with the credentials of the stack's account (AWS CLI profile
`${PROFILE_PREFIX}<account id>`): a provisioned product lives in the stack's own account and Region."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands
from exporters.service_catalog.layout import PORTFOLIO_STACK, artifacts_dir

PROFILE_PREFIX = "exodus-"


def where(account: str, region: str) -> str:
    return f'--region {region} --profile "${{PROFILE_PREFIX}}{account}"'


def bucket(account: str, region: str) -> str:
    """The artifact bucket of an account and Region (runbook variable ARTIFACT_BUCKET_PREFIX)."""
    return f'"${{ARTIFACT_BUCKET_PREFIX}}-{account}-{region}"'


def account_of(adoption_path: str) -> str:
    """The account of `adoptions/<account>/<region>/<StackName>.json`."""
    parts = adoption_path.split("/")
    return parts[1] if len(parts) == 4 and parts[0] == "adoptions" else ""


class ServiceCatalogRunbook:
    """Commands that adopt the stacks into Service Catalog (and release them on rollback, keeping them)."""

    variables = (
        f"PROFILE_PREFIX={PROFILE_PREFIX}           "
        "# AWS CLI profile ${PROFILE_PREFIX}<account id> per account of the plan (its credentials)",
        "ARTIFACT_BUCKET_PREFIX=...       "
        "# artifact buckets ${ARTIFACT_BUCKET_PREFIX}-<account>-<region> (existing, in that Region)",
    )  # SNAPSHOT (the plan's settings) holds secrets.json: secret inputs are staged from it, never written
    takes_over_from = "Service Catalog can import"

    def stack_commands(self, use: Use) -> Commands:
        stack, path, region = use.file.name, use.file.path, use.region
        account = account_of(path)
        at = where(account, region)
        adoption = export_file(path)
        return {
            "handover": [
                f"# stack {stack}: account {account}, Region {region}: import as a provisioned product",
                f"ADOPTION={adoption}",
                'OUTPUT_KEY=$(jq -r .productOutput "$ADOPTION")',
                f"PRODUCT_ID=$(aws cloudformation describe-stacks --stack-name {PORTFOLIO_STACK} {at} "
                "--query \"Stacks[0].Outputs[?OutputKey=='$OUTPUT_KEY'].OutputValue\" --output text)",
                'ARTIFACT_ID=$(aws servicecatalog describe-provisioning-artifact --product-id "$PRODUCT_ID" '
                f'--provisioning-artifact-name "$(jq -r .artifact "$ADOPTION")" {at} '
                "--query ProvisioningArtifactDetail.Id --output text)",
                # a secret missing from secrets.json stops the loop: jq -e fails on null, never "null" staged
                "jq -r '.stage[] | \"\\(.name) \\(.secretId)\"' \"$ADOPTION\" | while read -r NAME ID; do "
                'VALUE=$(jq -er --arg id "$ID" \'.[$id]\' "$SNAPSHOT/secrets.json") || '
                '{ echo "secret $ID is not in $SNAPSHOT/secrets.json" >&2; exit 1; }; '
                f'aws ssm put-parameter --type String --overwrite --name "$NAME" {at} --value "$VALUE"; done',
                # PARAMS is empty for a template without parameters: set where it is used
                'if [ "$(jq -r .updateFirst "$ADOPTION")" = true ]; then '
                "PARAMS=$(jq -r '.parameters | to_entries | map(\"\\(.key)=\\(.value)\") | join(\" \")' "
                '"$ADOPTION"); '
                f"aws cloudformation deploy --stack-name {stack} "
                '--template-file "$EXPORT/$(jq -r .template "$ADOPTION")" --no-fail-on-empty-changeset '
                "--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND "
                f"${{PARAMS:+--parameter-overrides $PARAMS}} {at}; fi",
                'aws servicecatalog import-as-provisioned-product --product-id "$PRODUCT_ID" '
                f'--provisioning-artifact-id "$ARTIFACT_ID" --provisioned-product-name {stack} '
                f'--physical-id "$(jq -r .stackId "$ADOPTION")" --idempotency-token {stack[:128]} {at}',
            ],
            "check": [
                f"aws servicecatalog describe-provisioned-product --name {stack} {at} "
                "--query ProvisionedProductDetail.Status"
            ],
            "rollback": [
                f"aws servicecatalog terminate-provisioned-product --provisioned-product-name {stack} "
                f"--retain-physical-resources --terminate-token {stack[:128]} {at}"
            ],
            "restore": [],
        }

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """The artifacts copied to the account's bucket, then the portfolio stack."""
        out = no_commands()
        at = where(account, region)
        for use in files:
            out["handover"] += [
                f"# the portfolio of account {account}, Region {region}",
                f'aws s3 sync {export_file(artifacts_dir(account, region))} '
                f's3://{bucket(account, region).strip(chr(34))}/{artifacts_dir(account, region)} {at}',
                f"aws cloudformation deploy --template-file {export_file(use.file.path)} "
                f"--stack-name {PORTFOLIO_STACK} --no-fail-on-empty-changeset "
                f"--s3-bucket {bucket(account, region)} --s3-prefix portfolio/{account}/{region} "
                f"--parameter-overrides ArtifactBucket={bucket(account, region)} {at}",
            ]
            out["check"].append(
                f"aws cloudformation describe-stacks --stack-name {PORTFOLIO_STACK} {at} "
                "--query 'Stacks[0].StackStatus'"
            )
            out["rollback"].append(f"aws cloudformation delete-stack --stack-name {PORTFOLIO_STACK} {at}")
        return out
