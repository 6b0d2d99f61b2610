# environment partner-prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.environment_partner_prod
  id = "arn:aws:cloudformation:us-east-1:222222222222:stack/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID/fcad2572-f8dc-40dc-a156-e33cf29b0bc7"
}

resource "aws_cloudformation_stack" "environment_partner_prod" {
  name          = "AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::222222222222:role/exodus-demo-proton-environment"
  tags = {
    "proton:account"     = "111111111111"
    "proton:environment" = "arn:aws:proton:us-east-1:111111111111:environment/partner-prod"
    "proton:template"    = "arn:aws:proton:us-east-1:111111111111:environment-template/demo-vpc-ecs-env"
  }

  lifecycle {
    prevent_destroy = true
  }
}
