output "VpcId" {
  value = aws_vpc.sandbox.id
}

output "SubnetIds" {
  value = join(",", aws_subnet.private[*].id)
}

output "DbSubnetGroupName" {
  value = aws_db_subnet_group.sandbox.name
}

output "DbPasswordParameter" {
  value = aws_ssm_parameter.db_admin_password.name
}
