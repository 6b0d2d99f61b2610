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
  --resource-name AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV --config-file deployments/111111111111/us-east-1/AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW --config-file deployments/111111111111/us-east-1/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ --config-file deployments/111111111111/us-east-1/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA --config-file deployments/111111111111/us-east-1/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY --config-file deployments/111111111111/us-east-1/AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM --config-file deployments/111111111111/us-east-1/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE --config-file deployments/111111111111/us-east-1/AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO --config-file deployments/111111111111/us-east-1/AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ --config-file deployments/111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK --config-file deployments/111111111111/us-east-1/AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX --config-file deployments/111111111111/us-east-1/AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER --config-file deployments/111111111111/us-east-1/AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU --config-file deployments/111111111111/us-east-1/AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM --config-file deployments/111111111111/us-east-1/AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD --config-file deployments/111111111111/us-east-1/AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS --config-file deployments/111111111111/us-east-1/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-orders-api-stag-cloudformation--FUBBMZTELCLELQG --config-file deployments/111111111111/us-east-1/AWSProton-orders-api-stag-cloudformation--FUBBMZTELCLELQG.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL --config-file deployments/111111111111/us-east-1/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA --config-file deployments/111111111111/us-east-1/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI --config-file deployments/111111111111/us-east-1/AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF --config-file deployments/111111111111/us-east-1/AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ --config-file deployments/111111111111/us-east-1/AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-search-api-dev-cloudformation--DLHMSABUHUMNABR --config-file deployments/111111111111/us-east-1/AWSProton-search-api-dev-cloudformation--DLHMSABUHUMNABR.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC --config-file deployments/111111111111/us-east-1/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF --config-file deployments/111111111111/us-east-1/AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB --config-file deployments/111111111111/us-east-1/AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW --config-file deployments/111111111111/us-east-1/AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB --config-file deployments/111111111111/us-east-1/AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW --config-file deployments/111111111111/us-east-1/AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF --config-file deployments/111111111111/us-east-1/AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC --config-file deployments/111111111111/us-east-1/AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT --config-file deployments/111111111111/us-east-1/AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM --config-file deployments/111111111111/us-east-1/AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB --config-file deployments/111111111111/us-east-1/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \
  --resource-name AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ --config-file deployments/111111111111/us-east-1/AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ.yaml --branch "$BRANCH" \
  --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" \
  --publish-deployment-status ENABLED --trigger-resource-update-on FILE_CHANGE \
  --region us-east-1 --profile "${PROFILE_PREFIX}111111111111"
