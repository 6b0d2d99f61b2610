# Each stack's template and parameter file, as TEMPLATES.json names them (exodus repo
# set/upgrade/new-instance edit those files; the stacks here follow), and the stacks this
# module adopted (each in its own file, with its import block).
locals {
  exodus_stacks  = { for s in jsondecode(file("${path.module}/../../../TEMPLATES.json")).stacks : s.stack => s if s.account == "222222222222" && s.region == "us-east-1" }
  exodus_adopted = ["AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ", "AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID", "AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"]
}

# A stack `exodus repo new-instance` added to the listing (none at export): created from the
# files its row names. Stage the Parameter Store values its parameter file names first.
resource "aws_cloudformation_stack" "added" {
  for_each      = { for name, s in local.exodus_stacks : name => s if !contains(local.exodus_adopted, name) }
  name          = each.key
  template_body = file("${path.module}/../../../${each.value.templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${each.value.parameterFile}")).Parameters
  capabilities  = ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]

  lifecycle {
    prevent_destroy = true
  }
}
