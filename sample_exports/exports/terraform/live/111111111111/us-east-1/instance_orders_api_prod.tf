# service_instance orders-api/prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_orders_api_prod
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW/4110e22b-b6fe-4fdd-9c61-4c5987b72f1e"
}

resource "aws_cloudformation_stack" "instance_orders_api_prod" {
  name          = "AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW"].parameterFile}")).Parameters, { ComponentAssetsBucketName = aws_cloudformation_stack.component_orders_prod_assets.outputs["AssetsBucketName"], ComponentAssetsPolicyArn = aws_cloudformation_stack.component_orders_prod_assets.outputs["AssetsPolicyArn"], EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_prod.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_prod.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_prod.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_prod.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_prod.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_prod.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/orders-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/orders-api/service-instance/prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
