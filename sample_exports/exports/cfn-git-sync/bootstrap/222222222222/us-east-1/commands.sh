#!/bin/sh
# exodus: Git sync for the Proton stacks of account 222222222222, Region us-east-1.
# Run only after `exodus verify --change-set` reports no difference and no replacement.
# Every command runs as account 222222222222: AWS CLI profile ${PROFILE_PREFIX}222222222222.
set -eu
PROFILE_PREFIX=${PROFILE_PREFIX:-exodus-}
BRANCH=${BRANCH:-main}
REPO_OWNER=${REPO_OWNER:-OWNER}
REPO_NAME=${REPO_NAME:-REPOSITORY}
CONNECTION_NAME=${CONNECTION_NAME:-exodus}  # the connection's name in this account (status AVAILABLE)
CONNECTION_ARN=${CONNECTION_ARN:-$(aws codeconnections list-connections --region us-east-1 --profile "${PROFILE_PREFIX}222222222222" --query "Connections[?ConnectionName=='$CONNECTION_NAME'].ConnectionArn | [0]" --output text)}

# the sync role and the repository link (created here once; never again by hand)
aws cloudformation deploy --template-file "$(dirname "$0")/git-sync-role.yaml" --stack-name exodus-cfn-git-sync-role --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides ConnectionArn="$CONNECTION_ARN" OwnerId="$REPO_OWNER" RepositoryName="$REPO_NAME" --region us-east-1 --profile "${PROFILE_PREFIX}222222222222"
LINK_ID=$(aws cloudformation describe-stacks --stack-name exodus-cfn-git-sync-role --region us-east-1 --profile "${PROFILE_PREFIX}222222222222" --query "Stacks[0].Outputs[?OutputKey=='RepositoryLinkId'].OutputValue" --output text)
SYNC_ROLE_ARN=$(aws cloudformation describe-stacks --stack-name exodus-cfn-git-sync-role --region us-east-1 --profile "${PROFILE_PREFIX}222222222222" --query "Stacks[0].Outputs[?OutputKey=='RoleArn'].OutputValue" --output text)

aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID --config-file deployments/222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}222222222222"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ --config-file deployments/222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}222222222222"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ --config-file deployments/222222222222/us-east-1/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}222222222222"
