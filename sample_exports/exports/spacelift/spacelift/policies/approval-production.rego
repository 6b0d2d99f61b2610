# exodus: a run on a production stack needs two approvals and no rejection while the stacks move off
# AWS Proton. Spacelift approval policy (type APPROVAL, Rego v1), attached to production stacks only.
# Input documented at https://docs.spacelift.io/concepts/policy/approval-policy (reviews.current).
package spacelift

approve if {
	count(input.reviews.current.approvals) >= 2
	count(input.reviews.current.rejections) == 0
}

reject if count(input.reviews.current.rejections) > 0
