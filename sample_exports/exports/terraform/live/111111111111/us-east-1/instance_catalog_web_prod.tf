# service_instance catalog-web/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_catalog_web_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO/bd87b224-0651-47e5-b7dd-67b052ddb5fd"
}

resource "aws_cloudformation_stack" "instance_catalog_web_prod" {
  name          = "AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_prod.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_prod.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_prod.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_prod.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_prod.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/catalog-web"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/catalog-web/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
