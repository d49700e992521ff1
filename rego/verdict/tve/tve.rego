# METADATA
# title: TVE, terrorism and violent extremism
# description: >-
#   Seed 000 (March 2019). Threatening or promoting terrorism or violent
#   extremism (TVE-1) violates the policy by itself; when the case names a
#   group, every kind of conduct first needs the group to qualify: a terrorist
#   organisation (TVE-2, listed) or a violent extremist group (TVE-3, all of
#   a, b and c). Acting on behalf of a group (TVE-4a-d) always needs one. A
#   group fact that is not stated is unknown: when the answer turns on it, a
#   human reviewer decides. TVE-5 exceptions come first; a violation means
#   immediate, permanent suspension (TVE-7).
# custom:
#   seed: 000_46b8bdd4e6f23634
package verdict.tve

import data.verdict.history
import data.verdict.lib
import rego.v1

policy := "POLICY_TERRORISM_VIOLENT_EXTREMISM"

facts := object.get(input.case.violation, "tve", {})

category := object.get(facts, "category", "TVE_CATEGORY_UNSPECIFIED")

# TVE-1: the conduct that violates the policy by itself.
threat_or_promotion := {"TVE_CATEGORY_THREAT", "TVE_CATEGORY_PROMOTION"}

# TVE-4: what violates the policy when done on behalf of a group.
on_behalf_clauses := {
	"TVE_CATEGORY_ACTS_ON_BEHALF": "TVE-4a",
	"TVE_CATEGORY_RECRUITMENT": "TVE-4b",
	"TVE_CATEGORY_DISTRIBUTION_SERVICES": "TVE-4c",
	"TVE_CATEGORY_INSIGNIA": "TVE-4d",
}

criterion_kinds := {true: "REASON_KIND_CRITERION_MET", false: "REASON_KIND_CRITERION_NOT_MET"}

# ---------------------------------------------------------------- the group

# METADATA
# title: The stored TVE designation of the group the case names
# description: >-
#   An applied AssessGroup stores whether a group is a terrorist organisation
#   and a violent extremist group when its assessment settled that. Such a
#   designation decides TVE-2, TVE-3 and TVE-5a/b; the case's facts are then
#   not used. Otherwise (no group ID, not stored, stored without TVE facts)
#   the facts in the case decide.
designation := d if {
	d := input.groups[facts.group_id]
	count([x | some key in ["terrorist_organisation", "violent_extremist_group"]; x := d[key]; is_boolean(x)]) > 0
}

# The case names a group: by ID, or by facts about it.
named if facts.group_id != ""

named if facts.group

# METADATA
# title: Whether the group qualifies (TVE-2, TVE-3)
# description: >-
#   {"named", "qualifies", "reasons"}: qualifies is true, false, or null when
#   a fact it turns on is not stated; the reasons are the criteria met or not
#   and the facts that are not stated.
# custom:
#   clauses: [TVE-2, TVE-3, TVE-3a, TVE-3b, TVE-3c]
group := {"named": true, "qualifies": lib.any_of([listed, extremist]), "reasons": [
	{"clause_id": "TVE-2", "kind": criterion_kinds[listed]},
	{"clause_id": "TVE-3", "kind": criterion_kinds[extremist]},
]} if {
	listed := lib.flag(designation, "terrorist_organisation")
	extremist := lib.flag(designation, "violent_extremist_group")
} else := {"named": true, "qualifies": qualifies, "reasons": reasons} if {
	named
	g := object.get(facts, "group", {})
	listed := lib.fact(g, "on_terrorism_list")
	criteria := [
		["TVE-3a", "identifiable_as_extremist", lib.fact(g, "identifiable_as_extremist")],
		["TVE-3b", "uses_or_promotes_violence", lib.fact(g, "uses_or_promotes_violence")],
		["TVE-3c", "targets_civilians", lib.fact(g, "targets_civilians")],
	]
	extremist := lib.all_of([met | some [_, _, met] in criteria])
	qualifies := lib.any_of([listed, extremist])

	# What is stated, met or not; what is not stated matters only while the answer is open.
	each := [{"clause_id": id, "kind": criterion_kinds[met]} | some [id, _, met] in criteria; met != null]
	tve_3_missing := [sprintf("case.violation.tve.group.%s", [name]) | some [_, name, null] in criteria]
	reasons := array.concat(
		array.concat(stated("TVE-2", listed, qualifies, ["case.violation.tve.group.on_terrorism_list"]), each),
		stated("TVE-3", extremist, qualifies, tve_3_missing),
	)
} else := {"named": false, "qualifies": null, "reasons": []}

not_stated(id, missing) := {"clause_id": id, "kind": "REASON_KIND_NOT_STATED", "missing_facts": missing}

