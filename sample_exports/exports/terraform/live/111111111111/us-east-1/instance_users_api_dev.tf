# service_instance users-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_users_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC/ef0cc477-5291-4fda-a838-2f570591e297"
}

resource "aws_cloudformation_stack" "instance_users_api_dev" {
  name          = "AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC"
  template_body = file("${path.module}/templates/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC.yaml")
  parameters = {
    ExodusSecretDbPassword = "/exodus/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC/db_password"
  }
  iam_role_arn = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/users-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/users-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }
  depends_on = [aws_cloudformation_stack.environment_dev]

  lifecycle {
    prevent_destroy = true
  }
}
