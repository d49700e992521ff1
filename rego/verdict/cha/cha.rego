# CHA — coordinated harmful activity (seed 003), for one post or account.
#
# The framework is actor-based (CHA-0): groups are assessed and designated
# by AssessGroup (package verdict.group); a case here applies the result to
# one post or account. Which path a case takes depends on its category:
#
#   technical coordination    CHA-2: always enforced with sufficient evidence
#   social coordination       CHA-3: not a violation without evidence of harm;
#                             with it, the group's designation decides
#   linked to a group         CHA-9 actions when the group is designated
#
# A group that is not in the store has not been assessed: a human reviewer
# assesses it first (CHA-0, CHA-7). CHA-11 decides whether a visibility
# limit is new, kept, re-applied or left expired. CHA-12 (the normal rules)
# holds on every path. The outcome is the most severe of what applies.
package verdict.cha

import data.verdict.history
import data.verdict.lib
import rego.v1

policy := "POLICY_COORDINATED_HARMFUL_ACTIVITY"

config := data.verdict.config.cha

facts := object.get(input.case.violation, "cha", {})

category := object.get(facts, "category", "CHA_CATEGORY_UNSPECIFIED")

account := object.get(input, "account", {})

# ---------------------------------------------------------------- the group

group_id := object.get(facts, "group_id", "")

groups := object.get(input, "groups", {})

# The group has been assessed: its designation is in the store.
assessed if {
	group_id != ""
	groups[group_id]
}

designation := object.get(groups, group_id, {})

designated if {
	assessed
	lib.flag(designation, "designated")
}

# CHA-10: the designation is past its review date.
review_overdue if {
	designated
	time.parse_rfc3339_ns(designation.review_by) <= lib.now_ns
}

# CHA-9d: the case or the account's own link to the group says the account
# is primarily used to propagate or encourage the activity.
propagates if lib.flag(facts, "primarily_propagates")

propagates if {
	some link in object.get(account, "groups", [])
	link.group_id == group_id
	lib.flag(link, "primarily_propagates")
}

# ---------------------------------------------------------------- the path

technical if category == "CHA_CATEGORY_TECHNICAL_COORDINATION"

social if category == "CHA_CATEGORY_SOCIAL_COORDINATION"

# CHA-2: technical coordination shown with sufficient evidence.
technical_proven if {
	technical
	lib.flag(facts, "sufficient_technical_evidence")
}

technical_unproven if {
	technical
	not lib.flag(facts, "sufficient_technical_evidence")
}

# CHA-3: social coordination is harmful only with evidence of harm. A
# designation is such evidence: the group was found harmful (CHA-6).
social_harm if {
	social
	lib.flag(facts, "evidence_of_harm")
}

social_harm if {
	social
	designated
}

# CHA-3: social coordination (activism or not) without evidence of harm.
social_not_a_violation if {
	social
	not social_harm
}

# The cases that turn on the group's designation.
about_group if category == "CHA_CATEGORY_LINKED_TO_GROUP"

about_group if social_harm

# CHA-0, CHA-7: the group must be assessed before anything is enforced.
unassessed if {
	about_group
	not assessed
}

# CHA-9: assessed, but not designated (or the designation was revoked).
not_designated if {
	about_group
	assessed
	not designated
}

linked if {
	about_group
	designated
}

# No category the framework knows.
unknown_category if not category in {
	"CHA_CATEGORY_TECHNICAL_COORDINATION",
	"CHA_CATEGORY_SOCIAL_COORDINATION",
	"CHA_CATEGORY_LINKED_TO_GROUP",
}

# ---------------------------------------------------------------- CHA-12

# CHA-12a: the post also violates other rules.
violates_other_rules := lib.flag(facts, "violates_other_rules")

# CHA-12b: severe or repeated violations of the rules.
severe_or_repeated := lib.flag(facts, "severe_or_repeated")

# ---------------------------------------------------------------- suspension

suspension_clauses contains "CHA-2" if technical_proven

suspension_clauses contains "CHA-9d" if {
	linked
	propagates
}

suspension_clauses contains "CHA-12b" if severe_or_repeated

suspended if count(suspension_clauses) > 0

# ---------------------------------------------------------------- CHA-11 limits

# The account's limits for the group, as of the case (history.limits leaves
# out a limit that starts at or after as_of: a replay must not see its own).
limit_ends := [time.parse_rfc3339_ns(l.expires_at) | some l in history.limits(group_id)]

active_limit if {
	some end in limit_ends
	end > lib.now_ns
}

expired_limit if {
	some end in limit_ends
	end <= lib.now_ns
}

continues := lib.flag(facts, "continues_behaviour")

# What happens to the visibility limit of a linked account that is not
# suspended (a suspension makes a limit moot).
limit_state := "new" if {
	linked
	not suspended
	count(limit_ends) == 0
}

# CHA-11c: a limit still in force is kept, not extended.
limit_state := "kept" if {
	linked
	not suspended
	active_limit
}

# CHA-11b: an expired limit is re-applied when the behaviour continues ...
limit_state := "reapplied" if {
	linked
	not suspended
	expired_limit
	not active_limit
	continues
}

# ... and otherwise stays expired.
limit_state := "lapsed" if {
	linked
	not suspended
	expired_limit
	not active_limit
	not continues
}

limiting if limit_state in {"new", "kept", "reapplied"}

