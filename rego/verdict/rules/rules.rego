# The platform rules decided elsewhere (hateful conduct, abuse, violence, ...).
# They come here with the violation already confirmed by reviewers, for the
# public-interest exception (PI-5, PI-6) and the default action: in general
# a post that violates the rules is removed (PI-0).
package verdict.rules

import data.verdict.lib
import rego.v1

# PI-6: never behind a notice.
never_list := {
	"POLICY_CHILD_SEXUAL_EXPLOITATION",
	"POLICY_NON_CONSENSUAL_NUDITY",
	"POLICY_SEXUAL_VIOLENCE",
	"POLICY_COPYRIGHT",
}

policies := never_list | {
	"POLICY_VIOLENCE",
	"POLICY_ILLEGAL_GOODS",
	"POLICY_SUICIDE_SELF_HARM",
	"POLICY_HATEFUL_CONDUCT",
	"POLICY_ABUSE_HARASSMENT",
	"POLICY_SENSITIVE_MEDIA",
}

policy := input.case.violation.policy

facts := object.get(input.case.violation, "rule", {})

confirmed := lib.flag(facts, "confirmed")

finding := {
	"violation": true,
	"outcome": "OUTCOME_REQUIRE_REMOVAL",
	"effects": {"remove_content": true, "appeal_available": true},
	"reasons": removal_reasons,
	"enforcement": {"counts_as_violation": true, "clause_id": "PI-0"},
} if confirmed

finding := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": {lib.not_established("PI-1.1")},
	"enforcement": {"counts_as_violation": false},
} if not confirmed

removal_reasons contains lib.consequence("PI-0")

removal_reasons contains lib.consequence("PI-6") if policy in never_list
