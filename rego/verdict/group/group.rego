# METADATA
# title: Group assessment (AssessGroup)
# description: >-
#   Coordinated harmful activity (seed 003) and the TVE tests for terrorist
#   organisations and violent extremist groups (seed 000). Designation
#   (CHA-0, CHA-6, CHA-7): an identifiable group with a shared purpose,
#   sufficient evidence of coordination, and harm at the CHA-6 threshold.
#   Activism without evidence of harm is not designated (CHA-3). When the
#   threshold is reached only through informational harm and acting risks
#   free expression, a human decides (CHA-8). Technical coordination shown
#   with sufficient evidence is always enforced (CHA-2): the linked accounts
#   are suspended whether or not the group is designated.
#
#   A fact that is not stated (a coordination's sufficient evidence, the
#   shared purpose, a harm type's severity, a TVE criterion) is unknown: the
#   assessment is worked out for every value it could have, and when the
#   outcome depends on it, or a TVE criterion is open, a human decides and
#   nothing is stored. The result says what an applied assessment stores.
# custom:
#   seeds: [003_1b62997fc7f4ef8e, 000_46b8bdd4e6f23634]
package verdict.group

import data.verdict.lib
import rego.v1

config := data.verdict.config.cha

group := input.group

linked_accounts := object.get(group, "linked_accounts", [])

criterion_kinds := {true: "REASON_KIND_CRITERION_MET", false: "REASON_KIND_CRITERION_NOT_MET"}

# ---------------------------------------------------------------- the facts, known or not

coordination := object.get(group, "coordination", [])

# Coordination of a type shown with sufficient evidence: true, false, or
# null while an item of that type does not say.
proven(type) := lib.any_of([lib.fact(c, "sufficient_evidence") |
	some c in coordination
	object.get(c, "type", "") == type
])

technical := proven("COORDINATION_TYPE_TECHNICAL")

social := proven("COORDINATION_TYPE_SOCIAL")

# The coordination items whose sufficient evidence is not stated.
unstated_evidence := [sprintf("group.coordination[%d].sufficient_evidence", [i]) |
	some i, c in coordination
	lib.fact(c, "sufficient_evidence") == null
]

shared_purpose := lib.fact(group, "shared_purpose")

harms := object.get(group, "harms", {})

# CHA-4 types, with their enum name and clause.
harm_types := {
	"physical": {"enum": "HARM_TYPE_PHYSICAL", "clause": "CHA-4a"},
	"psychological": {"enum": "HARM_TYPE_PSYCHOLOGICAL", "clause": "CHA-4b"},
	"informational": {"enum": "HARM_TYPE_INFORMATIONAL", "clause": "CHA-4c"},
}

# CHA-5 severities, ordered; SEVERITY_UNSPECIFIED (or absent) is not stated.
levels := {"SEVERITY_NONE": 0, "SEVERITY_LOW": 1, "SEVERITY_MODERATE": 2, "SEVERITY_HIGH": 3}

level_clauses := {1: "CHA-5a", 2: "CHA-5b", 3: "CHA-5c"}

# The stated level of each harm type (types not stated are left out).
stated_levels[type] := levels[object.get(harms, type, "")] if some type, _ in harm_types

# The values an unknown fact could have; only what changes the outcome
# matters: a level below, at or above moderate, high.
level_options(type) := [stated_levels[type]] if {
	stated_levels[type]
} else := [0, 2, 3]

bool_options(value) := [value] if {
	value != null
} else := [false, true]

# ---------------------------------------------------------------- CHA-6, CHA-7, CHA-8 for one scenario

# CHA-6a: high in at least one of the types.
high_in(scenario, types) if {
	some type in types
	scenario[type] == 3
}

# CHA-6b: moderate or higher in several (at least two) of the types.
moderate_in(scenario, types) if count({type | some type in types; scenario[type] >= 2}) >= 2

threshold(scenario, types) if high_in(scenario, types)

threshold(scenario, types) if moderate_in(scenario, types)

all_types := ["physical", "psychological", "informational"]

# CHA-8: the types that concern physical and psychological safety.
safety_types := ["physical", "psychological"]

# CHA-0b: evidence of harm is harm documented by credible sources: moderate
# or high in at least one type.
harmful(scenario) if {
	some type in all_types
	scenario[type] >= 2
}

