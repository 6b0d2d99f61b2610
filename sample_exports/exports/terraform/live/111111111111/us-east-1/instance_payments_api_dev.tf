# service_instance payments-api/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_payments_api_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL/73b3f95a-6286-4b98-bbe6-79171a66e4c6"
}

resource "aws_cloudformation_stack" "instance_payments_api_dev" {
  name          = "AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-payments-api-de-cloudformation--JRIAHHYWQPQGNNL"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_dev.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_dev.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_dev.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_dev.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_dev.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/payments-api"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/payments-api/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
