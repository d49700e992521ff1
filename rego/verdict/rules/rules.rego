# METADATA
# title: The platform rules decided elsewhere
# description: >-
#   Hateful conduct, abuse, violence and the others come here with the
#   reviewers' confirmation that the content violates the rule, for the
#   public-interest exception (PI-5, PI-6) and the default action: in general
#   a post that violates the rules is removed (PI-0). Not confirmed: not
#   established. Confirmation not stated: a human reviewer decides.
# custom:
#   seed: 001_1e0759c6d7bb9a30
package verdict.rules

import rego.v1

# PI-6: never behind a notice.
never_list := {
	"POLICY_CHILD_SEXUAL_EXPLOITATION",
	"POLICY_NON_CONSENSUAL_NUDITY",
	"POLICY_SEXUAL_VIOLENCE",
	"POLICY_COPYRIGHT",
}

policies := {
	"POLICY_CHILD_SEXUAL_EXPLOITATION",
	"POLICY_NON_CONSENSUAL_NUDITY",
	"POLICY_SEXUAL_VIOLENCE",
	"POLICY_COPYRIGHT",
	"POLICY_VIOLENCE",
	"POLICY_ILLEGAL_GOODS",
	"POLICY_SUICIDE_SELF_HARM",
	"POLICY_HATEFUL_CONDUCT",
	"POLICY_ABUSE_HARASSMENT",
	"POLICY_SENSITIVE_MEDIA",
}

default never := false

never if input.case.violation.policy in never_list

# METADATA
# title: The finding under another platform rule
# custom:
#   clauses: [PI-0, PI-1.1, PI-6]
finding := {
	"violation": true,
	"outcome": "OUTCOME_REQUIRE_REMOVAL",
	"effects": {"remove_content": true, "appeal_available": true},
	"reasons": removal_reasons[never],
	"enforcement": {"counts_as_violation": true, "clause_id": "PI-0"},
} if {
	input.case.violation.rule.confirmed == true
} else := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": [{"clause_id": "PI-1.1", "kind": "REASON_KIND_NOT_ESTABLISHED"}],
	"enforcement": {"counts_as_violation": false},
} if {
	input.case.violation.rule.confirmed == false
} else := {
	"violation": false,
	"outcome": "OUTCOME_HUMAN_REVIEW",
	"effects": {},
	"reasons": [{"clause_id": "PI-1.1", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.rule.confirmed"]}],
	"enforcement": {"counts_as_violation": false},
}

removal_reasons := {
	false: [{"clause_id": "PI-0", "kind": "REASON_KIND_CONSEQUENCE"}],
	true: [{"clause_id": "PI-0", "kind": "REASON_KIND_CONSEQUENCE"}, {"clause_id": "PI-6", "kind": "REASON_KIND_CONSEQUENCE"}],
}
