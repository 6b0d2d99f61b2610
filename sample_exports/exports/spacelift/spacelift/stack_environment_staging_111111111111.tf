# environment staging: takes over CloudFormation stack AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ in place.
resource "spacelift_stack" "environment_staging_111111111111" {
  name                  = "staging (111111111111/us-east-1)"
  slug                  = "environment-staging-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["111111111111/us-east-1/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"].templateFile)
  description           = "environment staging, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:staging", "exodus", "proton:environment"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["111111111111/us-east-1/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "environment_staging_111111111111_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["111111111111/us-east-1/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.environment_staging_111111111111.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
  write_only = false
}

resource "spacelift_context_attachment" "environment_staging_111111111111" {
  context_id = spacelift_context.environment_staging_111111111111.id
  stack_id   = spacelift_stack.environment_staging_111111111111.id
}

resource "spacelift_policy_attachment" "environment_staging_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.environment_staging_111111111111.id
}
