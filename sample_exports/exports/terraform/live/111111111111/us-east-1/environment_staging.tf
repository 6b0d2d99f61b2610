# environment staging: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.environment_staging
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ/5afd2218-8d69-4234-b219-b0cf308f0abe"
}

resource "aws_cloudformation_stack" "environment_staging" {
  name          = "AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"     = "111111111111"
    "proton:environment" = "arn:aws:proton:us-east-1:111111111111:environment/staging"
    "proton:template"    = "arn:aws:proton:us-east-1:111111111111:environment-template/demo-vpc-ecs-env"
  }

  lifecycle {
    prevent_destroy = true
  }
}