# CHA-9a and CHA-9b.
limited_surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# CHA-11a: a new or re-applied limit runs for the set time from as_of.
limit_end_ns := lib.now_ns + config.visibility_limit_days * lib.ns_per_day if limit_state in {"new", "reapplied"}

# CHA-11c: a kept limit ends when the one in force ends.
limit_end_ns := max(limit_ends) if limit_state == "kept"

limit_effects := {
	"limited_surfaces": limited_surfaces,
	"visibility_limit_duration": sprintf("%ds", [floor((limit_end_ns - lib.now_ns) / 1000000000)]),
	"visibility_limit_expires_at": lib.timestamp(limit_end_ns),
}

# ---------------------------------------------------------------- outcome and effects

candidates contains "OUTCOME_PERMANENT_SUSPENSION" if suspended

candidates contains "OUTCOME_REQUIRE_REMOVAL" if violates_other_rules

candidates contains "OUTCOME_LIMIT_VISIBILITY" if limiting

candidates contains "OUTCOME_HUMAN_REVIEW" if unassessed

candidates contains "OUTCOME_NO_ACTION"

# The most severe outcome that applies.
ranking := [
	"OUTCOME_PERMANENT_SUSPENSION",
	"OUTCOME_REQUIRE_REMOVAL",
	"OUTCOME_LIMIT_VISIBILITY",
	"OUTCOME_HUMAN_REVIEW",
	"OUTCOME_NO_ACTION",
]

outcome := [o | some o in ranking; o in candidates][0]

violation := outcome in {"OUTCOME_PERMANENT_SUSPENSION", "OUTCOME_REQUIRE_REMOVAL", "OUTCOME_LIMIT_VISIBILITY"}

effect_parts contains {"suspend_account": true} if suspended

effect_parts contains {"remove_content": true} if violates_other_rules

effect_parts contains limit_effects if limiting

effect_parts contains {"appeal_available": true} if violation

effects := object.union_n([p | some p in effect_parts])

# ---------------------------------------------------------------- enforcement

# The consequence clause that sets the outcome, recorded in the history.
enforcement_clause := [id | some id in ["CHA-2", "CHA-9d", "CHA-12b"]; id in suspension_clauses][0] if suspended

enforcement_clause := "CHA-12a" if {
	not suspended
	violates_other_rules
}

enforcement_clause := limit_clauses[limit_state] if {
	not suspended
	not violates_other_rules
	limiting
}

enforcement_clause := "" if not violation

limit_clauses := {"new": "CHA-9", "reapplied": "CHA-11b", "kept": "CHA-11c"}

# A kept limit is not a new violation; a removal is the account's warning.
counts if {
	violation
	limit_state != "kept"
}

counts if violates_other_rules

counts if suspended

default counts_as_violation := false

counts_as_violation := true if counts

warning := outcome == "OUTCOME_REQUIRE_REMOVAL"

enforcement := history.enforcement(policy, enforcement_clause, counts_as_violation, warning)

# ---------------------------------------------------------------- reasons

# CHA-1a, CHA-2: technical coordination with sufficient evidence.
reasons contains lib.violation("CHA-1a") if technical_proven

reasons contains lib.consequence("CHA-2") if technical_proven

# CHA-0, CHA-2: without sufficient evidence nothing is established.
reasons contains lib.not_established(id) if {
	technical_unproven
	some id in ["CHA-0", "CHA-2"]
}

reasons contains lib.factor("CHA-1b") if social

# CHA-3: social coordination without evidence of harm is not a violation ...
reasons contains lib.not_a_violation(id) if {
	social_not_a_violation
	some id in ["CHA-3", "CHA-3a"]
}

# ... and the framework is not applied to activism without it.
reasons contains lib.not_a_violation("CHA-3b") if {
	social_not_a_violation
	lib.flag(facts, "activism")
}

# CHA-0, CHA-7: the group has not been assessed; a reviewer assesses it.
reasons contains lib.process(id) if {
	unassessed
	some id in ["CHA-0", "CHA-7"]
}

# CHA-9: only a designated group's posts and accounts are acted on.
reasons contains lib.criterion("CHA-9", false) if not_designated

reasons contains lib.violation("CHA-9") if linked

reasons contains lib.process("CHA-10") if review_overdue

reasons contains lib.consequence("CHA-9d") if {
	linked
	propagates
}

reasons contains lib.consequence(id) if {
	limiting
	some id in ["CHA-9a", "CHA-9b", "CHA-11"]
}

reasons contains lib.consequence("CHA-11a") if limit_state in {"new", "reapplied"}

reasons contains lib.criterion("CHA-11b", true) if limit_state == "reapplied"

reasons contains lib.criterion("CHA-11b", false) if limit_state == "lapsed"

reasons contains lib.consequence("CHA-11c") if limit_state == "kept"

reasons contains lib.not_established("CHA-0") if unknown_category

# CHA-12: the normal rules still apply, on every path.
reasons contains lib.consequence("CHA-12") if violates_other_rules

reasons contains lib.consequence("CHA-12") if severe_or_repeated

reasons contains lib.consequence("CHA-12a") if violates_other_rules

reasons contains lib.consequence("CHA-12b") if severe_or_repeated

# ---------------------------------------------------------------- finding

finding := {
	"violation": violation,
	"outcome": outcome,
	"effects": effects,
	"reasons": reasons,
	"enforcement": enforcement,
}
