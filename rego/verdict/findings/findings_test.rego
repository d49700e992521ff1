package verdict.findings_test

import data.verdict.findings
import data.verdict.rules
import rego.v1

case_under(policy) := {
	"as_of": "2024-05-01T12:00:00Z",
	"case": {"violation": {"policy": policy, "rule": {"confirmed": true}}},
	"account": {"account_id": "acc-findings"},
}

# The dispatch names every other platform rule itself (for OPA's index), so
# each one in rules.policies must reach the rules finding.
test_every_other_platform_rule_reaches_its_finding if {
	every policy in rules.policies {
		findings.finding == rules.finding with input as case_under(policy)
	}
}

test_a_policy_without_a_finding_has_none if {
	not findings.finding with input as case_under("POLICY_UNSPECIFIED")
}
