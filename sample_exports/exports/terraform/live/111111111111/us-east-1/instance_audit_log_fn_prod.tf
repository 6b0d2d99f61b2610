# service_instance audit-log-fn/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_audit_log_fn_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM/33ed3e64-cc0e-4ee7-87de-6e9aca03d9c6"
}

resource "aws_cloudformation_stack" "instance_audit_log_fn_prod" {
  name          = "AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM"].parameterFile}")).Parameters, { EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
