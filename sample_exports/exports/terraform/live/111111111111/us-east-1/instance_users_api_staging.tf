# service_instance users-api/staging: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_users_api_staging
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB/d298c605-fe44-47ce-88a4-e7ec04e8f764"
}

resource "aws_cloudformation_stack" "instance_users_api_staging" {
  name          = "AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-users-api-stagi-cloudformation--LUDDFUHORZTGSUB"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_staging.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_staging.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_staging.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_staging.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_staging.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_staging.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_staging.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/staging"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/users-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/users-api/service-instance/staging"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