# A criterion met or not; not stated while the answer is still open; else nothing.
stated(id, value, qualifies, missing) := [{"clause_id": id, "kind": criterion_kinds[value]}] if {
	value != null
} else := [not_stated(id, missing)] if {
	qualifies == null
} else := []

# ---------------------------------------------------------------- TVE-5 exceptions

# METADATA
# title: TVE-5 exceptions
# description: >-
#   TVE-5d (military or government entities) holds for everything. A threat
#   of terrorism is never discussion, nor excused by what the group has done
#   since: TVE-5a-c cover everything else.
# custom:
#   clauses: [TVE-5a, TVE-5b, TVE-5c, TVE-5d]
exceptions contains "TVE-5d" if lib.flag(object.get(input, "account", {}), "government_or_military")

exceptions contains "TVE-5c" if {
	category != "TVE_CATEGORY_THREAT"
	lib.flag(facts, "educational_or_documentary")
}

exceptions contains id if {
	category != "TVE_CATEGORY_THREAT"
	some id in group_exceptions
}

# TVE-5a/b of a stored designation: the clauses its assessment found, or
# TVE-5 alone for one stored without them.
group_exceptions := ids if {
	lib.flag(designation, "tve_exception")
	ids := object.get(designation, "tve_exception_clauses", [])
	count(ids) > 0
} else := ["TVE-5"] if {
	lib.flag(designation, "tve_exception")
} else := [] if {
	designation
} else := [id |
	some [id, name] in [["TVE-5a", "reformed_or_peace_process"], ["TVE-5b", "elected_representatives"]]
	lib.flag(object.get(facts, "group", {}), name)
]

# ---------------------------------------------------------------- finding

# What the conduct amounts to: "violation", "no_violation" or "review".
conduct := "violation" if {
	category in threat_or_promotion
	not group.named
} else := "violation" if {
	group.qualifies == true
} else := "no_violation" if {
	group.qualifies == false
} else := "review"

# The conduct clauses cited: TVE-1, or TVE-4 and its sub-item.
conduct_clauses := ["TVE-1"] if category in threat_or_promotion

conduct_clauses := ["TVE-4", on_behalf_clauses[category]] if on_behalf_clauses[category]

no_violation(outcome, reasons) := {
	"violation": false,
	"outcome": outcome,
	"effects": {},
	"reasons": reasons,
	"enforcement": {"counts_as_violation": false},
}

# METADATA
# title: The TVE finding
# description: >-
#   In this order: an exception (TVE-5) means no action; no category means
#   nothing is alleged; acting on behalf of a group that is not named, human
#   review; conduct concerning a group that qualifies (or TVE-1 without a
#   group) is a violation with immediate, permanent suspension (TVE-7); a
#   group that does not qualify, no action; a group fact not stated, human
#   review.
# custom:
#   clauses: [TVE-1, TVE-4, TVE-4a, TVE-4b, TVE-4c, TVE-4d, TVE-5, TVE-7]
finding := no_violation(
	"OUTCOME_NO_ACTION",
	[{"clause_id": id, "kind": "REASON_KIND_EXCEPTION"} | some id in exceptions | {"TVE-5"}],
) if {
	count(exceptions) > 0
} else := no_violation("OUTCOME_NO_ACTION", [{"clause_id": "TVE-1", "kind": "REASON_KIND_NOT_ESTABLISHED"}]) if {
	not conduct_clauses
} else := no_violation("OUTCOME_HUMAN_REVIEW", [
	{"clause_id": "TVE-4", "kind": "REASON_KIND_NOT_ESTABLISHED"},
	not_stated(on_behalf_clauses[category], ["case.violation.tve.group_id"]),
]) if {
	on_behalf_clauses[category]
	not group.named
} else := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"remove_content": true, "suspend_account": true, "appeal_available": true},
	"reasons": array.concat(
		array.concat(
			[{"clause_id": id, "kind": "REASON_KIND_VIOLATION"} | some id in conduct_clauses],
			[r | some r in group.reasons; r.kind == "REASON_KIND_CRITERION_MET"],
		),
		[{"clause_id": "TVE-7", "kind": "REASON_KIND_CONSEQUENCE"}],
	),
	"enforcement": {
		"counts_as_violation": true,
		"prior_violations": history.standing.prior_violations,
		"repeat_after_warning": history.standing.repeat_after_warning,
		"warning": false,
		"clause_id": "TVE-7",
	},
} if {
	conduct == "violation"
} else := no_violation(
	"OUTCOME_NO_ACTION",
	array.concat([{"clause_id": conduct_clauses[0], "kind": "REASON_KIND_NOT_ESTABLISHED"}], group.reasons),
) if {
	conduct == "no_violation"
} else := no_violation(
	"OUTCOME_HUMAN_REVIEW",
	array.concat([{"clause_id": conduct_clauses[0], "kind": "REASON_KIND_NOT_ESTABLISHED"}], group.reasons),
)
