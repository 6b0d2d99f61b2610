# service_instance search-api/staging: takes over CloudFormation stack AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE in place.
resource "spacelift_stack" "instance_search_api_staging_111111111111" {
  name                  = "search-api/staging (111111111111/us-east-1)"
  slug                  = "instance-search-api-staging-111111111111"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/111111111111/us-east-1/AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"
  description           = "service_instance search-api/staging, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:staging", "exodus", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"
    template_bucket     = var.template_buckets["111111111111/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_componentassetsbucketname" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ComponentAssetsBucketName"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_componentassetsbucketnamedefined" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ComponentAssetsBucketNameDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_componentassetspolicyarn" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ComponentAssetsPolicyArn"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_componentassetspolicyarndefined" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ComponentAssetsPolicyArnDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_desiredcount" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_DesiredCount"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_enableexecutecommand" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnableExecuteCommand"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputsclusterarn" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsClusterArn"
  value      = "arn:aws:ecs:us-east-1:111111111111:cluster/staging-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputslistenerarn" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsListenerArn"
  value      = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/AWSProton-staging-c-5OQNLM5EHFH5/895ef3b5396a50d1/707ec87abe9870b0"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputsloadbalancerdnsname" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsLoadBalancerDnsName"
  value      = "AWSProton-staging-c-5OQNLM5EHFH5-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-e6917a7571fe24b57"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-449d3a74ee59388cb,subnet-003951ce8d12bfeb8"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputstaskexecutionrolearn" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsTaskExecutionRoleArn"
  value      = "arn:aws:iam::111111111111:role/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ-TaskExecutionRole-E76E40MVF81R"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_environmentoutputsvpcid" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_EnvironmentOutputsVpcId"
  value      = "vpc-9df5f766da7442e6c"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_healthcheckpath" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_HealthCheckPath"
  value      = "/health"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_image" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_Image"
  value      = "public.ecr.aws/nginx/nginx:1.25"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_listenerpriority" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ListenerPriority"
  value      = "10"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_loglevel" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_LogLevel"
  value      = "info"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_pathpattern" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_PathPattern"
  value      = "/search/*"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_port" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_Port"
  value      = "8080"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "staging"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_servicename2" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_ServiceName2"
  value      = "search-api"
  write_only = false
}

resource "spacelift_environment_variable" "instance_search_api_staging_111111111111_cf_param_tasksize" {
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
  name       = "CF_PARAM_TaskSize"
  value      = "x-small"
  write_only = false
}

resource "spacelift_context_attachment" "instance_search_api_staging_111111111111" {
  context_id = spacelift_context.environment_staging_111111111111.id
  stack_id   = spacelift_stack.instance_search_api_staging_111111111111.id
}

resource "spacelift_policy_attachment" "instance_search_api_staging_111111111111_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_search_api_staging_111111111111.id
}

# search-api/staging runs after staging (dependency graph).
resource "spacelift_stack_dependency" "instance_search_api_staging_111111111111_after_environment_staging_111111111111" {
  stack_id            = spacelift_stack.instance_search_api_staging_111111111111.id
  depends_on_stack_id = spacelift_stack.environment_staging_111111111111.id
}
