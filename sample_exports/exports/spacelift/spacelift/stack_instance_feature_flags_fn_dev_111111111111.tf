# service_instance feature-flags-fn/dev: takes over CloudFormation stack AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ in place.
resource "spacelift_stack" "instance_feature_flags_fn_dev_111111111111" {
  name                  = "feature-flags-fn/dev (111111111111/us-east-1)"
  slug                  = "instance-feature-flags-fn-dev-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"
  description           = "service_instance feature-flags-fn/dev, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:dev", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-3b52c12c4e8ed08ff"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-02ebce72f45173298,subnet-0f43b065a8f515fad"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_exodussecretapitoken" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_ExodusSecretApiToken"
  value      = "/exodus/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ/api_token"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_handler" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_Handler"
  value      = "index.handler"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_memorysize" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_MemorySize"
  value      = "128"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_runtime" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_Runtime"
  value      = "python3.12"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "dev"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_servicename" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_ServiceName"
  value      = "feature-flags-fn"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_stagename" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_StageName"
  value      = "live"
  write_only = false
}

resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_cf_param_timeout" {
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_Timeout"
  value      = "3"
  write_only = false
}

resource "spacelift_context_attachment" "instance_feature_flags_fn_dev_111111111111" {
  context_id = spacelift_context.environment_dev_111111111111.id
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
}

resource "spacelift_policy_attachment" "instance_feature_flags_fn_dev_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
}

resource "spacelift_policy_attachment" "instance_feature_flags_fn_dev_111111111111_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
}

# feature-flags-fn/dev runs after dev (dependency graph).
resource "spacelift_stack_dependency" "instance_feature_flags_fn_dev_111111111111_after_environment_dev_111111111111" {
  stack_id            = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_dev_111111111111.id
}
