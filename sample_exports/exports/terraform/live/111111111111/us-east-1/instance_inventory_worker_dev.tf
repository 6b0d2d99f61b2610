# service_instance inventory-worker/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_inventory_worker_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU/d0d0fa68-c4ff-4e21-8893-1935de636fde"
}

resource "aws_cloudformation_stack" "instance_inventory_worker_dev" {
  name          = "AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_dev.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_dev.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_dev.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_dev.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_dev.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/inventory-worker"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/inventory-worker/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
