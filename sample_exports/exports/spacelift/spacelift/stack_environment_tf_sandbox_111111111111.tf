# environment tf-sandbox: self-managed Terraform in tf-sandbox of its provisioning repository.
resource "spacelift_stack" "environment_tf_sandbox_111111111111" {
  name                    = "tf-sandbox (111111111111/us-east-1)"
  slug                    = "environment-tf-sandbox-111111111111"
  repository              = var.provisioning_repository
  branch                  = var.branch
  project_root            = "tf-sandbox"
  terraform_workflow_tool = "TERRAFORM_FOSS"
  terraform_version       = "1.9.8"
  manage_state            = false
  description             = "environment tf-sandbox, taken over from AWS Proton by exodus"
  space_id                = var.space_id
  autodeploy              = false
  protect_from_deletion   = true
  labels                  = ["environment:tf-sandbox", "exodus", "proton:environment"]
}

resource "spacelift_policy_attachment" "environment_tf_sandbox_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.environment_tf_sandbox_111111111111.id
}
