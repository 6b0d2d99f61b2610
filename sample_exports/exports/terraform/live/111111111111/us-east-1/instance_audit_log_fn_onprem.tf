# service_instance audit-log-fn/onprem: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_audit_log_fn_onprem
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY/f757a8a3-89d9-4454-affe-d20e6c51d69f"
}

resource "aws_cloudformation_stack" "instance_audit_log_fn_onprem" {
  name          = "AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-audit-log-fn-on-cloudformation--DTIYDADXSSQRFUY"].parameterFile}")).Parameters
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/legacy-network"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/audit-log-fn/service-instance/onprem"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
