# service_instance catalog-web/prod: takes over CloudFormation stack AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO in place.
resource "spacelift_stack" "instance_catalog_web_prod_111111111111" {
  name                  = "catalog-web/prod (111111111111/us-east-1)"
  slug                  = "instance-catalog-web-prod-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO"
  description           = "service_instance catalog-web/prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:prod", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-catalog-web-pro-cloudformation--FTGGVPMBXSYGYDO"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_componentassetsbucketname" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ComponentAssetsBucketName"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_componentassetsbucketnamedefined" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ComponentAssetsBucketNameDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_componentassetspolicyarn" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ComponentAssetsPolicyArn"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_componentassetspolicyarndefined" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ComponentAssetsPolicyArnDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_desiredcount" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_DesiredCount"
  value      = "2"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_enableexecutecommand" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnableExecuteCommand"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentname" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentName"
  value      = "prod"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputsclusterarn" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsClusterArn"
  value      = "arn:aws:ecs:us-east-1:111111111111:cluster/prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputslistenerarn" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsListenerArn"
  value      = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/AWSProton-prod-clou-38G6S2OYS9PH/1e0d27406695e9fb/7e080542c316d113"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputsloadbalancerdnsname" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsLoadBalancerDnsName"
  value      = "AWSProton-prod-clou-38G6S2OYS9PH-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-af1afa63b8ab1bb92"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-87b0efe3752e2c1d5,subnet-217fa699d945fe961,subnet-c9ee827e1269c1231"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputstaskexecutionrolearn" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsTaskExecutionRoleArn"
  value      = "arn:aws:iam::111111111111:role/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW-TaskExecutionRole-6CE94873DNXU"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_environmentoutputsvpcid" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsVpcId"
  value      = "vpc-d9f476b6a6c7d65af"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_healthcheckpath" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_HealthCheckPath"
  value      = "/healthz"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_image" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_Image"
  value      = "public.ecr.aws/nginx/nginx:1.25"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_listenerpriority" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ListenerPriority"
  value      = "30"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_loglevel" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_LogLevel"
  value      = "warn"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_pathpattern" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_PathPattern"
  value      = "/catalog/*"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_port" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_Port"
  value      = "3000"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "prod"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_servicename2" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_ServiceName2"
  value      = "catalog-web"
  write_only = false
}

resource "spacelift_environment_variable" "instance_catalog_web_prod_111111111111_cf_param_tasksize" {
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
  name       = "CF_PARAM_TaskSize"
  value      = "x-small"
  write_only = false
}

resource "spacelift_context_attachment" "instance_catalog_web_prod_111111111111" {
  context_id = spacelift_context.environment_prod_111111111111.id
  stack_id   = spacelift_stack.instance_catalog_web_prod_111111111111.id
}

resource "spacelift_policy_attachment" "instance_catalog_web_prod_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_catalog_web_prod_111111111111.id
}

resource "spacelift_policy_attachment" "instance_catalog_web_prod_111111111111_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_catalog_web_prod_111111111111.id
}

# catalog-web/prod runs after prod (dependency graph).
resource "spacelift_stack_dependency" "instance_catalog_web_prod_111111111111_after_environment_prod_111111111111" {
  stack_id            = spacelift_stack.instance_catalog_web_prod_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_prod_111111111111.id
}
