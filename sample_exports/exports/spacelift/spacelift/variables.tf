variable "repository" {
  type        = string
  description = "repository holding this export (without owner)"
}

variable "branch" {
  type    = string
  default = "main"
}

variable "space_id" {
  type    = string
  default = "root"
}

variable "template_buckets" {
  type        = map(string)
  description = "S3 bucket per account/Region for the CloudFormation vendor's templates: 111111111111/us-east-1, 222222222222/us-east-1"
}

variable "provisioning_repository" {
  type        = string
  description = "repository of the self-managed Terraform estates"
}
