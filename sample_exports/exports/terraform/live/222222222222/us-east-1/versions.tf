# import blocks need Terraform >= 1.5 or OpenTofu >= 1.5.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  # Partial configuration: give it at init (the runbook does), e.g.
  #   terraform init -backend-config="bucket=STATE_BUCKET" \
  #     -backend-config="key=exodus/ACCOUNT/REGION/terraform.tfstate" \
  #     -backend-config="region=STATE_REGION" -backend-config="use_lockfile=true"
  # Any backend works; keep one state per root module.
  backend "s3" {}
}
