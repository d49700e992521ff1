# METADATA
# title: CHA, coordinated harmful activity, for one post or account
# description: >-
#   Seed 003 (January 2021). The framework is actor-based (CHA-0): groups are
#   assessed and designated by AssessGroup (package verdict.group); a case
#   here applies the result to one post or account. Technical coordination
#   is always enforced with sufficient evidence (CHA-2); social coordination
#   is not a violation without evidence of harm (CHA-3), and with it the
#   group's designation decides; content or an account linked to a
#   designated group gets the CHA-9 actions. A group that is not in the
#   store has not been assessed: a human reviewer assesses it first (CHA-0,
#   CHA-7). A decisive fact that is not stated (sufficient evidence,
#   evidence of harm, whether the behaviour continues) sends the case to a
#   human reviewer. CHA-11 decides whether a visibility limit is new, kept,
#   re-applied or left expired. CHA-12 (the normal rules) holds on every
#   path. The outcome is the most severe of what applies.
# custom:
#   seed: 003_1b62997fc7f4ef8e
package verdict.cha

import data.verdict.history
import data.verdict.lib
import rego.v1

facts := object.get(input.case.violation, "cha", {})

group_id := object.get(facts, "group_id", "")

# The group's designation, when it has been assessed (it is in the store).
designation := input.groups[group_id] if group_id != ""

default designated := false

designated if designation.designated == true

# CHA-9d: the case or the account's own link to the group says the account
# is primarily used to propagate or encourage the activity.
default propagates := false

propagates if facts.primarily_propagates == true

propagates if {
	some link in object.get(input.account, "groups", [])
	link.group_id == group_id
	link.primarily_propagates == true
}

# ---------------------------------------------------------------- the CHA track

# The group path (social coordination with harm, or linked to a group) needs
# the group assessed, and acts only on a designated group.
group_path(prefix) := {"kind": "review", "reasons": array.concat(prefix, [
	{"clause_id": "CHA-0", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "CHA-7", "kind": "REASON_KIND_PROCESS"},
])} if {
	not designation
} else := {"kind": "none", "reasons": array.concat(prefix, [{"clause_id": "CHA-9", "kind": "REASON_KIND_CRITERION_NOT_MET"}])} if {
	not designated
} else := {"kind": "linked", "reasons": array.concat(prefix, [{"clause_id": "CHA-9", "kind": "REASON_KIND_VIOLATION"}])}

social_reasons := [{"clause_id": "CHA-1b", "kind": "REASON_KIND_FACTOR"}]

# METADATA
# title: What the coordination amounts to
# description: >-
#   {"kind", "reasons"} before the normal rules (CHA-12): kind is "suspend"
#   (CHA-2), "linked" (to a designated group: CHA-9), "review" (a fact or the
#   group's assessment is missing) or "none".
# custom:
#   clauses: [CHA-0, CHA-1a, CHA-1b, CHA-2, CHA-3, CHA-3a, CHA-3b, CHA-7, CHA-9]
track := {"kind": "suspend", "reasons": [
	{"clause_id": "CHA-1a", "kind": "REASON_KIND_VIOLATION"},
	{"clause_id": "CHA-2", "kind": "REASON_KIND_CONSEQUENCE"},
]} if {
	input.case.violation.cha.category == "CHA_CATEGORY_TECHNICAL_COORDINATION"
	input.case.violation.cha.sufficient_technical_evidence == true
} else := {"kind": "none", "reasons": [
	{"clause_id": "CHA-0", "kind": "REASON_KIND_NOT_ESTABLISHED"},
	{"clause_id": "CHA-2", "kind": "REASON_KIND_NOT_ESTABLISHED"},
]} if {
	input.case.violation.cha.category == "CHA_CATEGORY_TECHNICAL_COORDINATION"
	input.case.violation.cha.sufficient_technical_evidence == false
} else := {"kind": "review", "reasons": [{
	"clause_id": "CHA-2", "kind": "REASON_KIND_NOT_STATED",
	"missing_facts": ["case.violation.cha.sufficient_technical_evidence"],
}]} if {
	input.case.violation.cha.category == "CHA_CATEGORY_TECHNICAL_COORDINATION"
} else := group_path(social_reasons) if {
	# CHA-3: evidence of harm; a designation is such evidence (CHA-6).
	input.case.violation.cha.category == "CHA_CATEGORY_SOCIAL_COORDINATION"
	lib.any_of([lib.fact(facts, "evidence_of_harm"), designated]) == true
} else := {"kind": "none", "reasons": array.concat(social_reasons, [
	{"clause_id": "CHA-3", "kind": "REASON_KIND_NOT_A_VIOLATION"},
	{"clause_id": "CHA-3a", "kind": "REASON_KIND_NOT_A_VIOLATION"},
	{"clause_id": "CHA-3b", "kind": "REASON_KIND_NOT_A_VIOLATION"},
])} if {
	# CHA-3: social coordination without evidence of harm; activism is not
	# subject to the framework without it.
	input.case.violation.cha.category == "CHA_CATEGORY_SOCIAL_COORDINATION"
	input.case.violation.cha.evidence_of_harm == false
	input.case.violation.cha.activism == true
} else := {"kind": "none", "reasons": array.concat(social_reasons, [
	{"clause_id": "CHA-3", "kind": "REASON_KIND_NOT_A_VIOLATION"},
	{"clause_id": "CHA-3a", "kind": "REASON_KIND_NOT_A_VIOLATION"},
])} if {
	input.case.violation.cha.category == "CHA_CATEGORY_SOCIAL_COORDINATION"
	input.case.violation.cha.evidence_of_harm == false
} else := group_path(social_reasons) if {
	# Evidence of harm not stated, but a group assessed and not designated
	# is not acted on either way.
	input.case.violation.cha.category == "CHA_CATEGORY_SOCIAL_COORDINATION"
	designation
} else := {"kind": "review", "reasons": array.concat(social_reasons, [{
	"clause_id": "CHA-3", "kind": "REASON_KIND_NOT_STATED",
	"missing_facts": ["case.violation.cha.evidence_of_harm"],
}])} if {
	input.case.violation.cha.category == "CHA_CATEGORY_SOCIAL_COORDINATION"
} else := group_path([]) if {
	input.case.violation.cha.category == "CHA_CATEGORY_LINKED_TO_GROUP"
} else := {"kind": "none", "reasons": [{"clause_id": "CHA-0", "kind": "REASON_KIND_NOT_ESTABLISHED"}]}

