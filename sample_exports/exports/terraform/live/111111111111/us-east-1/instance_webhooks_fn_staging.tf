# service_instance webhooks-fn/staging: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_webhooks_fn_staging
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB/980ebe12-3f9b-427d-9a7d-4ec6c9308ba9"
}

resource "aws_cloudformation_stack" "instance_webhooks_fn_staging" {
  name          = "AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-sta-cloudformation--CRBYPTYSMEGAKAB"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_staging.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_staging.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/staging"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn/service-instance/staging"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