# Everything CHA-0, CHA-3, CHA-6 and CHA-7 ask for (activism without
# evidence of harm is not harmful, so it is not designated either).
meets_criteria(scenario) if {
	scenario.shared_purpose
	count([x | some x in [scenario.technical, scenario.social]; x]) > 0
	harmful(scenario)
	threshold(scenario, all_types)
}

# CHA-8: the threshold is reached only through informational harm while
# acting risks free expression: safety is not at stake, a human decides.
informational_only(scenario) if {
	meets_criteria(scenario)
	lib.flag(group, "free_expression_risk")
	not threshold(scenario, safety_types)
}

# CHA-2 is always enforced; then CHA-8 review, CHA-6 designation.
outcome_of(scenario) := "OUTCOME_PERMANENT_SUSPENSION" if {
	scenario.technical
} else := "OUTCOME_HUMAN_REVIEW" if {
	informational_only(scenario)
} else := "OUTCOME_LIMIT_VISIBILITY" if {
	meets_criteria(scenario)
} else := "OUTCOME_NO_ACTION"

designated_in(scenario) if {
	meets_criteria(scenario)
	not informational_only(scenario)
}

# METADATA
# title: Every value the facts that are not stated could have
# description: One scenario per combination; with every fact stated, exactly one.
scenarios := [{
	"physical": physical, "psychological": psychological, "informational": informational,
	"shared_purpose": purpose, "technical": tech, "social": soc,
} |
	some physical in level_options("physical")
	some psychological in level_options("psychological")
	some informational in level_options("informational")
	some purpose in bool_options(shared_purpose)
	some tech in bool_options(technical)
	some soc in bool_options(social)
]

# The same answer in every scenario (true, false), or it depends (null).
settled(values) := [v | some v in values][0] if {
	count(values) == 1
} else := null

default designated_flag(_) := false

designated_flag(scenario) if designated_in(scenario)

# The outcome and the designation in each scenario.
verdicts := {[outcome_of(s), designated_flag(s)] | some s in scenarios}

# ---------------------------------------------------------------- TVE

extremism := object.get(group, "extremism", {})

default assessed_for_tve := false

assessed_for_tve if group.extremism

# TVE-2: on a national or international terrorism list.
terrorist_organisation := lib.fact(extremism, "on_terrorism_list")

# TVE-3: all of a, b and c.
tve_3_criteria := [
	["TVE-3a", "identifiable_as_extremist", lib.fact(extremism, "identifiable_as_extremist")],
	["TVE-3b", "uses_or_promotes_violence", lib.fact(extremism, "uses_or_promotes_violence")],
	["TVE-3c", "targets_civilians", lib.fact(extremism, "targets_civilians")],
]

violent_extremist_group := lib.all_of([met | some [_, _, met] in tve_3_criteria])

# The TVE classification is open: what is unknown is never stored as "no".
default tve_open := false

tve_open if {
	assessed_for_tve
	null in [terrorist_organisation, violent_extremist_group]
}

# TVE-5a, TVE-5b: limited exceptions for the group.
tve_exceptions contains "TVE-5a" if lib.flag(extremism, "reformed_or_peace_process")

tve_exceptions contains "TVE-5b" if lib.flag(extremism, "elected_representatives")

# ---------------------------------------------------------------- the outcome

# The outcome and designation are the same whatever the unknown facts are,
# and the TVE classification is not open.
default decided := false

decided if {
	count(verdicts) == 1
	not tve_open
}

# METADATA
# title: The outcome of the assessment
# description: >-
#   The outcome every scenario agrees on; a human reviewer when they do not,
#   or when the TVE classification is open.
outcome := [v[0] | some v in verdicts][0] if {
	decided
} else := "OUTCOME_HUMAN_REVIEW"

default designated := false

designated if {
	decided
	some [_, true] in verdicts
}

# ---------------------------------------------------------------- CHA-9, CHA-10, CHA-11

limits_expire_at := lib.timestamp(lib.now_ns + (config.visibility_limit_days * lib.ns_per_day))

review_by := lib.timestamp(lib.now_ns + (config.designation_review_days * lib.ns_per_day))

# CHA-9a, CHA-9b.
limited_surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# CHA-2: every account involved in proven technical coordination; CHA-9d:
# accounts primarily used to propagate the activity of a designated group.
suspends(_) if {
	decided
	technical == true
}