# ---------------------------------------------------------------- suspension

# METADATA
# title: The clause a suspension rests on
# description: >-
#   The first that applies: CHA-2 technical coordination with sufficient
#   evidence, CHA-9d an account primarily used to propagate a designated
#   group's activity, CHA-12b severe or repeated violations of the rules.
# custom:
#   clauses: [CHA-2, CHA-9d, CHA-12b]
suspension := "CHA-2" if {
	track.kind == "suspend"
} else := "CHA-9d" if {
	track.kind == "linked"
	propagates
} else := "CHA-12b" if {
	input.case.violation.cha.severe_or_repeated == true
}

# METADATA
# title: The account's visibility limit for the group (CHA-9a/b, CHA-11)
# description: >-
#   For an account linked to a designated group and not suspended (a
#   suspension makes a limit moot): "new" when it has no limit for the
#   group, "kept" while one is in force (not extended), "reapplied" when one
#   has expired and the behaviour continues, "lapsed" when it does not, and
#   "review" when that is not stated. Limits that start at or after as_of
#   are not part of the case's history (a replay must not see its own).
# custom:
#   clauses: [CHA-9a, CHA-9b, CHA-11, CHA-11a, CHA-11b, CHA-11c]
limit := {"state": state, "end_ns": end_ns} if {
	track.kind == "linked"
	not suspension
	ends := [time.parse_rfc3339_ns(l.expires_at) | some l in history.limits(group_id)]
	[state, end_ns] := limit_state_of(ends, lib.fact(facts, "continues_behaviour"))
}

limit_state_of(ends, continues) := ["new", lib.now_ns + (data.verdict.config.cha.visibility_limit_days * lib.ns_per_day)] if {
	count(ends) == 0
} else := ["kept", max(ends)] if {
	max(ends) > lib.now_ns
} else := ["reapplied", lib.now_ns + (data.verdict.config.cha.visibility_limit_days * lib.ns_per_day)] if {
	continues == true
} else := ["lapsed", 0] if {
	continues == false
} else := ["review", 0]

