terraform {
  required_version = ">= 1.5.0"

  required_providers {
    spacelift = {
      source  = "spacelift-io/spacelift"
      version = ">= 1.0"
    }
  }

  # Partial configuration: give it at init (the runbook does), e.g.
  #   terraform init -backend-config="bucket=STATE_BUCKET" \
  #     -backend-config="key=exodus/spacelift/terraform.tfstate" \
  #     -backend-config="region=STATE_REGION" -backend-config="use_lockfile=true"
  # Any backend works; keep one state per root module.
  backend "s3" {}
}

# Credentials: SPACELIFT_API_KEY_ENDPOINT, SPACELIFT_API_KEY_ID, SPACELIFT_API_KEY_SECRET.
provider "spacelift" {}

resource "spacelift_policy" "migration_freeze" {
  name        = "exodus: no replacement or deletion during the Proton migration"
  type        = "PLAN"
  engine_type = "REGO_V1"
  space_id    = var.space_id
  body        = file("${path.module}/policies/plan-no-replace-or-delete.rego")
  labels      = ["exodus"]
}

resource "spacelift_policy" "production_approval" {
  name        = "exodus: two approvals for production during the Proton migration"
  type        = "APPROVAL"
  engine_type = "REGO_V1"
  space_id    = var.space_id
  body        = file("${path.module}/policies/approval-production.rego")
  labels      = ["exodus"]
}

resource "spacelift_context" "environment_dev_111111111111" {
  name        = "exodus environment dev 111111111111"
  description = "inputs the stacks of this Proton environment share"
  space_id    = var.space_id
  labels      = ["exodus"]
}

resource "spacelift_environment_variable" "environment_dev_111111111111_cf_capability_auto_expand" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_cf_capability_iam" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_cf_capability_named_iam" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_clusterarn" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERARN"
  value      = "arn:aws:ecs:us-east-1:111111111111:cluster/dev-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_clustername" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERNAME"
  value      = "dev-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_listenerarn" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LISTENERARN"
  value      = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/AWSProton-dev-cloud-H6TMXYS77TVC/e81df75f04f08d25/76c34ba41eaa8eeb"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_loadbalancerdnsname" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LOADBALANCERDNSNAME"
  value      = "AWSProton-dev-cloud-H6TMXYS77TVC-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_serviceloggroupname" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICELOGGROUPNAME"
  value      = "/exodus-demo/dev/services"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_servicesecuritygroupid" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICESECURITYGROUPID"
  value      = "sg-3b52c12c4e8ed08ff"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_subnetids" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SUBNETIDS"
  value      = "subnet-02ebce72f45173298,subnet-0f43b065a8f515fad"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_taskexecutionrolearn" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_TASKEXECUTIONROLEARN"
  value      = "arn:aws:iam::111111111111:role/AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV-TaskExecutionRole-XRQSB01MVDQT"
  write_only = false
}

resource "spacelift_environment_variable" "environment_dev_111111111111_proton_environment_output_vpcid" {
  context_id = spacelift_context.environment_dev_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_VPCID"
  value      = "vpc-c1d6b294f6183bae1"
  write_only = false
}

resource "spacelift_context" "environment_legacy_network_111111111111" {
  name        = "exodus environment legacy network 111111111111"
  description = "inputs the stacks of this Proton environment share"
  space_id    = var.space_id
  labels      = ["exodus"]
}

resource "spacelift_environment_variable" "environment_legacy_network_111111111111_cf_capability_auto_expand" {
  context_id = spacelift_context.environment_legacy_network_111111111111.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_legacy_network_111111111111_cf_capability_iam" {
  context_id = spacelift_context.environment_legacy_network_111111111111.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_legacy_network_111111111111_cf_capability_named_iam" {
  context_id = spacelift_context.environment_legacy_network_111111111111.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_legacy_network_111111111111_proton_environment_output_servicesecuritygroupid" {
  context_id = spacelift_context.environment_legacy_network_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICESECURITYGROUPID"
  value      = "sg-0c1d2e3f4a5b6c7d9"
  write_only = false
}

resource "spacelift_environment_variable" "environment_legacy_network_111111111111_proton_environment_output_subnetids" {
  context_id = spacelift_context.environment_legacy_network_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SUBNETIDS"
  value      = "subnet-0c1d2e3f4a5b6c701,subnet-0c1d2e3f4a5b6c702"
  write_only = false
}

