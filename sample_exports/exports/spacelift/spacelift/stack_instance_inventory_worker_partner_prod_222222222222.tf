# service_instance inventory-worker/partner-prod: takes over CloudFormation stack AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ in place.
resource "spacelift_stack" "instance_inventory_worker_partner_prod_222222222222" {
  name                  = "inventory-worker/partner-prod (222222222222/us-east-1)"
  slug                  = "instance-inventory-worker-partner-prod-222222222222"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"].templateFile)
  description           = "service_instance inventory-worker/partner-prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:partner-prod", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"
    template_bucket     = var.template_buckets["222222222222/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
  write_only = false
}

resource "spacelift_context_attachment" "instance_inventory_worker_partner_prod_222222222222" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_inventory_worker_partner_prod_222222222222_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_inventory_worker_partner_prod_222222222222_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

# inventory-worker/partner-prod runs after partner-prod (dependency graph).
resource "spacelift_stack_dependency" "instance_inventory_worker_partner_prod_222222222222_after_environment_partner_prod_222222222222" {
  stack_id            = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  depends_on_stack_id = spacelift_stack.environment_partner_prod_222222222222.id
}
