# service_instance catalog-web/dev: adopt the stack Proton deployed, by its StackId.
import {
  to = aws_cloudformation_stack.instance_catalog_web_dev
  id = "arn:aws:cloudformation:us-east-1:111111111111:stack/AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE/79d0346e-df01-4dfe-a698-40c95bd94444"
}

resource "aws_cloudformation_stack" "instance_catalog_web_dev" {
  name          = "AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE"
  template_body = file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE"].templateFile}")
  parameters    = merge(jsondecode(file("${path.module}/../../../${local.exodus_stacks["AWSProton-catalog-web-dev-cloudformation--OLDWRDEXKDMHFDE"].parameterFile}")).Parameters, { EnvironmentOutputsClusterArn = aws_cloudformation_stack.environment_dev.outputs["ClusterArn"], EnvironmentOutputsListenerArn = aws_cloudformation_stack.environment_dev.outputs["ListenerArn"], EnvironmentOutputsLoadBalancerDnsName = aws_cloudformation_stack.environment_dev.outputs["LoadBalancerDnsName"], EnvironmentOutputsServiceSecurityGroupId = aws_cloudformation_stack.environment_dev.outputs["ServiceSecurityGroupId"], EnvironmentOutputsSubnetIds = aws_cloudformation_stack.environment_dev.outputs["SubnetIds"], EnvironmentOutputsTaskExecutionRoleArn = aws_cloudformation_stack.environment_dev.outputs["TaskExecutionRoleArn"], EnvironmentOutputsVpcId = aws_cloudformation_stack.environment_dev.outputs["VpcId"] })
  iam_role_arn  = "arn:aws:iam::111111111111:role/exodus-demo-proton-service"
  tags = {
    "proton:account"          = "111111111111"
    "proton:environment"      = "arn:aws:proton:us-east-1:111111111111:environment/dev"
    "proton:service"          = "arn:aws:proton:us-east-1:111111111111:service/catalog-web"
    "proton:service-instance" = "arn:aws:proton:us-east-1:111111111111:service/catalog-web/service-instance/dev"
    "proton:template"         = "arn:aws:proton:us-east-1:111111111111:service-template/demo-fargate-svc"
  }

  lifecycle {
    prevent_destroy = true
  }
}
