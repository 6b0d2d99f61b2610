# service_instance orders-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_orders_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS/dc104bd5-bc1f-48fc-9aca-9ab8dba21a30"
}

resource "aws_cloudformation_stack" "instance_orders_api_dev" {
  name          = "AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS"
  template_body = file("${path.module}/templates/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS.yaml")
  parameters = {
    ExodusSecretDbPassword = "/exodus/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS/db_password"
  }
  iam_role_arn = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/orders-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/orders-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.environment_dev]

  lifecycle {
    prevent_destroy = true
  }
}
