# Group assessment (AssessGroup): coordinated harmful activity (seed 003)
# and the TVE tests for terrorist organisations and violent extremist groups
# (seed 000). POST /v1/data/verdict/group/result answers AssessGroup with
# protobuf JSON of verdict.v1.GroupAssessment.
#
# Designation (CHA-0, CHA-6, CHA-7): an identifiable group with a shared
# purpose, sufficient evidence of coordination, and harm at the CHA-6
# threshold. Activism without evidence of harm is not designated (CHA-3).
# When the threshold is reached only through informational harm and acting
# risks free expression, a human decides (CHA-8). Technical coordination
# shown with sufficient evidence is always enforced (CHA-2): the linked
# accounts are suspended whether or not the group is designated.
package verdict.group

import data.verdict.lib
import rego.v1

config := data.verdict.config.cha

group := input.group

linked_accounts := object.get(group, "linked_accounts", [])

# ---------------------------------------------------------------- CHA-1 coordination

coordination := object.get(group, "coordination", [])

# Coordination of a type shown with sufficient evidence.
proven(type) if {
	some c in coordination
	object.get(c, "type", "") == type
	lib.flag(c, "sufficient_evidence")
}

# CHA-1a, CHA-2: technical coordination with sufficient evidence.
technical if proven("COORDINATION_TYPE_TECHNICAL")

# CHA-1b: social coordination with sufficient evidence.
social if proven("COORDINATION_TYPE_SOCIAL")

# Technical coordination is alleged but not shown with sufficient evidence.
technical_unproven if {
	some c in coordination
	object.get(c, "type", "") == "COORDINATION_TYPE_TECHNICAL"
	not technical
}

# CHA-0a: sufficient evidence of coordination of any type.
default coordinated := false

coordinated := true if technical

coordinated := true if social

# ---------------------------------------------------------------- CHA-4, CHA-5 harm

harms := object.get(group, "harms", {})

# CHA-4 types, with their enum name and clause (CHA-8 order: safety_order).
harm_types := {
	"physical": {"enum": "HARM_TYPE_PHYSICAL", "clause": "CHA-4a"},
	"psychological": {"enum": "HARM_TYPE_PSYCHOLOGICAL", "clause": "CHA-4b"},
	"informational": {"enum": "HARM_TYPE_INFORMATIONAL", "clause": "CHA-4c"},
}

# CHA-5 severities, ordered; unset and NONE are no harm.
levels := {"SEVERITY_LOW": 1, "SEVERITY_MODERATE": 2, "SEVERITY_HIGH": 3}

level_clauses := {1: "CHA-5a", 2: "CHA-5b", 3: "CHA-5c"}

level(type) := object.get(levels, object.get(harms, type, "SEVERITY_UNSPECIFIED"), 0)

# CHA-0b: evidence of harm is harm that is documented by credible sources:
# moderate or high in at least one type.
default harmful := false

harmful := true if {
	some type, _ in harm_types
	level(type) >= 2
}

# ---------------------------------------------------------------- CHA-6 threshold

# CHA-6a: high in at least one of the types.
high_in(types) if {
	some type in types
	level(type) == 3
}

# CHA-6b: moderate or higher in several (at least two) of the types.
moderate_in(types) if count({type | some type in types; level(type) >= 2}) >= 2

threshold(types) if high_in(types)

threshold(types) if moderate_in(types)

all_types := {"physical", "psychological", "informational"}

# CHA-8: the types that concern physical and psychological safety.
safety_types := {"physical", "psychological"}

default high_any := false

high_any := true if high_in(all_types)

default moderate_several := false

moderate_several := true if moderate_in(all_types)

default threshold_met := false

threshold_met := true if threshold(all_types)

# ---------------------------------------------------------------- CHA-3, CHA-7, CHA-8

# CHA-7a: an identifiable group with a shared purpose, or a one-time
# campaign with a clear goal.
shared_purpose := lib.flag(group, "shared_purpose")

# CHA-7d: acting would put free expression or association at risk.
free_expression_risk := lib.flag(group, "free_expression_risk")

# CHA-3: activism, awareness raising or speaking truth to power without
# evidence of harm is not subject to the framework.
activism_without_harm if {
	lib.flag(group, "activism")
	not harmful
}

# CHA-3: social coordination without evidence of harm is not a violation.
social_without_harm if {
	social
	not technical
	not harmful
}

# Everything CHA-0, CHA-3, CHA-6 and CHA-7 ask for.
meets_criteria if {
	shared_purpose
	coordinated
	harmful
	threshold_met
	not activism_without_harm
}

# CHA-8: the threshold is reached only through informational harm while
# acting risks free expression: safety is not at stake, a human decides.
informational_only if {
	meets_criteria
	free_expression_risk
	not threshold(safety_types)
}

default designated := false

designated := true if {
	meets_criteria
	not informational_only
}

# CHA-8: physical and psychological harms first (the more severe of the two
# leading), then informational; only types with harm.
safety_order := ["psychological", "physical"] if level("psychological") > level("physical")

safety_order := ["physical", "psychological"] if level("psychological") <= level("physical")

priority_harms := [harm_types[type].enum |
	some type in array.concat(safety_order, ["informational"])
	level(type) > 0
]

# ---------------------------------------------------------------- CHA-9, CHA-10, CHA-11

limits_expire_at := lib.timestamp(lib.now_ns + config.visibility_limit_days * lib.ns_per_day)

review_by := lib.timestamp(lib.now_ns + config.designation_review_days * lib.ns_per_day)

