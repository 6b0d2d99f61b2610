# service_instance users-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_users_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC/ef0cc477-5291-4fda-a838-2f570591e297"
}

resource "aws_cloudformation_stack" "instance_users_api_dev" {
  name          = "AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-dev-cloudformation--MPWHAUZNTKCIOXC"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_dev.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_dev.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_dev.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_dev.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_dev.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/users-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/users-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
