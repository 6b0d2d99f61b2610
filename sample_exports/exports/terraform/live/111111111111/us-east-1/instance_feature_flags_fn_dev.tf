# service_instance feature-flags-fn/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_feature_flags_fn_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ/22f2c1dd-a277-4a14-b777-29fdfeba1d74"
}

resource "aws_cloudformation_stack" "instance_feature_flags_fn_dev" {
  name          = "AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-feature-flags-f-cloudformation--EQJLIBMQYIWDNYZ"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/feature-flags-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/feature-flags-fn/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