limit_reasons := {
	"new": [
		{"clause_id": "CHA-9a", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-9b", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11a", "kind": "REASON_KIND_CONSEQUENCE"},
	],
	"reapplied": [
		{"clause_id": "CHA-9a", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-9b", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11a", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11b", "kind": "REASON_KIND_CRITERION_MET"},
	],
	"kept": [
		{"clause_id": "CHA-9a", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-9b", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11", "kind": "REASON_KIND_CONSEQUENCE"},
		{"clause_id": "CHA-11c", "kind": "REASON_KIND_CONSEQUENCE"},
	],
	"lapsed": [{"clause_id": "CHA-11b", "kind": "REASON_KIND_CRITERION_NOT_MET"}],
	"review": [{
		"clause_id": "CHA-11b", "kind": "REASON_KIND_NOT_STATED",
		"missing_facts": ["case.violation.cha.continues_behaviour"],
	}],
}

# The clause a limit is recorded under in the account's history.
limit_clauses := {"new": "CHA-9", "reapplied": "CHA-11b", "kept": "CHA-11c"}

# CHA-9a and CHA-9b.
limited_surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# ---------------------------------------------------------------- outcome

default limit_state := "none"

limit_state := limit.state

# A visibility limit in force (CHA-9a, CHA-9b): its effects; none otherwise.
limit_effects := {
	"limited_surfaces": limited_surfaces,
	"visibility_limit_duration": sprintf("%ds", [floor((limit.end_ns - lib.now_ns) / 1000000000)]),
	"visibility_limit_expires_at": lib.timestamp(limit.end_ns),
} if {
	limit_state in {"new", "kept", "reapplied"}
} else := {}

# ---------------------------------------------------------------- reasons

default review_overdue := false

# CHA-10: the designation is past its review date.
review_overdue if {
	designated
	time.parse_rfc3339_ns(designation.review_by) <= lib.now_ns
}

# METADATA
# title: The reasons of the CHA finding
# custom:
#   clauses: [CHA-9d, CHA-10, CHA-12, CHA-12a, CHA-12b]
reasons contains r if some r in track.reasons

reasons contains r if some r in object.get(limit_reasons, limit_state, [])

# CHA-9d: an account primarily used to propagate the activity is suspended.
reasons contains {"clause_id": "CHA-9d", "kind": "REASON_KIND_CONSEQUENCE"} if suspension == "CHA-9d"

reasons contains {"clause_id": "CHA-10", "kind": "REASON_KIND_PROCESS"} if review_overdue

# CHA-12: the normal rules still apply, on every path. CHA-12a: the post
# also violates other rules; CHA-12b: severe or repeated violations.
reasons contains {"clause_id": "CHA-12", "kind": "REASON_KIND_CONSEQUENCE"} if input.case.violation.cha.violates_other_rules == true

reasons contains {"clause_id": "CHA-12", "kind": "REASON_KIND_CONSEQUENCE"} if input.case.violation.cha.severe_or_repeated == true

reasons contains {"clause_id": "CHA-12a", "kind": "REASON_KIND_CONSEQUENCE"} if input.case.violation.cha.violates_other_rules == true

reasons contains {"clause_id": "CHA-12b", "kind": "REASON_KIND_CONSEQUENCE"} if input.case.violation.cha.severe_or_repeated == true

# METADATA
# title: The CHA finding
# description: >-
#   The most severe outcome that applies: suspension (CHA-2, CHA-9d,
#   CHA-12b; with removal when the post also violates other rules), then
#   removal (CHA-12a, the account's warning), then a visibility limit
#   (CHA-9, CHA-11; a limit kept in force is not a new violation), then
#   human review (a fact or the group's assessment missing, or whether the
#   behaviour continues), then no action. The enforcement records the
#   consequence clause that sets the outcome.
finding := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"suspend_account": true, "remove_content": true, "appeal_available": true},
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement(suspension, true, false),
} if {
	suspension
	input.case.violation.cha.violates_other_rules == true
} else := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"suspend_account": true, "appeal_available": true},
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement(suspension, true, false),
} if {
	suspension
} else := {
	"violation": true,
	"outcome": "OUTCOME_REQUIRE_REMOVAL",
	"effects": object.union({"remove_content": true, "appeal_available": true}, limit_effects),
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement("CHA-12a", true, true),
} if {
	input.case.violation.cha.violates_other_rules == true
} else := {
	"violation": true,
	"outcome": "OUTCOME_LIMIT_VISIBILITY",
	"effects": object.union({"appeal_available": true}, limit_effects),
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement(limit_clauses[limit_state], new_violation, false),
} if {
	limit_effects != {}
	new_violation := limit_state != "kept"
} else := {
	"violation": false,
	"outcome": "OUTCOME_HUMAN_REVIEW",
	"effects": {},
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement("", false, false),
} if {
	"review" in {track.kind, limit_state}
} else := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": [r | some r in reasons],
	"enforcement": history.enforcement("", false, false),
}
