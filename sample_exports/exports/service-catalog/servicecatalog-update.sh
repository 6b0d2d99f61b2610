#!/usr/bin/env bash
# Day 2 for one provisioned product (written by exodus; see README.md). From the repository root, with
# credentials for the stack's account and Region:
#   bash servicecatalog-update.sh STACK_NAME ARTIFACT_BUCKET            # plan, and print its resource changes
#   bash servicecatalog-update.sh STACK_NAME ARTIFACT_BUCKET --execute  # the same plan, executed
# STACK_NAME's parameters/ file and template file are the ones TEMPLATES.json names (`exodus repo set` /
# `exodus repo upgrade` edit them). ARTIFACT_BUCKET holds the export's artifacts/ folder.
set -euo pipefail
stack="${1:?usage: servicecatalog-update.sh STACK_NAME ARTIFACT_BUCKET [--execute]}"
bucket="${2:?usage: servicecatalog-update.sh STACK_NAME ARTIFACT_BUCKET [--execute]}"
execute="${3:-}"
row=$(jq -ce --arg s "$stack" 'first(.stacks[] | select(.stack == $s))' TEMPLATES.json) \
  || { echo "TEMPLATES.json: no stack $stack" >&2; exit 2; }
template=$(jq -r .templateFile <<<"$row")
params=$(jq -r .parameterFile <<<"$row")
version=$(jq -r '.version // "deployed"' <<<"$row")
account=$(jq -r .account <<<"$row")
region=$(jq -r .region <<<"$row")
case "$template" in
  "artifacts/$account/$region/"*) name=$(basename "$template" .yaml) ;;
  *) name="$version-$(sha256sum "$template" | cut -c1-8)" ;;
esac
product=$(aws servicecatalog describe-provisioned-product --name "$stack" \
  --query ProvisionedProductDetail.ProductId --output text)
artifact=$(aws servicecatalog list-provisioning-artifacts --product-id "$product" \
  --query "ProvisioningArtifactDetails[?Name=='$name'].Id | [0]" --output text)
if [ -z "$artifact" ] || [ "$artifact" = None ]; then
  aws s3 cp "$template" "s3://$bucket/$template" --only-show-errors
  definition=$(jq -nc --arg n "$name" --arg d "$template" \
    --arg u "https://$bucket.s3.$region.amazonaws.com/$template" \
    '{Name: $n, Description: $d, Type: "CLOUD_FORMATION_TEMPLATE", Info: {LoadTemplateFromURL: $u}}')
  once=$(printf '%s' "$product/$name" | sha256sum | cut -c1-32)
  artifact=$(aws servicecatalog create-provisioning-artifact --product-id "$product" \
    --parameters "$definition" --idempotency-token "$once" \
    --query ProvisioningArtifactDetail.Id --output text)
  echo "new provisioning artifact $name ($artifact) from $template" >&2
fi
values=$(jq -c '[.Parameters | to_entries[] | {Key: .key, Value: (.value | tostring)}]' "$params")
token=$(printf '%s' "$stack/$artifact/$values" | sha256sum | cut -c1-32)
plan=$(aws servicecatalog create-provisioned-product-plan --plan-name "exodus-day2-$stack" \
  --plan-type CLOUDFORMATION --product-id "$product" --provisioned-product-name "$stack" \
  --provisioning-artifact-id "$artifact" --provisioning-parameters "$values" --idempotency-token "$token" \
  --query PlanId --output text)
described=$(aws servicecatalog describe-provisioned-product-plan --plan-id "$plan" --output json | jq -c .)
echo "$described"
status=$(jq -r .ProvisionedProductPlanDetails.Status <<<"$described")
[ "$status" = CREATE_SUCCESS ] || { echo "plan $plan: $status" >&2; exit 1; }
if [ "$execute" != --execute ]; then
  echo "review the ResourceChanges above (artifact $name), then run again with --execute" >&2
  exit 0
fi
record=$(aws servicecatalog execute-provisioned-product-plan --plan-id "$plan" \
  --idempotency-token "$(printf '%s' "execute/$token" | sha256sum | cut -c1-32)" \
  --query RecordDetail.RecordId --output text)
while :; do
  read -r kind status < <(aws servicecatalog describe-record --id "$record" \
    --query '[RecordDetail.RecordType, RecordDetail.Status]' --output text)
  case "$status" in
    SUCCEEDED) break ;;
    FAILED | IN_PROGRESS_IN_ERROR)
      aws servicecatalog describe-record --id "$record" --query RecordDetail.RecordErrors --output json >&2
      echo "record $record $kind $status"
      exit 1 ;;
  esac
  sleep 5
done
echo "record $record $kind $status (artifact $name)"
