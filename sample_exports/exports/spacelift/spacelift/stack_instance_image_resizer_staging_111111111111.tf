# service_instance image-resizer/staging: takes over CloudFormation stack AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER in place.
resource "spacelift_stack" "instance_image_resizer_staging_111111111111" {
  name                  = "image-resizer/staging (111111111111/us-east-1)"
  slug                  = "instance-image-resizer-staging-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER"
  description           = "service_instance image-resizer/staging, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:staging", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-e6917a7571fe24b57"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-449d3a74ee59388cb,subnet-003951ce8d12bfeb8"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_exodussecretapitoken" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_ExodusSecretApiToken"
  value      = "/exodus/AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER/api_token"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_handler" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_Handler"
  value      = "index.handler"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_memorysize" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_MemorySize"
  value      = "1024"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_runtime" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_Runtime"
  value      = "python3.12"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "staging"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_servicename" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_ServiceName"
  value      = "image-resizer"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_stagename" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_StageName"
  value      = "live"
  write_only = false
}

resource "spacelift_environment_variable" "instance_image_resizer_staging_111111111111_cf_param_timeout" {
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
  name       = "CF_PARAM_Timeout"
  value      = "30"
  write_only = false
}

resource "spacelift_context_attachment" "instance_image_resizer_staging_111111111111" {
  context_id = spacelift_context.environment_staging_111111111111.id
  stack_id   = spacelift_stack.instance_image_resizer_staging_111111111111.id
}

resource "spacelift_policy_attachment" "instance_image_resizer_staging_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_image_resizer_staging_111111111111.id
}

resource "spacelift_policy_attachment" "instance_image_resizer_staging_111111111111_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_image_resizer_staging_111111111111.id
}

# image-resizer/staging runs after staging (dependency graph).
resource "spacelift_stack_dependency" "instance_image_resizer_staging_111111111111_after_environment_staging_111111111111" {
  stack_id            = spacelift_stack.instance_image_resizer_staging_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_staging_111111111111.id
}
