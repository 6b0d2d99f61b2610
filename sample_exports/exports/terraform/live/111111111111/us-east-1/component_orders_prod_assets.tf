# component orders-prod-assets: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.component_orders_prod_assets
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA/44ced781-9bfc-4455-867c-c1359ffb9a16"
}

resource "aws_cloudformation_stack" "component_orders_prod_assets" {
  name          = "AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"
  template_body = chomp(file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"].templateFile}"))
  parameters    = jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-prod-ass-cloudformation--JSEBESYRCDFBCOA"].parameterFile}")).Parameters
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-components"
  tags = {
    "proton:account"          = "111111111111"
    "proton:component"        = "arn:aws:proton:us-east-1:111111111111:component/orders-prod-assets"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/orders-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/orders-api/service-instance/prod"
  }
  depends_on = [aws_cloudformation_stack.environment_prod]

  lifecycle {
    prevent_destroy = true
  }
}
