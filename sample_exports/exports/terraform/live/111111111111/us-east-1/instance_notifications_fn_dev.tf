# service_instance notifications-fn/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_notifications_fn_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM/e83c938c-8da8-4995-9540-5d8a52b549c8"
}

resource "aws_cloudformation_stack" "instance_notifications_fn_dev" {
  name          = "AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-notifications-f-cloudformation--HGQRQSZTTRVCSIM"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/notifications-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/notifications-fn/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
