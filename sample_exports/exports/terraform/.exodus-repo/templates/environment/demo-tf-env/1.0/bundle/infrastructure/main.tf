data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "sandbox" {
  cidr_block           = var.environment.inputs.vpc_cidr
  enable_dns_hostnames = true
  tags = {
    Name = "${var.environment.name}-vpc"
  }
}

resource "aws_subnet" "private" {
  count             = tonumber(var.environment.inputs.subnet_count)
  vpc_id            = aws_vpc.sandbox.id
  cidr_block        = cidrsubnet(aws_vpc.sandbox.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags = {
    Name = "${var.environment.name}-private-${count.index + 1}"
  }
}

resource "aws_db_subnet_group" "sandbox" {
  name       = "${var.environment.name}-db"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_ssm_parameter" "db_admin_password" {
  name  = "/${var.environment.name}/db/admin-password"
  type  = "SecureString"
  value = var.environment.inputs.db_admin_password
}
