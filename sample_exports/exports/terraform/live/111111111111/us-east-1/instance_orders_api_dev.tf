# service_instance orders-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_orders_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS/dc104bd5-bc1f-48fc-9aca-9ab8dba21a30"
}

resource "aws_cloudformation_stack" "instance_orders_api_dev" {
  name          = "AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-orders-api-dev-cloudformation--XFPJEOHHZCVWMVS"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_dev.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_dev.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_dev.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_dev.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_dev.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/orders-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/orders-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
