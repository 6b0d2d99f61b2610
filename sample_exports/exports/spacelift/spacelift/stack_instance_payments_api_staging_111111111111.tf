# service_instance payments-api/staging: takes over CloudFormation stack AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI in place.
resource "spacelift_stack" "instance_payments_api_staging_111111111111" {
  name                  = "payments-api/staging (111111111111/us-east-1)"
  slug                  = "instance-payments-api-staging-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"
  description           = "service_instance payments-api/staging, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:staging", "exodus", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_payments_api_staging_111111111111_cf_param_exodussecretdbpassword" {
  stack_id   = spacelift_stack.instance_payments_api_staging_111111111111.id
  name       = "CF_PARAM_ExodusSecretDbPassword"
  value      = "/exodus/AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI/db_password"
  write_only = false
}

resource "spacelift_context_attachment" "instance_payments_api_staging_111111111111" {
  context_id = spacelift_context.environment_staging_111111111111.id
  stack_id   = spacelift_stack.instance_payments_api_staging_111111111111.id
}

resource "spacelift_policy_attachment" "instance_payments_api_staging_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_payments_api_staging_111111111111.id
}

# payments-api/staging runs after staging (dependency graph).
resource "spacelift_stack_dependency" "instance_payments_api_staging_111111111111_after_environment_staging_111111111111" {
  stack_id            = spacelift_stack.instance_payments_api_staging_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_staging_111111111111.id
}
