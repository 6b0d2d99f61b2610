# environment prod: takes over CloudFormation stack AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW in place.
resource "spacelift_stack" "environment_prod_111111111111" {
  name                  = "prod (111111111111/us-east-1)"
  slug                  = "environment-prod-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW"
  description           = "environment prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:prod", "exodus", "production", "proton:environment"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_param_containerinsights" {
  stack_id   = spacelift_stack.environment_prod_111111111111.id
  name       = "CF_PARAM_ContainerInsights"
  value      = "true"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_param_environmentname" {
  stack_id   = spacelift_stack.environment_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentName"
  value      = "prod"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_param_logretentiondays" {
  stack_id   = spacelift_stack.environment_prod_111111111111.id
  name       = "CF_PARAM_LogRetentionDays"
  value      = "365"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_param_subnetcidrs" {
  stack_id   = spacelift_stack.environment_prod_111111111111.id
  name       = "CF_PARAM_SubnetCidrs"
  value      = "10.30.0.0/24,10.30.1.0/24,10.30.2.0/24"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_param_vpccidr" {
  stack_id   = spacelift_stack.environment_prod_111111111111.id
  name       = "CF_PARAM_VpcCidr"
  value      = "10.30.0.0/16"
  write_only = false
}

resource "spacelift_context_attachment" "environment_prod_111111111111" {
  context_id = spacelift_context.environment_prod_111111111111.id
  stack_id   = spacelift_stack.environment_prod_111111111111.id
}

resource "spacelift_policy_attachment" "environment_prod_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.environment_prod_111111111111.id
}

resource "spacelift_policy_attachment" "environment_prod_111111111111_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.environment_prod_111111111111.id
}
