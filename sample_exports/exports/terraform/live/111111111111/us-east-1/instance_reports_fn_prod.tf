# service_instance reports-fn/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_reports_fn_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ/8a92c67c-0a02-469a-8a7b-c8f15662e159"
}

resource "aws_cloudformation_stack" "instance_reports_fn_prod" {
  name          = "AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-reports-fn-prod-cloudformation--CBPNJZOMPSSCLNJ"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/reports-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/reports-fn/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
