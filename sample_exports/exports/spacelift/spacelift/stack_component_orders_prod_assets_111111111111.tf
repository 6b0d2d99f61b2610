# component orders-prod-assets: takes over CloudFormation stack AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA in place.
resource "spacelift_stack" "component_orders_prod_assets_111111111111" {
  name                  = "orders-prod-assets (111111111111/us-east-1)"
  slug                  = "component-orders-prod-assets-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["111111111111/us-east-1/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"].templateFile)
  description           = "component orders-prod-assets, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:prod", "exodus", "production", "proton:component"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["111111111111/us-east-1/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "component_orders_prod_assets_111111111111_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["111111111111/us-east-1/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.component_orders_prod_assets_111111111111.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
  write_only = false
}

resource "spacelift_context_attachment" "component_orders_prod_assets_111111111111" {
  context_id = spacelift_context.environment_prod_111111111111.id
  stack_id   = spacelift_stack.component_orders_prod_assets_111111111111.id
}

resource "spacelift_policy_attachment" "component_orders_prod_assets_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.component_orders_prod_assets_111111111111.id
}

resource "spacelift_policy_attachment" "component_orders_prod_assets_111111111111_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.component_orders_prod_assets_111111111111.id
}

# orders-prod-assets runs after prod (dependency graph).
resource "spacelift_stack_dependency" "component_orders_prod_assets_111111111111_after_environment_prod_111111111111" {
  stack_id            = spacelift_stack.component_orders_prod_assets_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_prod_111111111111.id
}
