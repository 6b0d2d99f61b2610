# service_pipeline payments-api/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_payments_api
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT/3cfd2a41-7731-4679-82f1-9fc0f6ae1517"
}

resource "aws_cloudformation_stack" "pipeline_payments_api" {
  name          = "AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-cloudformation--OPYFTVJEXQHNAJT"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/payments-api"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_payments_api_dev, aws_cloudformation_stack.instance_payments_api_prod, aws_cloudformation_stack.instance_payments_api_staging]

  lifecycle {
    prevent_destroy = true
  }
}
