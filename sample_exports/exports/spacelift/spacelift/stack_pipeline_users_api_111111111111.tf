# service_pipeline users-api/pipeline: takes over CloudFormation stack AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB in place.
resource "spacelift_stack" "pipeline_users_api_111111111111" {
  name                  = "users-api/pipeline (111111111111/us-east-1)"
  slug                  = "pipeline-users-api-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["111111111111/us-east-1/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"].templateFile)
  description           = "service_pipeline users-api/pipeline, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["exodus", "proton:service_pipeline"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["111111111111/us-east-1/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "pipeline_users_api_111111111111_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["111111111111/us-east-1/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.pipeline_users_api_111111111111.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
  write_only = false
}

resource "spacelift_environment_variable" "pipeline_users_api_111111111111_cf_capability_auto_expand" {
  stack_id   = spacelift_stack.pipeline_users_api_111111111111.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "pipeline_users_api_111111111111_cf_capability_iam" {
  stack_id   = spacelift_stack.pipeline_users_api_111111111111.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "pipeline_users_api_111111111111_cf_capability_named_iam" {
  stack_id   = spacelift_stack.pipeline_users_api_111111111111.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_policy_attachment" "pipeline_users_api_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.pipeline_users_api_111111111111.id
}

# users-api/pipeline runs after users-api/dev (dependency graph).
resource "spacelift_stack_dependency" "pipeline_users_api_111111111111_after_instance_users_api_dev_111111111111" {
  stack_id            = spacelift_stack.pipeline_users_api_111111111111.id
  depends_on_stack_id = spacelift_stack.instance_users_api_dev_111111111111.id
}

# users-api/pipeline runs after users-api/prod (dependency graph).
resource "spacelift_stack_dependency" "pipeline_users_api_111111111111_after_instance_users_api_prod_111111111111" {
  stack_id            = spacelift_stack.pipeline_users_api_111111111111.id
  depends_on_stack_id = spacelift_stack.instance_users_api_prod_111111111111.id
}

# users-api/pipeline runs after users-api/staging (dependency graph).
resource "spacelift_stack_dependency" "pipeline_users_api_111111111111_after_instance_users_api_staging_111111111111" {
  stack_id            = spacelift_stack.pipeline_users_api_111111111111.id
  depends_on_stack_id = spacelift_stack.instance_users_api_staging_111111111111.id
}
