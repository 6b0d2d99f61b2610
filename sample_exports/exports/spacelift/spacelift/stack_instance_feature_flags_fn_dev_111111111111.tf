# service_instance feature-flags-fn/dev: takes over CloudFormation stack AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ in place.
resource "spacelift_stack" "instance_feature_flags_fn_dev_111111111111" {
  name                  = "feature-flags-fn/dev (111111111111/us-east-1)"
  slug                  = "instance-feature-flags-fn-dev-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"].templateFile)
  description           = "service_instance feature-flags-fn/dev, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:dev", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "instance_feature_flags_fn_dev_111111111111_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["111111111111/us-east-1/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.instance_feature_flags_fn_dev_111111111111.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
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
