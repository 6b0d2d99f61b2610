# service_instance image-resizer/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_image_resizer_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK/3ab4b816-9713-4016-a948-71f287fedd2b"
}

resource "aws_cloudformation_stack" "instance_image_resizer_dev" {
  name          = "AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-d-cloudformation--UXGYCNWFSCJXGZK"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/image-resizer"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/image-resizer/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
