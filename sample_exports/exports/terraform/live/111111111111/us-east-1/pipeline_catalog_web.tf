# service_pipeline catalog-web/pipeline: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.pipeline_catalog_web
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF/c7ecc1af-bcf6-4afd-aed0-9a803b3140c8"
}

resource "aws_cloudformation_stack" "pipeline_catalog_web" {
  name          = "AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF"].templateFile}")
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-cloudformation--JKSBCVWNSMEQTEF"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-pipeline-service"
  tags = {
    "proton:account"  = "111111111111"
    "proton:service"  = "arn:aws:proton:us-east-1:111111111111:service/catalog-web"
    "proton:template" = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.instance_catalog_web_dev, aws_cloudformation_stack.instance_catalog_web_prod]

  lifecycle {
    prevent_destroy = true
  }
}
