# service_instance notifications-fn/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_notifications_fn_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD/a6b1c67f-0bed-4dbd-b2ad-6bceb721b010"
}

resource "aws_cloudformation_stack" "instance_notifications_fn_prod" {
  name          = "AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-notifications-f-cloudformation--YMVATPZHXFCVLWD"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/notifications-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/notifications-fn/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
