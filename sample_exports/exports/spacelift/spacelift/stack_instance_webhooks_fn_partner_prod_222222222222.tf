# service_instance webhooks-fn/partner-prod: takes over CloudFormation stack AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ in place.
resource "spacelift_stack" "instance_webhooks_fn_partner_prod_222222222222" {
  name                  = "webhooks-fn/partner-prod (222222222222/us-east-1)"
  slug                  = "instance-webhooks-fn-partner-prod-222222222222"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/222222222222/us-east-1/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"
  description           = "service_instance webhooks-fn/partner-prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:partner-prod", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"
    template_bucket     = var.template_buckets["222222222222/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-6f7a09327b91cbab6"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-50b5f5ea8cd169fb0,subnet-f52a29f5435e1b3f8"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_exodussecretapitoken" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_ExodusSecretApiToken"
  value      = "/exodus/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ/api_token"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_handler" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_Handler"
  value      = "index.handler"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_memorysize" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_MemorySize"
  value      = "256"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_runtime" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_Runtime"
  value      = "nodejs24.x"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "partner-prod"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_servicename" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_ServiceName"
  value      = "webhooks-fn"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_stagename" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_StageName"
  value      = "v1"
  write_only = false
}

resource "spacelift_environment_variable" "instance_webhooks_fn_partner_prod_222222222222_cf_param_timeout" {
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  name       = "CF_PARAM_Timeout"
  value      = "10"
  write_only = false
}

resource "spacelift_context_attachment" "instance_webhooks_fn_partner_prod_222222222222" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  stack_id   = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_webhooks_fn_partner_prod_222222222222_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_webhooks_fn_partner_prod_222222222222_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
}

# webhooks-fn/partner-prod runs after partner-prod (dependency graph).
resource "spacelift_stack_dependency" "instance_webhooks_fn_partner_prod_222222222222_after_environment_partner_prod_222222222222" {
  stack_id            = spacelift_stack.instance_webhooks_fn_partner_prod_222222222222.id
  depends_on_stack_id = spacelift_stack.environment_partner_prod_222222222222.id
}
