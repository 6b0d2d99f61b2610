# service_instance webhooks-fn/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_webhooks_fn_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW/97bbb045-8d04-47d7-9fd9-69c37b77186e"
}

resource "aws_cloudformation_stack" "instance_webhooks_fn_prod" {
  name          = "AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-pro-cloudformation--KOHEGQUMOKRFNXW"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
