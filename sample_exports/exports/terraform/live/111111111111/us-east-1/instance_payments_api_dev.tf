# service_instance payments-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_payments_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL/73b3f95a-6286-4b98-bbe6-79171a66e4c6"
}

resource "aws_cloudformation_stack" "instance_payments_api_dev" {
  name          = "AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL"
  template_body = file("${path.module}/templates/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL.yaml")
  parameters = {
    ExodusSecretDbPassword = "/exodus/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL/db_password"
  }
  iam_role_arn = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/payments-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/payments-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.environment_dev]

  lifecycle {
    prevent_destroy = true
  }
}
