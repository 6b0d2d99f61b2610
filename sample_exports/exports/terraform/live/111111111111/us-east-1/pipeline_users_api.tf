# service_pipeline users-api/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_users_api
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB/966ff637-0778-456d-b0e5-7fa9283b8b69"
}

resource "aws_cloudformation_stack" "pipeline_users_api" {
  name          = "AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-cloudformation--EWGTBUCXFNCHWDB"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/users-api"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_users_api_dev, aws_cloudformation_stack.instance_users_api_prod, aws_cloudformation_stack.instance_users_api_staging]

  lifecycle {
    prevent_destroy = true
  }
}
