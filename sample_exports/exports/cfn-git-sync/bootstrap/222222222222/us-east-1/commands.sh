#!/bin/sh
# exodus: Git sync for the Proton stacks of account 222222222222, Region us-east-1.
# Run only after `exodus verify --change-set` reports no difference and no replacement.
set -eu
REGION=us-east-1
BRANCH=main
CONNECTION_ARN=''
ROLE_ARN=''

LINK_ID=$(aws codeconnections create-repository-link --region "$REGION" \
  --connection-arn "$CONNECTION_ARN" --owner-id '' --repository-name '' \
  --query RepositoryLinkInfo.RepositoryLinkId --output text)

aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID --config-file deployments/222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ --config-file deployments/222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ --config-file deployments/222222222222/us-east-1/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
