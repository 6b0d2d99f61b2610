# service_instance users-api/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_users_api_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF/3e30ced0-f443-441e-b94c-fe0e7fdfdcb7"
}

resource "aws_cloudformation_stack" "instance_users_api_prod" {
  name          = "AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-prod-cloudformation--TZIHVSEKBGDBHOF"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_prod.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_prod.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_prod.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_prod.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_prod.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/users-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/users-api/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
