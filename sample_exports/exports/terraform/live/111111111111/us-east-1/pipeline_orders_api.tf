# service_pipeline orders-api/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_orders_api
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ/016ca205-e1e3-495e-b9a6-9b09e95362dc"
}

resource "aws_cloudformation_stack" "pipeline_orders_api" {
  name          = "AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-cloudformation--BYBBGGVTRAWQEDJ"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/orders-api"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_orders_api_dev, aws_cloudformation_stack.instance_orders_api_prod, aws_cloudformation_stack.instance_orders_api_staging]

  lifecycle {
    prevent_destroy = true
  }
}
