# service_pipeline inventory-worker/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_inventory_worker
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC/b3999582-48b3-4c16-b2d3-37ad0dfd84b9"
}

resource "aws_cloudformation_stack" "pipeline_inventory_worker" {
  name          = "AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--MNKQBJKMNBAWHPC"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/inventory-worker"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_inventory_worker_dev]

  lifecycle {
    prevent_destroy = true
  }
}
