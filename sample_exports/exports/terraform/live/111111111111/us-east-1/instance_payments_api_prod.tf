# service_instance payments-api/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_payments_api_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA/d0df6aa8-c6d3-490f-835a-807eb443364e"
}

resource "aws_cloudformation_stack" "instance_payments_api_prod" {
  name          = "AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA"
  template_body = file("${path.module}/templates/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA.yaml")
  parameters = {
    ExodusSecretDbPassword = "/exodus/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA/db_password"
  }
  iam_role_arn = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/payments-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/payments-api/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.environment_prod]

  lifecycle {
    prevent_destroy = true
  }
}
