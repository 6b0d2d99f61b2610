# environment dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.environment_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV/b89c5f3e-566d-4ebc-b8f1-de8f995712bc"
}

resource "aws_cloudformation_stack" "environment_dev" {
  name          = "AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"     = "111111111111"
    "proton:environment" = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:template"    = "arn:aws:proton:us-east-1:111111111111:environment-template/demo-vpc-ecs-env"
  }

  lifecycle {
    prevent_destroy = true
  }
}
