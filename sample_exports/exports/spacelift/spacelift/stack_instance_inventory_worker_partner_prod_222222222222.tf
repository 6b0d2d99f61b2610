# service_instance inventory-worker/partner-prod: takes over CloudFormation stack AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ in place.
resource "spacelift_stack" "instance_inventory_worker_partner_prod_222222222222" {
  name                  = "inventory-worker/partner-prod (222222222222/us-east-1)"
  slug                  = "instance-inventory-worker-partner-prod-222222222222"
  repository            = var.repository
  branch                = var.branch
  project_root          = "cloudformation/222222222222/us-east-1/AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"
  description           = "service_instance inventory-worker/partner-prod, taken over from AWS Proton by exodus"
  space_id              = var.space_id
  autodeploy            = false
  protect_from_deletion = true
  labels                = ["environment:partner-prod", "exodus", "production", "proton:service_instance"]

  cloudformation {
    entry_template_file = "template.yaml"
    region              = "us-east-1"
    stack_name          = "AWSProton-inventory-worke-cloudformation--DGJUZYKAGUURDBZ"
    template_bucket     = var.template_buckets["222222222222/us-east-1"]
  }
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_componentassetsbucketname" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ComponentAssetsBucketName"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_componentassetsbucketnamedefined" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ComponentAssetsBucketNameDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_componentassetspolicyarn" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ComponentAssetsPolicyArn"
  value      = ""
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_componentassetspolicyarndefined" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ComponentAssetsPolicyArnDefined"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_desiredcount" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_DesiredCount"
  value      = "2"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_enableexecutecommand" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnableExecuteCommand"
  value      = "false"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputsclusterarn" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsClusterArn"
  value      = "arn:aws:ecs:us-east-1:222222222222:cluster/partner-prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputslistenerarn" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsListenerArn"
  value      = "arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/AWSProton-partner-p-MOT3PKWOCK1G/136a94f892690c0e/ffac7845d8ec8256"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputsloadbalancerdnsname" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsLoadBalancerDnsName"
  value      = "AWSProton-partner-p-MOT3PKWOCK1G-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputsservicesecuritygroupid" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsServiceSecurityGroupId"
  value      = "sg-6f7a09327b91cbab6"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputssubnetids" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsSubnetIds"
  value      = "subnet-50b5f5ea8cd169fb0,subnet-f52a29f5435e1b3f8"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputstaskexecutionrolearn" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsTaskExecutionRoleArn"
  value      = "arn:aws:iam::222222222222:role/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID-TaskExecutionRole-11JYZBUHFKJ7"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_environmentoutputsvpcid" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_EnvironmentOutputsVpcId"
  value      = "vpc-71941d2da9533bfcb"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_healthcheckpath" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_HealthCheckPath"
  value      = "/health"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_image" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_Image"
  value      = "public.ecr.aws/nginx/nginx:1.25"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_listenerpriority" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ListenerPriority"
  value      = "40"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_loglevel" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_LogLevel"
  value      = "info"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_pathpattern" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_PathPattern"
  value      = "/inventory/*"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_port" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_Port"
  value      = "8080"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_serviceinstancename" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ServiceInstanceName"
  value      = "partner-prod"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_servicename2" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_ServiceName2"
  value      = "inventory-worker"
  write_only = false
}

resource "spacelift_environment_variable" "instance_inventory_worker_partner_prod_222222222222_cf_param_tasksize" {
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  name       = "CF_PARAM_TaskSize"
  value      = "small"
  write_only = false
}

resource "spacelift_context_attachment" "instance_inventory_worker_partner_prod_222222222222" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  stack_id   = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_inventory_worker_partner_prod_222222222222_migration_freeze" {
  policy_id = spacelift_policy.migration_freeze.id
  stack_id  = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

resource "spacelift_policy_attachment" "instance_inventory_worker_partner_prod_222222222222_production_approval" {
  policy_id = spacelift_policy.production_approval.id
  stack_id  = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
}

# inventory-worker/partner-prod runs after partner-prod (dependency graph).
resource "spacelift_stack_dependency" "instance_inventory_worker_partner_prod_222222222222_after_environment_partner_prod_222222222222" {
  stack_id            = spacelift_stack.instance_inventory_worker_partner_prod_222222222222.id
  depends_on_stack_id = spacelift_stack.environment_partner_prod_222222222222.id
}
