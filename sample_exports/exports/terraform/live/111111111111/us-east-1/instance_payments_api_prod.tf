# service_instance payments-api/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_payments_api_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA/d0df6aa8-c6d3-490f-835a-807eb443364e"
}

resource "aws_cloudformation_stack" "instance_payments_api_prod" {
  name          = "AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-pr-cloudformation--VLMUZWQELMRUEHA"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_prod.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_prod.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_prod.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_prod.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_prod.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/payments-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/payments-api/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
