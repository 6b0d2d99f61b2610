# service_instance image-resizer/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_image_resizer_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX/a8ea75e9-3db1-4a4d-8b76-42bb430f7e8b"
}

resource "aws_cloudformation_stack" "instance_image_resizer_prod" {
  name          = "AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-p-cloudformation--UCTOYRUXVYIORDX"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/image-resizer"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/image-resizer/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