suspends(a) if {
	designated
	lib.flag(a, "primarily_propagates")
}

action(a) := {"account_id": a.account_id, "suspend_account": true} if {
	suspends(a)
} else := {
	# CHA-9a, CHA-9b, CHA-11: the others' visibility is limited until the limits expire.
	"account_id": a.account_id,
	"limited_surfaces": limited_surfaces,
	"suspend_account": false,
	"limits_expire_at": limits_expire_at,
} if {
	designated
}

# Accounts with no action (nothing proven, not designated) are left out.
linked_actions := [action(a) | some a in linked_accounts; action(a)]

# CHA-8: physical and psychological harms first (the more severe of the two
# leading), then informational; only types with stated harm.
safety_order := ["psychological", "physical"] if {
	object.get(stated_levels, "psychological", 0) > object.get(stated_levels, "physical", 0)
} else := ["physical", "psychological"]

priority_harms := [harm_types[type].enum |
	some type in array.concat(safety_order, ["informational"])
	object.get(stated_levels, type, 0) > 0
]

# ---------------------------------------------------------------- reasons

# A criterion met, not met, or not stated (with the facts it would need).
criterion(id, value, missing) := {"clause_id": id, "kind": criterion_kinds[value]} if {
	value != null
} else := {"clause_id": id, "kind": "REASON_KIND_NOT_STATED", "missing_facts": missing}

# Facts not stated, by what they bear on.
unstated_harms := [sprintf("group.harms.%s", [type]) | some type in all_types; not stated_levels[type]]

harm_criterion(id, name) := criterion(id, settled({object.get(s, name, false) | some s in scenario_criteria}), unstated_harms)

# What the CHA criteria are in each scenario.
scenario_criteria := [{
	"harmful": harmful_in(s),
	"threshold": threshold_in(s, all_types),
	"high": high_in_any(s),
	"moderate": moderate_in_any(s),
} | some s in scenarios]

harmful_in(s) := true if {
	harmful(s)
} else := false

threshold_in(s, types) := true if {
	threshold(s, types)
} else := false

high_in_any(s) := true if {
	high_in(s, all_types)
} else := false

moderate_in_any(s) := true if {
	moderate_in(s, all_types)
} else := false

# METADATA
# title: The reasons of the assessment
# custom:
#   clauses: [CHA-0, CHA-0a, CHA-0b, CHA-1, CHA-1a, CHA-1b, CHA-2, CHA-3, CHA-3a, CHA-3b, CHA-4, CHA-4a, CHA-4b, CHA-4c, CHA-5, CHA-5a, CHA-5b, CHA-5c, CHA-6, CHA-6a, CHA-6b, CHA-7, CHA-7a, CHA-7d, CHA-8, CHA-8a, CHA-9a, CHA-9b, CHA-9c, CHA-9d, CHA-10, CHA-11, CHA-11a, TVE-2, TVE-3, TVE-3a, TVE-3b, TVE-3c, TVE-5a, TVE-5b]
reasons contains {"clause_id": id, "kind": "REASON_KIND_PROCESS"} if some id in ["CHA-0", "CHA-1", "CHA-4", "CHA-5", "CHA-7"]

reasons contains criterion("CHA-0a", lib.any_of([technical, social]), unstated_evidence)

reasons contains harm_criterion("CHA-0b", "harmful")

reasons contains criterion("CHA-7a", shared_purpose, ["group.shared_purpose"])

reasons contains harm_criterion("CHA-6", "threshold")

reasons contains harm_criterion("CHA-6a", "high")

reasons contains harm_criterion("CHA-6b", "moderate")

# CHA-1a, CHA-2: technical coordination, always enforced.
reasons contains {"clause_id": "CHA-1a", "kind": "REASON_KIND_VIOLATION"} if technical == true

reasons contains {"clause_id": "CHA-2", "kind": "REASON_KIND_CONSEQUENCE"} if technical == true

reasons contains {"clause_id": "CHA-2", "kind": "REASON_KIND_NOT_ESTABLISHED"} if {
	technical == false
	some c in coordination
	c.type == "COORDINATION_TYPE_TECHNICAL"
}

reasons contains {"clause_id": "CHA-1b", "kind": "REASON_KIND_FACTOR"} if social == true

# CHA-3: not a violation.
reasons contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	lib.flag(group, "activism")
	harm_criterion("CHA-0b", "harmful").kind == "REASON_KIND_CRITERION_NOT_MET"
	some id in ["CHA-3", "CHA-3b"]
}

