# environment prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.environment_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW/ff4f7713-1e48-4008-bead-a415d81e7061"
}

resource "aws_cloudformation_stack" "environment_prod" {
  name          = "AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"     = "111111111111"
    "proton:environment" = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:template"    = "arn:aws:proton:us-east-1:111111111111:environment-template/demo-vpc-ecs-env"
  }

  lifecycle {
    prevent_destroy = true
  }
}
