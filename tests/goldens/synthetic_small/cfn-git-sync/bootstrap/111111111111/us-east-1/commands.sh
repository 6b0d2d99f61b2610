#!/bin/sh
# exodus: Git sync for the Proton stacks of account 111111111111, Region us-east-1.
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
  --resource-name AWSProton-dev-000-cloudformation-IRCRQOCQHVZGUHC --config-file deployments/111111111111/us-east-1/AWSProton-dev-000-cloudformation-IRCRQOCQHVZGUHC.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-staging-001-cloudformation-YZCEJQAENAUPEUE --config-file deployments/111111111111/us-east-1/AWSProton-staging-001-cloudformation-YZCEJQAENAUPEUE.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00000-dev-000-0-cloudformation-BGOZJCKJOSBTGXR --config-file deployments/111111111111/us-east-1/AWSProton-svc-00000-dev-000-0-cloudformation-BGOZJCKJOSBTGXR.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00001-staging-001-0-cloudformation-GJRCZDFALMWYMJE --config-file deployments/111111111111/us-east-1/AWSProton-svc-00001-staging-001-0-cloudformation-GJRCZDFALMWYMJE.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00000-pipeline-cloudformation-AXSBDHIAQGRIVPX --config-file deployments/111111111111/us-east-1/AWSProton-svc-00000-pipeline-cloudformation-AXSBDHIAQGRIVPX.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
aws codeconnections create-sync-configuration --region "$REGION" --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00001-pipeline-cloudformation-JBSEUHROITPTLGO --config-file deployments/111111111111/us-east-1/AWSProton-svc-00001-pipeline-cloudformation-JBSEUHROITPTLGO.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE
