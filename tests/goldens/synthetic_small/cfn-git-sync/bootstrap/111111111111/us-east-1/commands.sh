#!/bin/sh
# exodus: Git sync for the Proton stacks of account 111111111111, Region us-east-1.
# Run only after `exodus verify --change-set` reports no difference and no replacement.
# Every command runs as account 111111111111: AWS CLI profile ${PROFILE_PREFIX}111111111111.
set -eu
PROFILE_PREFIX=${PROFILE_PREFIX:-exodus-}
BRANCH=${BRANCH:-main}
REPO_OWNER=${REPO_OWNER:-OWNER}
REPO_NAME=${REPO_NAME:-REPOSITORY}
CONNECTION_NAME=${CONNECTION_NAME:-exodus}  # the connection's name in this account (status AVAILABLE)
CONNECTION_ARN=${CONNECTION_ARN:-$(aws codeconnections list-connections --region us-east-1 --profile "${PROFILE_PREFIX}111111111111" --query "Connections[?ConnectionName=='$CONNECTION_NAME'].ConnectionArn | [0]" --output text)}

# the sync role and the repository link (created here once; never again by hand)
aws cloudformation deploy --template-file "$(dirname "$0")/git-sync-role.yaml" --stack-name exodus-cfn-git-sync-role --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides ConnectionArn="$CONNECTION_ARN" OwnerId="$REPO_OWNER" RepositoryName="$REPO_NAME" --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
LINK_ID=$(aws cloudformation describe-stacks --stack-name exodus-cfn-git-sync-role --region us-east-1 --profile "${PROFILE_PREFIX}111111111111" --query "Stacks[0].Outputs[?OutputKey=='RepositoryLinkId'].OutputValue" --output text)
SYNC_ROLE_ARN=$(aws cloudformation describe-stacks --stack-name exodus-cfn-git-sync-role --region us-east-1 --profile "${PROFILE_PREFIX}111111111111" --query "Stacks[0].Outputs[?OutputKey=='RoleArn'].OutputValue" --output text)

aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-dev-000-cloudformation-IRCRQOCQHVZGUHC --config-file deployments/111111111111/us-east-1/AWSProton-dev-000-cloudformation-IRCRQOCQHVZGUHC.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-staging-001-cloudformation-YZCEJQAENAUPEUE --config-file deployments/111111111111/us-east-1/AWSProton-staging-001-cloudformation-YZCEJQAENAUPEUE.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00000-dev-000-0-cloudformation-BGOZJCKJOSBTGXR --config-file deployments/111111111111/us-east-1/AWSProton-svc-00000-dev-000-0-cloudformation-BGOZJCKJOSBTGXR.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00001-staging-001-0-cloudformation-GJRCZDFALMWYMJE --config-file deployments/111111111111/us-east-1/AWSProton-svc-00001-staging-001-0-cloudformation-GJRCZDFALMWYMJE.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00000-pipeline-cloudformation-AXSBDHIAQGRIVPX --config-file deployments/111111111111/us-east-1/AWSProton-svc-00000-pipeline-cloudformation-AXSBDHIAQGRIVPX.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-svc-00001-pipeline-cloudformation-JBSEUHROITPTLGO --config-file deployments/111111111111/us-east-1/AWSProton-svc-00001-pipeline-cloudformation-JBSEUHROITPTLGO.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
