# Each stack's template and parameter file, as TEMPLATES.json names them (exodus repo
# set/upgrade/new-instance edit those files; the stacks here follow), and the stacks this
# module adopted (each in its own file, with its import block).
locals {
  exodus_stacks  = { for s in jsondecode(file("${path.module}/../../../TEMPLATES.json")).stacks : s.stack => s if s.account == "111111111111" && s.region == "us-east-1" }
  exodus_adopted = ["AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY", "AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM", "AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF", "AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE", "AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO", "AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV", "AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ", "AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK", "AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX", "AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER", "AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC", "AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU", "AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM", "AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD", "AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ", "AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS", "AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW", "AWSProton-orders-api-stag-cloudformation--FUBBMZTELCLELQG", "AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA", "AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT", "AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL", "AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA", "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI", "AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW", "AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF", "AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ", "AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM", "AWSProton-search-api-dev-cloudformation--DLHMSABUHUMNABR", "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE", "AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ", "AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB", "AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC", "AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF", "AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB", "AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW", "AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB"]
}

# A stack `exodus repo new-instance` added to the listing (none at export): created from the
# files its row names. Stage the Parameter Store values its parameter file names first.
resource "aws_cloudformation_stack" "added" {
  for_each      = { for name, s in local.exodus_stacks : name => s if !contains(local.exodus_adopted, name) }
  name          = each.key
  template_body = file("${path.module}/../../../${each.value.templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${each.value.parameterFile}")).Parameters
  capabilities  = ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]

  lifecycle {
    prevent_destroy = true
  }
}