resource "spacelift_context" "environment_partner_prod_222222222222" {
  name        = "exodus environment partner prod 222222222222"
  description = "inputs the stacks of this Proton environment share"
  space_id    = var.space_id
  labels      = ["exodus"]
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_cf_capability_auto_expand" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_cf_capability_iam" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_cf_capability_named_iam" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_clusterarn" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERARN"
  value      = "arn:aws:ecs:us-east-1:222222222222:cluster/partner-prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_clustername" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERNAME"
  value      = "partner-prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_listenerarn" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LISTENERARN"
  value      = "arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/AWSProton-partner-p-MOT3PKWOCK1G/136a94f892690c0e/ffac7845d8ec8256"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_loadbalancerdnsname" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LOADBALANCERDNSNAME"
  value      = "AWSProton-partner-p-MOT3PKWOCK1G-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_serviceloggroupname" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICELOGGROUPNAME"
  value      = "/exodus-demo/partner-prod/services"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_servicesecuritygroupid" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICESECURITYGROUPID"
  value      = "sg-6f7a09327b91cbab6"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_subnetids" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SUBNETIDS"
  value      = "subnet-50b5f5ea8cd169fb0,subnet-f52a29f5435e1b3f8"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_taskexecutionrolearn" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_TASKEXECUTIONROLEARN"
  value      = "arn:aws:iam::222222222222:role/AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID-TaskExecutionRole-11JYZBUHFKJ7"
  write_only = false
}

resource "spacelift_environment_variable" "environment_partner_prod_222222222222_proton_environment_output_vpcid" {
  context_id = spacelift_context.environment_partner_prod_222222222222.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_VPCID"
  value      = "vpc-71941d2da9533bfcb"
  write_only = false
}

resource "spacelift_context" "environment_prod_111111111111" {
  name        = "exodus environment prod 111111111111"
  description = "inputs the stacks of this Proton environment share"
  space_id    = var.space_id
  labels      = ["exodus"]
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_capability_auto_expand" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_capability_iam" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_cf_capability_named_iam" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_clusterarn" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERARN"
  value      = "arn:aws:ecs:us-east-1:111111111111:cluster/prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_clustername" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERNAME"
  value      = "prod-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_listenerarn" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LISTENERARN"
  value      = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/AWSProton-prod-clou-38G6S2OYS9PH/1e0d27406695e9fb/7e080542c316d113"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_loadbalancerdnsname" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LOADBALANCERDNSNAME"
  value      = "AWSProton-prod-clou-38G6S2OYS9PH-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_serviceloggroupname" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICELOGGROUPNAME"
  value      = "/exodus-demo/prod/services"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_servicesecuritygroupid" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICESECURITYGROUPID"
  value      = "sg-af1afa63b8ab1bb92"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_subnetids" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SUBNETIDS"
  value      = "subnet-87b0efe3752e2c1d5,subnet-217fa699d945fe961,subnet-c9ee827e1269c1231"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_taskexecutionrolearn" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_TASKEXECUTIONROLEARN"
  value      = "arn:aws:iam::111111111111:role/AWSProton-prod-cloudformation--BOLUMBHXYTMCQDW-TaskExecutionRole-6CE94873DNXU"
  write_only = false
}

resource "spacelift_environment_variable" "environment_prod_111111111111_proton_environment_output_vpcid" {
  context_id = spacelift_context.environment_prod_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_VPCID"
  value      = "vpc-d9f476b6a6c7d65af"
  write_only = false
}

resource "spacelift_context" "environment_staging_111111111111" {
  name        = "exodus environment staging 111111111111"
  description = "inputs the stacks of this Proton environment share"
  space_id    = var.space_id
  labels      = ["exodus"]
}

resource "spacelift_environment_variable" "environment_staging_111111111111_cf_capability_auto_expand" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "CF_CAPABILITY_AUTO_EXPAND"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_cf_capability_iam" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "CF_CAPABILITY_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_cf_capability_named_iam" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "CF_CAPABILITY_NAMED_IAM"
  value      = "1"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_clusterarn" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERARN"
  value      = "arn:aws:ecs:us-east-1:111111111111:cluster/staging-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_clustername" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_CLUSTERNAME"
  value      = "staging-cluster"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_listenerarn" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LISTENERARN"
  value      = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/AWSProton-staging-c-5OQNLM5EHFH5/895ef3b5396a50d1/707ec87abe9870b0"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_loadbalancerdnsname" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_LOADBALANCERDNSNAME"
  value      = "AWSProton-staging-c-5OQNLM5EHFH5-1.us-east-1.elb.amazonaws.com"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_servicesecuritygroupid" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SERVICESECURITYGROUPID"
  value      = "sg-e6917a7571fe24b57"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_subnetids" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_SUBNETIDS"
  value      = "subnet-449d3a74ee59388cb,subnet-003951ce8d12bfeb8"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_taskexecutionrolearn" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_TASKEXECUTIONROLEARN"
  value      = "arn:aws:iam::111111111111:role/AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ-TaskExecutionRole-E76E40MVF81R"
  write_only = false
}

resource "spacelift_environment_variable" "environment_staging_111111111111_proton_environment_output_vpcid" {
  context_id = spacelift_context.environment_staging_111111111111.id
  name       = "PROTON_ENVIRONMENT_OUTPUT_VPCID"
  value      = "vpc-9df5f766da7442e6c"
  write_only = false
}
