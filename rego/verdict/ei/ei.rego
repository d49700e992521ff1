# EI — election integrity (seed 002, April 2019).
#
# A violation needs a category of EI-1, EI-2 or EI-3 and reviewers'
# confirmation that the content is what the category says (false or
# misleading; a threat for EI-2e). The EI-4 kinds are not violations by
# themselves, but only "absent other violations": a confirmed EI-1..3
# violation still violates, from a parody account too.
#
# Consequences (EI-6) follow from the content kind, severity and the
# account's earlier election-integrity violations as of the case:
#   severe                                   -> permanent suspension (EI-6c)
#   profile, again after the first warning   -> permanent suspension (EI-6b)
#   any other repeat                         -> permanent suspension (EI-6c)
#   first violation in a post                -> removal + temporary lock (EI-6a)
#   first violation in the profile           -> removal + temporary lock (EI-6b)
# The first violation is the account's warning. Appeal is always possible.
package verdict.ei

import data.verdict.history
import data.verdict.lib
import rego.v1

policy := "POLICY_ELECTION_INTEGRITY"

facts := object.get(input.case.violation, "ei", {})

category := object.get(facts, "category", "EI_CATEGORY_UNSPECIFIED")

# The clauses a category violates (the parent clause and the sub-item).
category_clauses := {
	"EI_CATEGORY_HOW_TO_VOTE": ["EI-1", "EI-1a"],
	"EI_CATEGORY_VOTING_REQUIREMENTS": ["EI-1", "EI-1b"],
	"EI_CATEGORY_ELECTION_DATE": ["EI-1", "EI-1c"],
	"EI_CATEGORY_POLLS_CLOSED": ["EI-2", "EI-2a"],
	"EI_CATEGORY_LAW_ENFORCEMENT": ["EI-2", "EI-2b"],
	"EI_CATEGORY_LINES_OR_EQUIPMENT": ["EI-2", "EI-2c"],
	"EI_CATEGORY_DISSUADING_PROCEDURES": ["EI-2", "EI-2d"],
	"EI_CATEGORY_THREAT_TO_POLLING_PLACE": ["EI-2", "EI-2e"],
	"EI_CATEGORY_FALSE_AFFILIATION": ["EI-3"],
}

non_violation := object.get(facts, "non_violation", "EI_NON_VIOLATION_UNSPECIFIED")

# ---------------------------------------------------------------- EI-1 .. EI-3

default violation := false

violation if {
	category_clauses[category]
	lib.flag(facts, "confirmed")
}

# ---------------------------------------------------------------- EI-4

# Not violations by themselves; each holds only absent a violation.

# EI-4a: inaccurate statements about an official, candidate or party.
not_violations contains "EI-4a" if {
	not violation
	non_violation == "EI_NON_VIOLATION_INACCURATE_STATEMENT"
}

# EI-4b: organic polarising, biased, hyperpartisan or controversial content.
not_violations contains "EI-4b" if {
	not violation
	non_violation == "EI_NON_VIOLATION_POLARISING"
}

# EI-4c: discussion of public polling.
not_violations contains "EI-4c" if {
	not violation
	non_violation == "EI_NON_VIOLATION_PUBLIC_POLLING"
}

# EI-4d: pseudonymous, parody, commentary or fan accounts.
not_violations contains "EI-4d" if {
	not violation
	non_violation == "EI_NON_VIOLATION_PARODY_OR_FAN"
}

# ---------------------------------------------------------------- EI-6

profile if input.case.content.kind == "CONTENT_KIND_PROFILE"

severe if lib.flag(facts, "severe")

# Earlier election-integrity violations recorded at or before as_of.
repeated if count(history.prior(policy)) > 0

repeat_after_warning := history.repeat_after_warning(policy)

# EI-6c: severe violations.
consequence_clause := "EI-6c" if severe

# EI-6b: the profile violates again after the first warning.
consequence_clause := "EI-6b" if {
	not severe
	profile
	repeat_after_warning
}

# EI-6c: any other repeated violation.
consequence_clause := "EI-6c" if {
	not severe
	repeated
	not profile_repeat_after_warning
}

# EI-6a: the first violation in a post.
consequence_clause := "EI-6a" if {
	not severe
	not repeated
	not profile
}

# EI-6b: the first violation in the profile.
consequence_clause := "EI-6b" if {
	not severe
	not repeated
	profile
}

profile_repeat_after_warning if {
	profile
	repeat_after_warning
}

suspend if severe

suspend if repeated

lock_hours := data.verdict.config.ei.lock_hours

effects := {"remove_content": true, "suspend_account": true, "appeal_available": true} if suspend

effects := {"remove_content": true, "lock": history.lock(lock_hours), "appeal_available": true} if not suspend

outcome := "OUTCOME_PERMANENT_SUSPENSION" if suspend

outcome := "OUTCOME_TEMPORARY_LOCK" if not suspend

# The first violation, removed and locked, is the account's warning.
default warning := false

warning := true if not suspend

# ---------------------------------------------------------------- reasons

violation_reasons contains lib.violation(id) if some id in category_clauses[category]

violation_reasons contains lib.consequence("EI-6")

violation_reasons contains lib.consequence(consequence_clause)

no_violation_reasons contains lib.not_a_violation("EI-4") if count(not_violations) > 0

no_violation_reasons contains lib.not_a_violation(id) if some id in not_violations

# EI-0: no category, or not confirmed, and nothing EI-4 says.
no_violation_reasons contains lib.not_established("EI-0") if count(not_violations) == 0

# ---------------------------------------------------------------- finding

finding := {
	"violation": true,
	"outcome": outcome,
	"effects": effects,
	"reasons": violation_reasons,
	"enforcement": history.enforcement(policy, consequence_clause, true, warning),
} if violation

finding := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": no_violation_reasons,
	"enforcement": {"counts_as_violation": false},
} if not violation
