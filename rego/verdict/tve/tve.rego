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

facts := object.get(input.case.violation, "tve", {})

category := object.get(facts, "category", "TVE_CATEGORY_UNSPECIFIED")

# The conduct clauses each category violates: TVE-1 by itself (a threat or
# promotion), TVE-4 and its sub-item when done on behalf of a group.
conduct_clauses := {
	"TVE_CATEGORY_THREAT": ["TVE-1"],
	"TVE_CATEGORY_PROMOTION": ["TVE-1"],
	"TVE_CATEGORY_ACTS_ON_BEHALF": ["TVE-4", "TVE-4a"],
	"TVE_CATEGORY_RECRUITMENT": ["TVE-4", "TVE-4b"],
	"TVE_CATEGORY_DISTRIBUTION_SERVICES": ["TVE-4", "TVE-4c"],
	"TVE_CATEGORY_INSIGNIA": ["TVE-4", "TVE-4d"],
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
	d := input.groups[input.case.violation.tve.group_id]
	count([x | some key in ["terrorist_organisation", "violent_extremist_group"]; x := d[key]; is_boolean(x)]) > 0
}

# The case names a group: by ID, or by facts about it.
named if input.case.violation.tve.group_id != ""

named if input.case.violation.tve.group

# METADATA
# title: Whether the group qualifies (TVE-2, TVE-3)
# description: >-
#   {"named", "qualifies", "reasons"}: qualifies is true, false, or null when
#   a fact it turns on is not stated; the reasons are the criteria met or not
#   and the facts that are not stated. A group whose four facts are all
#   stated is read directly; otherwise each fact may be unknown.
# custom:
#   clauses: [TVE-2, TVE-3, TVE-3a, TVE-3b, TVE-3c]
group := {"named": true, "qualifies": lib.any_of([listed, extremist]), "reasons": [
	{"clause_id": "TVE-2", "kind": criterion_kinds[listed]},
	{"clause_id": "TVE-3", "kind": criterion_kinds[extremist]},
]} if {
	listed := object.get(designation, "terrorist_organisation", false)
	extremist := object.get(designation, "violent_extremist_group", false)
} else := {"named": true, "qualifies": qualifies, "reasons": [
	{"clause_id": "TVE-2", "kind": criterion_kinds[listed]},
	{"clause_id": "TVE-3a", "kind": criterion_kinds[a]},
	{"clause_id": "TVE-3b", "kind": criterion_kinds[b]},
	{"clause_id": "TVE-3c", "kind": criterion_kinds[c]},
	{"clause_id": "TVE-3", "kind": criterion_kinds[extremist]},
]} if {
	g := input.case.violation.tve.group
	listed := g.on_terrorism_list
	a := g.identifiable_as_extremist
	b := g.uses_or_promotes_violence
	c := g.targets_civilians
	extremist := [a, b, c] == [true, true, true]
	qualifies := [listed, extremist] != [false, false]
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

# A criterion met or not; not stated while the answer is still open; else nothing.
stated(id, value, qualifies, missing) := [{"clause_id": id, "kind": criterion_kinds[value]}] if {
	value != null
} else := [{"clause_id": id, "kind": "REASON_KIND_NOT_STATED", "missing_facts": missing}] if {
	qualifies == null
} else := []

# ---------------------------------------------------------------- TVE-5 exceptions

# METADATA
# title: TVE-5 exceptions
# description: >-
#   TVE-5d (military or government entities) holds for everything. A threat
#   of terrorism is never discussion, nor excused by what the group has done
#   since: TVE-5a-c cover everything else. A stored designation decides
#   TVE-5a/b (the clauses its assessment found, or TVE-5 alone for one stored
#   without them); without one, the group facts of the case do.
# custom:
#   clauses: [TVE-5a, TVE-5b, TVE-5c, TVE-5d]
exceptions contains "TVE-5d" if input.account.government_or_military == true

exceptions contains "TVE-5c" if {
	input.case.violation.tve.educational_or_documentary == true
	category != "TVE_CATEGORY_THREAT"
}

exceptions contains id if {
	designation.tve_exception == true
	category != "TVE_CATEGORY_THREAT"
	some id in object.get(designation, "tve_exception_clauses", [])
}

exceptions contains "TVE-5" if {
	designation.tve_exception == true
	category != "TVE_CATEGORY_THREAT"
	count(object.get(designation, "tve_exception_clauses", [])) == 0
}

exceptions contains "TVE-5a" if {
	input.case.violation.tve.group.reformed_or_peace_process == true
	category != "TVE_CATEGORY_THREAT"
	not designation
}

exceptions contains "TVE-5b" if {
	input.case.violation.tve.group.elected_representatives == true
	category != "TVE_CATEGORY_THREAT"
	not designation
}

# ---------------------------------------------------------------- finding

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
finding := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": [{"clause_id": id, "kind": "REASON_KIND_EXCEPTION"} | some id in exceptions | {"TVE-5"}],
	"enforcement": {"counts_as_violation": false},
} if {
	count(exceptions) > 0
} else := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": [{"clause_id": "TVE-1", "kind": "REASON_KIND_NOT_ESTABLISHED"}],
	"enforcement": {"counts_as_violation": false},
} if {
	not conduct_clauses[category]
} else := {
	"violation": false,
	"outcome": "OUTCOME_HUMAN_REVIEW",
	"effects": {},
	"reasons": [
		{"clause_id": "TVE-4", "kind": "REASON_KIND_NOT_ESTABLISHED"},
		{"clause_id": conduct_clauses[category][1], "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.tve.group_id"]},
	],
	"enforcement": {"counts_as_violation": false},
} if {
	# Acting on behalf of a group the case does not name.
	not group.named
	conduct_clauses[category][0] == "TVE-4"
} else := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"remove_content": true, "suspend_account": true, "appeal_available": true},
	"reasons": [{"clause_id": "TVE-1", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "TVE-7", "kind": "REASON_KIND_CONSEQUENCE"}],
	"enforcement": suspension,
} if {
	# A threat or promotion without a group: TVE-1 by itself.
	not group.named
} else := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"remove_content": true, "suspend_account": true, "appeal_available": true},
	"reasons": array.concat(
		array.concat(
			[{"clause_id": id, "kind": "REASON_KIND_VIOLATION"} | some id in conduct_clauses[category]],
			[r | some r in group.reasons; r.kind == "REASON_KIND_CRITERION_MET"],
		),
		[{"clause_id": "TVE-7", "kind": "REASON_KIND_CONSEQUENCE"}],
	),
	"enforcement": suspension,
} if {
	group.qualifies == true
} else := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": array.concat([{"clause_id": conduct_clauses[category][0], "kind": "REASON_KIND_NOT_ESTABLISHED"}], group.reasons),
	"enforcement": {"counts_as_violation": false},
} if {
	group.qualifies == false
} else := {
	"violation": false,
	"outcome": "OUTCOME_HUMAN_REVIEW",
	"effects": {},
	"reasons": array.concat([{"clause_id": conduct_clauses[category][0], "kind": "REASON_KIND_NOT_ESTABLISHED"}], group.reasons),
	"enforcement": {"counts_as_violation": false},
}

# TVE-7: the enforcement of a violation, with the account's standing.
suspension := {
	"counts_as_violation": true,
	"prior_violations": history.standing.prior_violations,
	"repeat_after_warning": history.standing.repeat_after_warning,
	"warning": false,
	"clause_id": "TVE-7",
}
