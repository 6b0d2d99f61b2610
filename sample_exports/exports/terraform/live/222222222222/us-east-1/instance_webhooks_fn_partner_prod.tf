# service_instance webhooks-fn/partner-prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_webhooks_fn_partner_prod
  id = "arn:aws:cloudformation:us-east-1:222222222222:stack/AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ/4caaec13-9257-491d-8074-d1a4e14e28ae"
}

resource "aws_cloudformation_stack" "instance_webhooks_fn_partner_prod" {
  name          = "AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-webhooks-fn-par-cloudformation--BNFGWPYWRBQJXBQ"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_partner_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_partner_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::222222222222:role/exodus-demo-proton-environment"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/partner-prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/webhooks-fn/service-instance/partner-prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
