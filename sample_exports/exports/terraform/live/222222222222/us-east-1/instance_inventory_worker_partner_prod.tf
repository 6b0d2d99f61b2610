# service_instance inventory-worker/partner-prod: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_inventory_worker_partner_prod
  id = "arn:aws:cloudformation:us-east-1:222222222222:stack/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ/ef4e4255-b6ae-4467-9f92-d337f52673a6"
}

resource "aws_cloudformation_stack" "instance_inventory_worker_partner_prod" {
  name          = "AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_partner_prod.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_partner_prod.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_partner_prod.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_partner_prod.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_partner_prod.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_partner_prod.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_partner_prod.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::222222222222:role/exodus-demo-proton-environment"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/partner-prod"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/inventory-worker"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/inventory-worker/service-instance/partner-prod"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
