# exodus: while the stacks move off AWS Proton, no run may destroy or replace anything.
# Spacelift plan policy (type PLAN, Rego v1). Input documented at
# https://docs.spacelift.io/concepts/policy/terraform-plan-policy (spacelift.run.changes,
# terraform.resource_changes). Attached to every stack of the export until the migration is signed off.
package spacelift

# Terraform and OpenTofu stacks: a replacement is a delete plus a create of the same address.
deny contains sprintf("exodus migration freeze: %s would be %s", [change.address, concat("+", change.change.actions)]) if {
	some change in input.terraform.resource_changes
	some action in change.change.actions
	action == "delete"
}

# Every vendor (CloudFormation included): Spacelift's normalised changes of this run.
deny contains sprintf("exodus migration freeze: %s (%s) would be deleted", [change.entity.address, change.entity.type]) if {
	some change in input.spacelift.run.changes
	change.phase == "plan"
	change.action == "deleted"
}

# CloudFormation change set entries (ResourceChange) that replace a resource, wherever the vendor data
# carries them.
deny contains sprintf("exodus migration freeze: %s (%s) would be replaced", [change.entity.address, change.entity.type]) if {
	some change in input.spacelift.run.changes
	change.phase == "plan"
	replacement(change.entity.data) in {"True", "Conditional"}
}

replacement(data) := data.Replacement

replacement(data) := data.ResourceChange.Replacement

# A CloudFormation change whose data says nothing about replacement goes to a human.
warn contains sprintf("exodus migration freeze: review %s (%s): no replacement information", [change.entity.address, change.entity.type]) if {
	some change in input.spacelift.run.changes
	change.phase == "plan"
	change.action == "changed"
	lower(change.entity.entity_vendor) == "cloudformation"
	not has_replacement(change.entity.data)
}

has_replacement(data) if data.Replacement

has_replacement(data) if data.ResourceChange.Replacement
