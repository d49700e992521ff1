# TVE — terrorism and violent extremism (seed 000, March 2019).
#
# Threatening or promoting terrorism or violent extremism (TVE-1) is a
# violation by itself. Acting on behalf of a group (TVE-4a-d) is one only when
# the group is a terrorist organisation (TVE-2, on a terrorism list) or a
# violent extremist group (TVE-3: all of a, b and c). The TVE-5 exceptions
# each have a rule of their own, so the decision cites the one that applied.
# A violation means immediate, permanent suspension (TVE-7).
#
# What is known of the group: when the case names a group that is in the
# store (input.groups[group_id], written by an applied AssessGroup), its
# designation decides TVE-2, TVE-3 and TVE-5a/b; the facts in the case
# (tve.group) are used only for a group that is not (yet) in the store.
package verdict.tve

import data.verdict.history
import data.verdict.lib
import rego.v1

policy := "POLICY_TERRORISM_VIOLENT_EXTREMISM"

facts := object.get(input.case.violation, "tve", {})

category := object.get(facts, "category", "TVE_CATEGORY_UNSPECIFIED")

account := object.get(input, "account", {})

# TVE-1: threatening or promoting terrorism or violent extremism.
threat_or_promotion := {"TVE_CATEGORY_THREAT", "TVE_CATEGORY_PROMOTION"}

# TVE-4: what violates the policy when done on behalf of a group.
on_behalf_clauses := {
	"TVE_CATEGORY_ACTS_ON_BEHALF": "TVE-4a",
	"TVE_CATEGORY_RECRUITMENT": "TVE-4b",
	"TVE_CATEGORY_DISTRIBUTION_SERVICES": "TVE-4c",
	"TVE_CATEGORY_INSIGNIA": "TVE-4d",
}

# ---------------------------------------------------------------- the group

group_id := object.get(facts, "group_id", "")

groups := object.get(input, "groups", {})

# The group has a stored designation.
default stored := false

stored if {
	group_id != ""
	groups[group_id]
}

designation := object.get(groups, group_id, {})

group_facts := object.get(facts, "group", {})

# TVE-3a-c, from the facts in the case.
extremism_criteria := {
	"TVE-3a": lib.flag(group_facts, "identifiable_as_extremist"),
	"TVE-3b": lib.flag(group_facts, "uses_or_promotes_violence"),
	"TVE-3c": lib.flag(group_facts, "targets_civilians"),
}

# TVE-2: on a national or international terrorism list.
terrorist_organisation if {
	stored
	lib.flag(designation, "terrorist_organisation")
}

terrorist_organisation if {
	not stored
	lib.flag(group_facts, "on_terrorism_list")
}

# TVE-3: a violent extremist group meets all three criteria.
violent_extremist_group if {
	stored
	lib.flag(designation, "violent_extremist_group")
}

violent_extremist_group if {
	not stored
	every _, met in extremism_criteria {
		met
	}
}

qualifying_group if terrorist_organisation

qualifying_group if violent_extremist_group

# Why the group qualifies ...
group_reasons contains lib.criterion("TVE-2", true) if terrorist_organisation

group_reasons contains lib.criterion("TVE-3", true) if violent_extremist_group

group_reasons contains lib.criterion(id, true) if {
	violent_extremist_group
	not stored
	some id, _ in extremism_criteria
}

# ... or why it does not: each TVE-3 criterion, met or not (from the facts;
# a stored designation does not say which criterion failed).
unmet_group_reasons contains lib.criterion("TVE-2", false)

unmet_group_reasons contains lib.criterion("TVE-3", false)

unmet_group_reasons contains lib.criterion(id, met) if {
	not stored
	some id, met in extremism_criteria
}

# ---------------------------------------------------------------- TVE-5 exceptions

# A threat of terrorism is never discussion, nor excused by what the group
# has done since: TVE-5a-c cover everything but threats. TVE-5d holds always.
excusable if category != "TVE_CATEGORY_THREAT"

# TVE-5a: the group has reformed or is in a peaceful resolution process.
exceptions contains "TVE-5a" if {
	excusable
	not stored
	lib.flag(group_facts, "reformed_or_peace_process")
}

# TVE-5b: the group has representatives elected to public office.
exceptions contains "TVE-5b" if {
	excusable
	not stored
	lib.flag(group_facts, "elected_representatives")
}

# TVE-5a/b from a stored designation: the clauses its assessment found, or
# TVE-5 alone for a designation stored without them.
exceptions contains id if {
	excusable
	stored
	lib.flag(designation, "tve_exception")
	some id in stored_exception_clauses
}

stored_exception_clauses := clauses if {
	clauses := object.get(designation, "tve_exception_clauses", [])
	count(clauses) > 0
} else := ["TVE-5"]

# TVE-5c: clearly educational or documentary discussion.
exceptions contains "TVE-5c" if {
	excusable
	lib.flag(facts, "educational_or_documentary")
}

# TVE-5d: the policy does not apply to military or government entities.
exceptions contains "TVE-5d" if lib.flag(account, "government_or_military")

exempt if count(exceptions) > 0

# ---------------------------------------------------------------- violations

default violation := false

violation if {
	not exempt
	category in threat_or_promotion
}

violation if {
	not exempt
	on_behalf_clauses[category]
	qualifying_group
}

violation_reasons contains lib.violation("TVE-1") if category in threat_or_promotion

violation_reasons contains lib.violation("TVE-4") if on_behalf_clauses[category]

violation_reasons contains lib.violation(on_behalf_clauses[category])

violation_reasons contains r if some r in group_reasons

exception_reasons contains lib.exception("TVE-5")

exception_reasons contains lib.exception(id) if some id in exceptions

# Acting on behalf of a group that is neither a terrorist organisation nor
# a violent extremist group is not a violation of this policy.
not_established_reasons contains lib.not_established("TVE-4") if on_behalf_clauses[category]

not_established_reasons contains r if {
	on_behalf_clauses[category]
	some r in unmet_group_reasons
}

# No category: nothing alleged that this policy prohibits.
not_established_reasons contains lib.not_established("TVE-1") if {
	not category in threat_or_promotion
	not on_behalf_clauses[category]
}

# ---------------------------------------------------------------- finding

# TVE-7: immediate, permanent suspension; appeal is possible.
finding := {
	"violation": true,
	"outcome": "OUTCOME_PERMANENT_SUSPENSION",
	"effects": {"remove_content": true, "suspend_account": true, "appeal_available": true},
	"reasons": violation_reasons | {lib.consequence("TVE-7")},
	"enforcement": history.enforcement(policy, "TVE-7", true, false),
} if violation

finding := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": exception_reasons,
	"enforcement": {"counts_as_violation": false},
} if exempt

finding := {
	"violation": false,
	"outcome": "OUTCOME_NO_ACTION",
	"effects": {},
	"reasons": not_established_reasons,
	"enforcement": {"counts_as_violation": false},
} if {
	not exempt
	not violation
}