# CHA-9a, CHA-9b.
limited_surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# CHA-2: every account involved in proven technical coordination.
suspends(_) if technical

# CHA-9d: accounts primarily used to propagate the activity.
suspends(a) if {
	designated
	lib.flag(a, "primarily_propagates")
}

action(a) := {"account_id": a.account_id, "suspend_account": true} if suspends(a)

# CHA-9a, CHA-9b, CHA-11: the others' visibility is limited until the limits expire.
action(a) := {
	"account_id": a.account_id,
	"limited_surfaces": limited_surfaces,
	"suspend_account": false,
	"limits_expire_at": limits_expire_at,
} if {
	designated
	not suspends(a)
}

# Accounts with no action (nothing proven, not designated) are left out.
linked_actions := [action(a) | some a in linked_accounts; action(a)]

# ---------------------------------------------------------------- TVE

extremism := object.get(group, "extremism", {})

assessed_for_tve if group.extremism

# TVE-2: on a national or international terrorism list.
terrorist_organisation := lib.flag(extremism, "on_terrorism_list")

# TVE-3: all of a, b and c.
tve3_criteria := {
	"TVE-3a": lib.flag(extremism, "identifiable_as_extremist"),
	"TVE-3b": lib.flag(extremism, "uses_or_promotes_violence"),
	"TVE-3c": lib.flag(extremism, "targets_civilians"),
}

default violent_extremist_group := false

violent_extremist_group := true if every _, met in tve3_criteria {
	met
}

# TVE-5a, TVE-5b: limited exceptions for the group.
tve_exceptions contains "TVE-5a" if lib.flag(extremism, "reformed_or_peace_process")

tve_exceptions contains "TVE-5b" if lib.flag(extremism, "elected_representatives")

tve_exception := count(tve_exceptions) > 0

# ---------------------------------------------------------------- outcome

# CHA-2 is always enforced; then CHA-8 review, CHA-6 designation.
outcome := "OUTCOME_PERMANENT_SUSPENSION" if technical

outcome := "OUTCOME_HUMAN_REVIEW" if {
	not technical
	informational_only
}

outcome := "OUTCOME_LIMIT_VISIBILITY" if {
	not technical
	designated
}

outcome := "OUTCOME_NO_ACTION" if {
	not technical
	not informational_only
	not designated
}

# ---------------------------------------------------------------- reasons

# The framework and the questions it asks, every time.
reasons contains lib.process(id) if some id in ["CHA-0", "CHA-1", "CHA-4", "CHA-5", "CHA-7"]

reasons contains lib.criterion("CHA-0a", coordinated)

reasons contains lib.criterion("CHA-0b", harmful)

reasons contains lib.criterion("CHA-7a", shared_purpose)

reasons contains lib.criterion("CHA-6", threshold_met)

reasons contains lib.criterion("CHA-6a", high_any)

reasons contains lib.criterion("CHA-6b", moderate_several)

# CHA-1a, CHA-2: technical coordination, always enforced.
reasons contains lib.violation("CHA-1a") if technical

reasons contains lib.consequence("CHA-2") if technical

reasons contains lib.not_established("CHA-2") if technical_unproven

reasons contains lib.factor("CHA-1b") if social

# CHA-3: not a violation.
reasons contains lib.not_a_violation(id) if {
	activism_without_harm
	some id in ["CHA-3", "CHA-3b"]
}

reasons contains lib.not_a_violation(id) if {
	social_without_harm
	some id in ["CHA-3", "CHA-3a"]
}

# CHA-4, CHA-5: the harm found, by type and by severity.
reasons contains lib.factor(harm_types[type].clause) if {
	some type, _ in harm_types
	level(type) > 0
}

reasons contains lib.factor(level_clauses[level(type)]) if {
	some type, _ in harm_types
	level(type) > 0
}

# CHA-7d, CHA-8: free expression weighed; safety first.
reasons contains lib.factor(id) if {
	free_expression_risk
	some id in ["CHA-7d", "CHA-8"]
}

reasons contains lib.process("CHA-8a") if informational_only

# CHA-9, CHA-10, CHA-11: what a designation does.
reasons contains lib.consequence(id) if {
	designated
	some id in ["CHA-9a", "CHA-9b", "CHA-9c", "CHA-11", "CHA-11a"]
}

reasons contains lib.consequence("CHA-9d") if {
	designated
	some a in linked_accounts
	lib.flag(a, "primarily_propagates")
}

reasons contains lib.process("CHA-10") if designated

# TVE-2, TVE-3, TVE-5a/b, when the group's extremism facts were given.
reasons contains lib.criterion("TVE-2", terrorist_organisation) if assessed_for_tve

reasons contains lib.criterion("TVE-3", violent_extremist_group) if assessed_for_tve

reasons contains lib.criterion(id, met) if {
	assessed_for_tve
	some id, met in tve3_criteria
}

reasons contains lib.exception(id) if some id in tve_exceptions

# ---------------------------------------------------------------- result

base := {
	"designated": designated,
	"outcome": outcome,
	"terrorist_organisation": terrorist_organisation,
	"violent_extremist_group": violent_extremist_group,
	"tve_exception": tve_exception,
	"priority_harms": priority_harms,
	"linked_accounts": linked_actions,
	"block_trends": designated,
	"reasons": reasons,
}

# CHA-10, CHA-11: review date and limit expiry of a designation.
result := object.union(base, {"limits_expire_at": limits_expire_at, "review_by": review_by}) if designated

result := base if not designated
