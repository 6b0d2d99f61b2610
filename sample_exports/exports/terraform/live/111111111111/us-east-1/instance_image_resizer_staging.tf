# service_instance image-resizer/staging: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_image_resizer_staging
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER/76093e1b-0fa7-4349-9fb8-2b35981b6ed7"
}

resource "aws_cloudformation_stack" "instance_image_resizer_staging" {
  name          = "AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-image-resizer-s-cloudformation--GVDXPISCAFPLNER"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_staging.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_staging.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/staging"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/image-resizer"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/image-resizer/service-instance/staging"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
