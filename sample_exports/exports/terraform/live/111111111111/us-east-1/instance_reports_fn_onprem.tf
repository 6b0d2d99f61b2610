# service_instance reports-fn/onprem: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_reports_fn_onprem
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF/763f15ba-c761-48dc-8582-b0991055d574"
}

resource "aws_cloudformation_stack" "instance_reports_fn_onprem" {
  name          = "AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-reports-fn-onpr-cloudformation--KTZMYWTKMIOHUAF"].parameterFile}")).Parameters
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/legacy-network"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/reports-fn"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/reports-fn/service-instance/onprem"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-lambda-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
