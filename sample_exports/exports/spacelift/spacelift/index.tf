# Each stack's template and parameter file, as ../TEMPLATES.json names them (exodus repo
# set/upgrade/new-instance edit those files; the stacks here follow), the stacks this
# export took over (each in its own stack_<address>.tf), and the rows added since.
locals {
  exodus_stacks           = { for s in jsondecode(file("${path.module}/../TEMPLATES.json")).stacks : "${s.account}/${s.region}/${s.stack}" => s }
  exodus_adopted          = ["111111111111/us-east-1/AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY", "111111111111/us-east-1/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM", "111111111111/us-east-1/AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF", "111111111111/us-east-1/AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE", "111111111111/us-east-1/AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO", "111111111111/us-east-1/AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV", "111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ", "111111111111/us-east-1/AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK", "111111111111/us-east-1/AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX", "111111111111/us-east-1/AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER", "111111111111/us-east-1/AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC", "111111111111/us-east-1/AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU", "111111111111/us-east-1/AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM", "111111111111/us-east-1/AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD", "111111111111/us-east-1/AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ", "111111111111/us-east-1/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS", "111111111111/us-east-1/AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW", "111111111111/us-east-1/AWSProton-orders-api-stag-cloudformation--FUBBMZTELCLELQG", "111111111111/us-east-1/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA", "111111111111/us-east-1/AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT", "111111111111/us-east-1/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL", "111111111111/us-east-1/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA", "111111111111/us-east-1/AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI", "111111111111/us-east-1/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW", "111111111111/us-east-1/AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF", "111111111111/us-east-1/AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ", "111111111111/us-east-1/AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM", "111111111111/us-east-1/AWSProton-search-api-dev-cloudformation--DLHMSABUHUMNABR", "111111111111/us-east-1/AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE", "111111111111/us-east-1/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ", "111111111111/us-east-1/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB", "111111111111/us-east-1/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC", "111111111111/us-east-1/AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF", "111111111111/us-east-1/AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB", "111111111111/us-east-1/AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW", "111111111111/us-east-1/AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB", "222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ", "222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID", "222222222222/us-east-1/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"]
  exodus_added            = { for key, s in local.exodus_stacks : key => s if !contains(local.exodus_adopted, key) }
  exodus_added_parameters = merge({}, [for key, s in local.exodus_added : { for k, v in jsondecode(file("${path.module}/../${s.parameterFile}")).Parameters : "${key}/${k}" => { stack = key, name = k, value = v } }]...)
}

# A stack `exodus repo new-instance` added to the listing (none at export): its Spacelift stack,
# from the files its row names. Stage the Parameter Store values its parameter file names first.
resource "spacelift_stack" "added" {
  for_each              = local.exodus_added
  name                  = "${each.value.stack} (${each.value.account}/${each.value.region})"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(each.value.templateFile)
  description           = "${each.value.kind} added with exodus repo new-instance"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["exodus", "exodus:new-instance"]

  cloudformation {
    entry_template_file = basename(each.value.templateFile)
    region              = each.value.region
    stack_name          = each.value.stack
    template_bucket     = var.template_buckets["${each.value.account}/${each.value.region}"]
  }
}

resource "spacelift_environment_variable" "added_parameters" {
  for_each   = local.exodus_added_parameters
  stack_id   = spacelift_stack.added[each.value.stack].id
  name       = "CF_PARAM_${each.value.name}"
  value      = each.value.value
  write_only = false
}

resource "spacelift_environment_variable" "added_capabilities" {
  for_each   = { for pair in setproduct(keys(local.exodus_added), ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]) : "${pair[0]}/${pair[1]}" => { stack = pair[0], name = pair[1] } }
  stack_id   = spacelift_stack.added[each.value.stack].id
  name       = "CF_${each.value.name}"
  value      = "1"
  write_only = false
}

resource "spacelift_policy_attachment" "added_migration_freeze" {
  for_each  = local.exodus_added
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.added[each.key].id
}
