# service_pipeline search-api/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_search_api
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM/75429fc1-b098-4460-8a78-847b379fed8a"
}

resource "aws_cloudformation_stack" "pipeline_search_api" {
  name          = "AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-search-api-cloudformation--BFAPNIIIBZRFHSM"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/search-api"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_search_api_dev, aws_cloudformation_stack.instance_search_api_staging]

  lifecycle {
    prevent_destroy = true
  }
}