reasons contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	social == true
	technical == false
	harm_criterion("CHA-0b", "harmful").kind == "REASON_KIND_CRITERION_NOT_MET"
	some id in ["CHA-3", "CHA-3a"]
}

# CHA-4, CHA-5: the harm found, by type and by severity.
reasons contains {"clause_id": harm_types[type].clause, "kind": "REASON_KIND_FACTOR"} if {
	some type, level in stated_levels
	level > 0
}

reasons contains {"clause_id": level_clauses[level], "kind": "REASON_KIND_FACTOR"} if {
	some level in stated_levels
	level > 0
}

# CHA-7d, CHA-8: free expression weighed; safety first.
reasons contains {"clause_id": id, "kind": "REASON_KIND_FACTOR"} if {
	lib.flag(group, "free_expression_risk")
	some id in ["CHA-7d", "CHA-8"]
}

reasons contains {"clause_id": "CHA-8a", "kind": "REASON_KIND_PROCESS"} if {
	decided
	every s in scenarios {
		informational_only(s)
	}
}

# CHA-9, CHA-10, CHA-11: what a designation does.
reasons contains {"clause_id": id, "kind": "REASON_KIND_CONSEQUENCE"} if {
	designated
	some id in ["CHA-9a", "CHA-9b", "CHA-9c", "CHA-11", "CHA-11a"]
}

reasons contains {"clause_id": "CHA-9d", "kind": "REASON_KIND_CONSEQUENCE"} if {
	designated
	some a in linked_accounts
	lib.flag(a, "primarily_propagates")
}

reasons contains {"clause_id": "CHA-10", "kind": "REASON_KIND_PROCESS"} if designated

# TVE-2, TVE-3, TVE-5a/b, when the group's extremism facts were given.
reasons contains criterion("TVE-2", terrorist_organisation, ["group.extremism.on_terrorism_list"]) if assessed_for_tve

reasons contains criterion("TVE-3", violent_extremist_group, [sprintf("group.extremism.%s", [name]) | some [_, name, null] in tve_3_criteria]) if {
	assessed_for_tve
}

reasons contains {"clause_id": id, "kind": criterion_kinds[met]} if {
	assessed_for_tve
	some [id, _, met] in tve_3_criteria
	met != null
}

reasons contains {"clause_id": id, "kind": "REASON_KIND_EXCEPTION"} if some id in tve_exceptions

# ---------------------------------------------------------------- result

# METADATA
# title: What an applied assessment stores
# description: >-
#   The group's designation (CHA-6: designated or not), with its TVE
#   classification when the assessment had the facts for it, the TVE-5
#   exceptions it found, and the review and limit dates of a designation.
#   Nothing is stored while a human decides (CHA-8, or a fact not stated).
designation := object.union_n([
	{
		"group_id": group.group_id,
		"name": object.get(group, "name", ""),
		"designated": designated,
		"tve_exception": count(tve_exceptions) > 0,
		"tve_exception_clauses": sort([id | some id in tve_exceptions]),
		"assessed_at": input.as_of,
	},
	tve_designation,
	dates,
]) if {
	outcome != "OUTCOME_HUMAN_REVIEW"
}

tve_designation := {
	"terrorist_organisation": terrorist_organisation,
	"violent_extremist_group": violent_extremist_group,
} if {
	assessed_for_tve
} else := {}

dates := {"review_by": review_by, "limits_expire_at": limits_expire_at} if {
	designated
} else := {}

store_clause_id := "CHA-6" if {
	designation
} else := "CHA-8a" if {
	decided
} else := "CHA-7"

base := {
	"designated": designated,
	"outcome": outcome,
	"terrorist_organisation": terrorist_organisation == true,
	"violent_extremist_group": violent_extremist_group == true,
	"tve_exception": count(tve_exceptions) > 0,
	"priority_harms": priority_harms,
	"linked_accounts": linked_actions,
	"block_trends": designated,
	"reasons": reasons,
	"store_clause_id": store_clause_id,
}

# METADATA
# title: The group assessment
# description: POST /v1/data/verdict/group/result answers AssessGroup.
# entrypoint: true
result := object.union_n([base, dates, {"designation": designation}]) if {
	designation
} else := object.union(base, dates)
