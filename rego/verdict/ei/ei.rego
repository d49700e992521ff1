# METADATA
# title: EI, election integrity
# description: >-
#   Seed 002 (April 2019). A violation needs a category of EI-1, EI-2 or EI-3
#   and reviewers' confirmation that the content is what the category says
#   (false or misleading; a threat for EI-2e). Not confirmed: not
#   established. Confirmation not stated: a human reviewer decides. The EI-4
#   kinds are not violations by themselves, but only absent other violations:
#   a confirmed EI-1..3 violation still violates, from a parody account too.
#
#   Consequences (EI-6), by content kind, severity and the account's earlier
#   election-integrity violations as of the case: severe, permanent
#   suspension (EI-6c); a profile again after the first warning, permanent
#   suspension (EI-6b); any other repeat, permanent suspension (EI-6c); a
#   first violation, removal and a temporary lock (EI-6a in a post, EI-6b in
#   the profile), which is the account's warning. Appeal is always possible.
# custom:
#   seed: 002_8b818549936ed023
package verdict.ei

import data.verdict.history
import rego.v1

# The reasons a confirmed category gives: its clause and sub-item violated.
violation_reasons := {
	"EI_CATEGORY_HOW_TO_VOTE": [{"clause_id": "EI-1", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-1a", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_VOTING_REQUIREMENTS": [{"clause_id": "EI-1", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-1b", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_ELECTION_DATE": [{"clause_id": "EI-1", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-1c", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_POLLS_CLOSED": [{"clause_id": "EI-2", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-2a", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_LAW_ENFORCEMENT": [{"clause_id": "EI-2", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-2b", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_LINES_OR_EQUIPMENT": [{"clause_id": "EI-2", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-2c", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_DISSUADING_PROCEDURES": [{"clause_id": "EI-2", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-2d", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_THREAT_TO_POLLING_PLACE": [{"clause_id": "EI-2", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-2e", "kind": "REASON_KIND_VIOLATION"}],
	"EI_CATEGORY_FALSE_AFFILIATION": [{"clause_id": "EI-3", "kind": "REASON_KIND_VIOLATION"}],
}

# The clause a category alleges, named when its confirmation is not stated.
alleged_clauses := {
	"EI_CATEGORY_HOW_TO_VOTE": "EI-1a",
	"EI_CATEGORY_VOTING_REQUIREMENTS": "EI-1b",
	"EI_CATEGORY_ELECTION_DATE": "EI-1c",
	"EI_CATEGORY_POLLS_CLOSED": "EI-2a",
	"EI_CATEGORY_LAW_ENFORCEMENT": "EI-2b",
	"EI_CATEGORY_LINES_OR_EQUIPMENT": "EI-2c",
	"EI_CATEGORY_DISSUADING_PROCEDURES": "EI-2d",
	"EI_CATEGORY_THREAT_TO_POLLING_PLACE": "EI-2e",
	"EI_CATEGORY_FALSE_AFFILIATION": "EI-3",
}

# EI-4: kinds of content that are not violations by themselves.
not_violation_reasons := {
	"EI_NON_VIOLATION_INACCURATE_STATEMENT": [{"clause_id": "EI-4", "kind": "REASON_KIND_NOT_A_VIOLATION"}, {"clause_id": "EI-4a", "kind": "REASON_KIND_NOT_A_VIOLATION"}],
	"EI_NON_VIOLATION_POLARISING": [{"clause_id": "EI-4", "kind": "REASON_KIND_NOT_A_VIOLATION"}, {"clause_id": "EI-4b", "kind": "REASON_KIND_NOT_A_VIOLATION"}],
	"EI_NON_VIOLATION_PUBLIC_POLLING": [{"clause_id": "EI-4", "kind": "REASON_KIND_NOT_A_VIOLATION"}, {"clause_id": "EI-4c", "kind": "REASON_KIND_NOT_A_VIOLATION"}],
	"EI_NON_VIOLATION_PARODY_OR_FAN": [{"clause_id": "EI-4", "kind": "REASON_KIND_NOT_A_VIOLATION"}, {"clause_id": "EI-4d", "kind": "REASON_KIND_NOT_A_VIOLATION"}],
}

# EI-6c: severe; EI-6b: the profile again after the first warning; EI-6c:
# any other repeat; EI-6a: the first violation in a post; EI-6b: in the
# profile. [the clause, whether the account is suspended]: a suspension, or a
# removal with a temporary lock, which is the account's warning.
consequence := ["EI-6c", true] if {
	input.case.violation.ei.severe == true
} else := ["EI-6b", true] if {
	input.case.content.kind == "CONTENT_KIND_PROFILE"
	history.standing.repeat_after_warning
} else := ["EI-6c", true] if {
	history.standing.prior_violations > 0
} else := ["EI-6b", false] if {
	input.case.content.kind == "CONTENT_KIND_PROFILE"
} else := ["EI-6a", false]

# METADATA
# title: The EI finding
# description: >-
#   A confirmed violation of its category's clauses with the EI-6
#   consequence; a category whose confirmation is not stated, human review;
#   otherwise no action, citing the EI-4 kind when one applies, EI-0 if not.
# custom:
#   clauses: [EI-0, EI-1, EI-1a, EI-1b, EI-1c, EI-2, EI-2a, EI-2b, EI-2c, EI-2d, EI-2e, EI-3, EI-4, EI-4a, EI-4b, EI-4c, EI-4d, EI-6, EI-6a, EI-6b, EI-6c]
finding := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"remove_content": true, "suspend_account": true, "appeal_available": true},
	"reasons": array.concat(reasons, [
		{"clause_id": "EI-6", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": clause_id, "kind": "REASON_KIND_CONSEQUENCE"},
	]),
	"enforcement": {
		"counts_as_violation": true,
		"prior_violations": history.standing.prior_violations,
		"repeat_after_warning": history.standing.repeat_after_warning,
		"warning": false,
		"clause_id": clause_id,
	},
} if {
	input.case.violation.ei.confirmed == true
	reasons := violation_reasons[input.case.violation.ei.category]
	input.case.content.kind # EI-6 turns on it
	[clause_id, suspended] := consequence
	suspended
} else := {
	"violation": true,
	"outcome": "OUTCOME_TEMPORARY_LOCK",
	"effects": {"remove_content": true, "lock": history.lock(data.verdict.config.ei.lock_hours), "appeal_available": true},
	"reasons": array.concat(reasons, [
		{"clause_id": "EI-6", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": clause_id, "kind": "REASON_KIND_CONSEQUENCE"},
	]),
	"enforcement": {
		"counts_as_violation": true,
		"prior_violations": history.standing.prior_violations,
		"repeat_after_warning": history.standing.repeat_after_warning,
		"warning": true,
		"clause_id": clause_id,
	},
} if {
	input.case.violation.ei.confirmed == true
	reasons := violation_reasons[input.case.violation.ei.category]
	input.case.content.kind # EI-6 turns on it
	[clause_id, suspended] := consequence
	not suspended
} else := {
	"violation": false,
	"outcome": "OUTCOME_HUMAN_REVIEW",
	"effects": {},
	"reasons": [{"clause_id": alleged, "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.ei.confirmed"]}],
	"enforcement": {"counts_as_violation": false},
} if {
	alleged := alleged_clauses[input.case.violation.ei.category]
	object.get(input.case.violation.ei, "confirmed", null) == null
} else := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": object.get(not_violation_reasons, object.get(input.case.violation.ei, "non_violation", ""), [{"clause_id": "EI-0", "kind": "REASON_KIND_NOT_ESTABLISHED"}]),
	"enforcement": {"counts_as_violation": false},
}
