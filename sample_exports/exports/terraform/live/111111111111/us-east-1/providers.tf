# Every stack of this module lives in this account and Region.
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
