# service_instance audit-log-fn/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_audit_log_fn_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM/33ed3e64-cc0e-4ee7-87de-6e9aca03d9c6"
}

resource "aws_cloudformation_stack" "instance_audit_log_fn_prod" {
  name          = "AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM"
  template_body = file("${path.module}/templates/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM.yaml")
  parameters = {
    ExodusSecretApiToken = "/exodus/AWSProton-audit-log-fn-pr-cloudformation--GOHPIVXIGHBDTFM/api_token"
  }
  iam_role_arn = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }
  depends_on = [aws_cloudformation_stack.environment_prod]

  lifecycle {
    prevent_destroy = true
  }
}
