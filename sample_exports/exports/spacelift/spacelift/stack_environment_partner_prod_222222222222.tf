# environment partner-prod: takes over CloudFormation stack AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID in place.
resource "spacelift_stack" "environment_partner_prod_222222222222" {
  name                  = "partner-prod (222222222222/us-east-1)"
  slug                  = "environment-partner-prod-222222222222"
  repository            = var.repository
  branch                = var.branch
  project_root          = dirname(local.exodus_stacks["222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"].templateFile)
  description           = "environment partner-prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:partner-prod", "exodus", "production", "proton:environment"]

  cloudformation {
    entry_template_file = basename(local.exodus_stacks["222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"].templateFile)
    region              = "us-east-1"
    stack_name          = "AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"
    template_bucket     = var.template_buckets["222222222222/us-east-1"]
  }
}

# Its parameters: the Parameters of the parameter file TEMPLATES.json names.
resource "spacelift_environment_variable" "environment_partner_prod_222222222222_parameters" {
  for_each   = jsondecode(file("${path.module}/../${local.exodus_stacks["222222222222/us-east-1/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"].parameterFile}")).Parameters
  stack_id   = spacelift_stack.environment_partner_prod_222222222222.id
  name       = "CF_PARAM_${each.key}"
  value      = each.value
  write_only = false
}

resource "spacelift_context_attachment" "environment_partner_prod_222222222222" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  stack_id   = spacelift_stack.environment_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "environment_partner_prod_222222222222_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.environment_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "environment_partner_prod_222222222222_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.environment_partner_prod_222222222222.id
}
