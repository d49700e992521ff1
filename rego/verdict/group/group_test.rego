package verdict.group_test

import data.verdict.group
import data.verdict.lib
import rego.v1

as_of := "2024-05-01T12:00:00Z"

# An identifiable group coordinating socially with sufficient evidence,
# two linked accounts, one primarily used to propagate it.
base := {
	"group_id": "g-raid",
	"name": "Raid crew",
	"kind": "GROUP_KIND_GROUP",
	"shared_purpose": true,
	"coordination": [{"type": "COORDINATION_TYPE_SOCIAL", "evidence": ["messaging-app campaign"], "sufficient_evidence": true}],
	"linked_accounts": [
		{"account_id": "acc-member"},
		{"account_id": "acc-amplifier", "primarily_propagates": true},
	],
	"harms": {"physical": "SEVERITY_NONE", "psychological": "SEVERITY_NONE", "informational": "SEVERITY_NONE"},
}

# object.union merges deeply; this replaces a key's value outright.
replace(doc, key, value) := object.union(object.remove(doc, [key]), {key: value})

with_harms(physical, psychological, informational) := replace(base, "harms", {
	"physical": physical,
	"psychological": psychological,
	"informational": informational,
})

assess(g) := r if {
	r := group.result with input as {"as_of": as_of, "group": g}
}

high_physical := with_harms("SEVERITY_HIGH", "SEVERITY_NONE", "SEVERITY_NONE")

clauses(reasons) := {r.clause_id | some r in reasons}

cited(reasons, id, kind) if {
	some r in reasons
	r.clause_id == id
	r.kind == kind
}

surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# ---------------------------------------------------------------- CHA-6 threshold edges

test_high_in_one_type_is_designated if {
	r := assess(high_physical)
	r.designated
	r.outcome == "OUTCOME_LIMIT_VISIBILITY"
	cited(r.reasons, "CHA-6", "REASON_KIND_CRITERION_MET")
	cited(r.reasons, "CHA-6a", "REASON_KIND_CRITERION_MET")
	cited(r.reasons, "CHA-6b", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "CHA-5c", "REASON_KIND_FACTOR")
	cited(r.reasons, "CHA-4a", "REASON_KIND_FACTOR")
	not "CHA-4b" in clauses(r.reasons)
}

test_moderate_in_two_types_is_designated if {
	r := assess(with_harms("SEVERITY_LOW", "SEVERITY_MODERATE", "SEVERITY_MODERATE"))
	r.designated
	cited(r.reasons, "CHA-6a", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "CHA-6b", "REASON_KIND_CRITERION_MET")
	{"CHA-5a", "CHA-5b"} - clauses(r.reasons) == set()
	not "CHA-5c" in clauses(r.reasons)
}

test_moderate_and_high_count_as_several if {
	r := assess(with_harms("SEVERITY_MODERATE", "SEVERITY_HIGH", "SEVERITY_NONE"))
	r.designated
	cited(r.reasons, "CHA-6a", "REASON_KIND_CRITERION_MET")
	cited(r.reasons, "CHA-6b", "REASON_KIND_CRITERION_MET")
}

test_moderate_in_one_type_only_is_not_designated if {
	r := assess(with_harms("SEVERITY_MODERATE", "SEVERITY_LOW", "SEVERITY_LOW"))
	not r.designated
	r.outcome == "OUTCOME_NO_ACTION"
	cited(r.reasons, "CHA-0b", "REASON_KIND_CRITERION_MET")
	cited(r.reasons, "CHA-6", "REASON_KIND_CRITERION_NOT_MET")
	r.linked_accounts == []
	not r.block_trends
	not r.review_by
	not r.limits_expire_at
	not "CHA-9a" in clauses(r.reasons)
}

test_low_everywhere_is_not_designated if {
	r := assess(with_harms("SEVERITY_LOW", "SEVERITY_LOW", "SEVERITY_LOW"))
	not r.designated
	cited(r.reasons, "CHA-0b", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "CHA-6", "REASON_KIND_CRITERION_NOT_MET")
	r.priority_harms == ["HARM_TYPE_PHYSICAL", "HARM_TYPE_PSYCHOLOGICAL", "HARM_TYPE_INFORMATIONAL"]
}

test_no_harms_given_is_not_designated if {
	r := assess(base)
	not r.designated
	r.priority_harms == []
	not "CHA-5a" in clauses(r.reasons)
}

# ---------------------------------------------------------------- CHA-0, CHA-7 prerequisites

test_shared_purpose_is_required if {
	r := assess(replace(high_physical, "shared_purpose", false))
	not r.designated
	r.outcome == "OUTCOME_NO_ACTION"
	cited(r.reasons, "CHA-7a", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "CHA-7", "REASON_KIND_PROCESS")
	cited(r.reasons, "CHA-6", "REASON_KIND_CRITERION_MET")
}

test_coordination_without_sufficient_evidence_is_not_designated if {
	r := assess(replace(high_physical, "coordination", [{"type": "COORDINATION_TYPE_SOCIAL", "evidence": ["hashtag overlap"], "sufficient_evidence": false}]))
	not r.designated
	cited(r.reasons, "CHA-0a", "REASON_KIND_CRITERION_NOT_MET")
	not "CHA-1b" in clauses(r.reasons)
}

test_no_coordination_is_not_designated if {
	r := assess(object.remove(high_physical, ["coordination"]))
	not r.designated
	cited(r.reasons, "CHA-0a", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "CHA-0", "REASON_KIND_PROCESS")
}

# ---------------------------------------------------------------- CHA-3

test_activism_without_harm_is_not_a_violation if {
	g := object.union(with_harms("SEVERITY_LOW", "SEVERITY_LOW", "SEVERITY_NONE"), {"activism": true})
	r := assess(g)
	not r.designated
	r.outcome == "OUTCOME_NO_ACTION"
	cited(r.reasons, "CHA-3", "REASON_KIND_NOT_A_VIOLATION")
	cited(r.reasons, "CHA-3b", "REASON_KIND_NOT_A_VIOLATION")
}

test_activism_with_high_harm_is_designated if {
	r := assess(object.union(high_physical, {"activism": true}))
	r.designated
	not "CHA-3" in clauses(r.reasons)
}

test_activism_with_one_moderate_harm_is_not_exempt_but_below_threshold if {
	r := assess(object.union(with_harms("SEVERITY_MODERATE", "SEVERITY_NONE", "SEVERITY_NONE"), {"activism": true}))
	not r.designated
	not "CHA-3b" in clauses(r.reasons)
	cited(r.reasons, "CHA-6", "REASON_KIND_CRITERION_NOT_MET")
}

test_social_coordination_without_harm_is_not_a_violation if {
	r := assess(with_harms("SEVERITY_LOW", "SEVERITY_NONE", "SEVERITY_NONE"))
	cited(r.reasons, "CHA-3a", "REASON_KIND_NOT_A_VIOLATION")
	cited(r.reasons, "CHA-1b", "REASON_KIND_FACTOR")
	not "CHA-3b" in clauses(r.reasons)
}

# ---------------------------------------------------------------- CHA-2 technical coordination

technical := [{"type": "COORDINATION_TYPE_TECHNICAL", "evidence": ["shared device IDs"], "sufficient_evidence": true}]

test_technical_coordination_is_always_enforced if {
	g := replace(with_harms("SEVERITY_LOW", "SEVERITY_NONE", "SEVERITY_NONE"), "coordination", technical)
	r := assess(g)
	not r.designated
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	r.linked_accounts == [
		{"account_id": "acc-member", "suspend_account": true},
		{"account_id": "acc-amplifier", "suspend_account": true},
	]
	cited(r.reasons, "CHA-1a", "REASON_KIND_VIOLATION")
	cited(r.reasons, "CHA-2", "REASON_KIND_CONSEQUENCE")
	cited(r.reasons, "CHA-0b", "REASON_KIND_CRITERION_NOT_MET")
	not r.block_trends
	not r.review_by
	not "CHA-3a" in clauses(r.reasons)
}

test_technical_coordination_of_a_designated_group if {
	r := assess(replace(high_physical, "coordination", technical))
	r.designated
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	r.block_trends
	every a in r.linked_accounts {
		a.suspend_account
	}
	r.review_by == "2024-07-30T12:00:00Z"
}

test_technical_coordination_without_sufficient_evidence if {
	g := replace(high_physical, "coordination", [{"type": "COORDINATION_TYPE_TECHNICAL", "evidence": ["similar posting times"], "sufficient_evidence": false}])
	r := assess(g)
	not r.designated
	r.outcome == "OUTCOME_NO_ACTION"
	cited(r.reasons, "CHA-2", "REASON_KIND_NOT_ESTABLISHED")
	cited(r.reasons, "CHA-0a", "REASON_KIND_CRITERION_NOT_MET")
	r.linked_accounts == []
}

test_unproven_technical_with_proven_social_coordination if {
	g := replace(high_physical, "coordination", array.concat(base.coordination, [{"type": "COORDINATION_TYPE_TECHNICAL", "sufficient_evidence": false}]))
	r := assess(g)
	r.designated
	r.outcome == "OUTCOME_LIMIT_VISIBILITY"
	cited(r.reasons, "CHA-2", "REASON_KIND_NOT_ESTABLISHED")
}

# ---------------------------------------------------------------- CHA-8

test_informational_only_with_free_expression_risk_goes_to_review if {
	g := object.union(with_harms("SEVERITY_LOW", "SEVERITY_NONE", "SEVERITY_HIGH"), {"free_expression_risk": true})
	r := assess(g)
	not r.designated
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	r.linked_accounts == []
	not r.block_trends
	cited(r.reasons, "CHA-8a", "REASON_KIND_PROCESS")
	cited(r.reasons, "CHA-8", "REASON_KIND_FACTOR")
	cited(r.reasons, "CHA-7d", "REASON_KIND_FACTOR")
	r.priority_harms == ["HARM_TYPE_PHYSICAL", "HARM_TYPE_INFORMATIONAL"]
}

# Two moderates, one of them informational: the threshold needs it.
test_threshold_needing_informational_harm_goes_to_review if {
	g := object.union(with_harms("SEVERITY_MODERATE", "SEVERITY_NONE", "SEVERITY_MODERATE"), {"free_expression_risk": true})
	assess(g).outcome == "OUTCOME_HUMAN_REVIEW"
}

test_safety_harm_at_threshold_is_designated_despite_free_expression_risk if {
	g := object.union(with_harms("SEVERITY_MODERATE", "SEVERITY_MODERATE", "SEVERITY_HIGH"), {"free_expression_risk": true})
	r := assess(g)
	r.designated
	r.outcome == "OUTCOME_LIMIT_VISIBILITY"
	cited(r.reasons, "CHA-8", "REASON_KIND_FACTOR")
	not "CHA-8a" in clauses(r.reasons)
}

test_informational_harm_alone_is_designated_without_free_expression_risk if {
	r := assess(with_harms("SEVERITY_NONE", "SEVERITY_NONE", "SEVERITY_HIGH"))
	r.designated
	not "CHA-8" in clauses(r.reasons)
}

test_free_expression_risk_below_threshold_is_no_action if {
	g := object.union(with_harms("SEVERITY_NONE", "SEVERITY_NONE", "SEVERITY_MODERATE"), {"free_expression_risk": true})
	assess(g).outcome == "OUTCOME_NO_ACTION"
}

test_technical_coordination_is_enforced_under_cha_8 if {
	g := object.union(replace(with_harms("SEVERITY_NONE", "SEVERITY_NONE", "SEVERITY_HIGH"), "coordination", technical), {"free_expression_risk": true})
	r := assess(g)
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	not r.designated
	cited(r.reasons, "CHA-8a", "REASON_KIND_PROCESS")
}

test_priority_harms_put_safety_first if {
	assess(with_harms("SEVERITY_MODERATE", "SEVERITY_HIGH", "SEVERITY_HIGH")).priority_harms == [
		"HARM_TYPE_PSYCHOLOGICAL", "HARM_TYPE_PHYSICAL", "HARM_TYPE_INFORMATIONAL",
	]
	assess(with_harms("SEVERITY_HIGH", "SEVERITY_HIGH", "SEVERITY_LOW")).priority_harms == [
		"HARM_TYPE_PHYSICAL", "HARM_TYPE_PSYCHOLOGICAL", "HARM_TYPE_INFORMATIONAL",
	]
	assess(with_harms("SEVERITY_NONE", "SEVERITY_LOW", "SEVERITY_HIGH")).priority_harms == [
		"HARM_TYPE_PSYCHOLOGICAL", "HARM_TYPE_INFORMATIONAL",
	]
}

# ---------------------------------------------------------------- CHA-9, CHA-10, CHA-11

test_designation_acts_on_every_linked_account if {
	r := assess(high_physical)
	r.linked_accounts == [
		{
			"account_id": "acc-member", "limited_surfaces": surfaces,
			"suspend_account": false, "limits_expire_at": "2024-05-31T12:00:00Z",
		},
		{"account_id": "acc-amplifier", "suspend_account": true},
	]
	r.block_trends
	every id in ["CHA-9a", "CHA-9b", "CHA-9c", "CHA-9d", "CHA-11", "CHA-11a"] {
		cited(r.reasons, id, "REASON_KIND_CONSEQUENCE")
	}
}

test_no_propagating_account_no_cha_9d if {
	r := assess(replace(high_physical, "linked_accounts", [{"account_id": "acc-member"}]))
	not "CHA-9d" in clauses(r.reasons)
	r.designated
}

test_designation_sets_review_and_limit_dates if {
	r := assess(high_physical)
	r.review_by == "2024-07-30T12:00:00Z"
	r.limits_expire_at == "2024-05-31T12:00:00Z"
	cited(r.reasons, "CHA-10", "REASON_KIND_PROCESS")
}

test_dates_come_from_config if {
	r := group.result with input as {"as_of": as_of, "group": high_physical}
		with data.verdict.config.cha as {"visibility_limit_days": 1, "designation_review_days": 2}
	r.limits_expire_at == "2024-05-02T12:00:00Z"
	r.review_by == "2024-05-03T12:00:00Z"
}

# ---------------------------------------------------------------- TVE-2, TVE-3, TVE-5

# Extremism facts with every TVE-2 and TVE-3 fact stated: not listed, none met, unless given.
extremist(facts) := object.union(base, {"extremism": object.union(
	{"on_terrorism_list": false, "identifiable_as_extremist": false, "uses_or_promotes_violence": false, "targets_civilians": false},
	facts,
)})

test_violent_extremist_group_meets_all_three if {
	r := assess(extremist({"identifiable_as_extremist": true, "uses_or_promotes_violence": true, "targets_civilians": true}))
	r.violent_extremist_group
	not r.terrorist_organisation
	every id in ["TVE-3", "TVE-3a", "TVE-3b", "TVE-3c"] {
		cited(r.reasons, id, "REASON_KIND_CRITERION_MET")
	}
	cited(r.reasons, "TVE-2", "REASON_KIND_CRITERION_NOT_MET")
}

test_two_of_three_is_not_a_violent_extremist_group if {
	r := assess(extremist({"identifiable_as_extremist": true, "uses_or_promotes_violence": true}))
	not r.violent_extremist_group
	cited(r.reasons, "TVE-3", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "TVE-3c", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "TVE-3a", "REASON_KIND_CRITERION_MET")
}

test_terrorism_list_makes_a_terrorist_organisation if {
	r := assess(extremist({"on_terrorism_list": true}))
	r.terrorist_organisation
	not r.violent_extremist_group
	cited(r.reasons, "TVE-2", "REASON_KIND_CRITERION_MET")
}

test_tve_exceptions if {
	r := assess(extremist({"on_terrorism_list": true, "reformed_or_peace_process": true}))
	r.tve_exception
	cited(r.reasons, "TVE-5a", "REASON_KIND_EXCEPTION")
	not "TVE-5b" in clauses(r.reasons)
	r2 := assess(extremist({"on_terrorism_list": true, "elected_representatives": true}))
	r2.tve_exception
	cited(r2.reasons, "TVE-5b", "REASON_KIND_EXCEPTION")
	not assess(extremist({"on_terrorism_list": true})).tve_exception
}

test_stated_extremism_facts_that_are_all_false_are_not_met if {
	r := assess(extremist({}))
	cited(r.reasons, "TVE-2", "REASON_KIND_CRITERION_NOT_MET")
	cited(r.reasons, "TVE-3", "REASON_KIND_CRITERION_NOT_MET")
	r.designation.terrorist_organisation == false
	r.designation.violent_extremist_group == false
}

# Unknown is not false: what is not stated is never stored as "no".
test_empty_extremism_facts_leave_tve_open if {
	r := assess(object.union(high_physical, {"extremism": {}}))
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	not r.designation
	r.store_clause_id == "CHA-7"
	some reason in r.reasons
	reason == {"clause_id": "TVE-2", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["group.extremism.on_terrorism_list"]}
}

test_sufficient_evidence_not_stated_goes_to_review if {
	r := assess(replace(high_physical, "coordination", [{"type": "COORDINATION_TYPE_SOCIAL", "evidence": ["hashtag overlap"]}]))
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	not r.designated
	r.linked_accounts == []
	some reason in r.reasons
	reason == {"clause_id": "CHA-0a", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["group.coordination[0].sufficient_evidence"]}
}

test_shared_purpose_not_stated_goes_to_review if {
	r := assess(object.remove(high_physical, ["shared_purpose"]))
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	some reason in r.reasons
	reason == {"clause_id": "CHA-7a", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["group.shared_purpose"]}
}

test_shared_purpose_not_stated_does_not_matter_below_the_threshold if {
	r := assess(object.remove(with_harms("SEVERITY_LOW", "SEVERITY_NONE", "SEVERITY_NONE"), ["shared_purpose"]))
	r.outcome == "OUTCOME_NO_ACTION"
	r.designation.designated == false
}

test_harm_not_stated_goes_to_review_when_it_could_reach_the_threshold if {
	g := replace(base, "harms", {"physical": "SEVERITY_MODERATE"})
	r := assess(g)
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	some reason in r.reasons
	reason.clause_id == "CHA-6"
	reason.kind == "REASON_KIND_NOT_STATED"
	reason.missing_facts == ["group.harms.psychological", "group.harms.informational"]
}

test_harm_not_stated_does_not_matter_above_the_threshold if {
	r := assess(replace(base, "harms", {"physical": "SEVERITY_HIGH"}))
	r.outcome == "OUTCOME_LIMIT_VISIBILITY"
	r.designated
}

# What an applied assessment stores, and why: the policy says it.
test_the_designation_to_store if {
	r := assess(extremist({"on_terrorism_list": true, "reformed_or_peace_process": true}))
	r.store_clause_id == "CHA-6"
	r.designation == {
		"group_id": "g-raid", "name": "Raid crew", "designated": false,
		"terrorist_organisation": true, "violent_extremist_group": false,
		"tve_exception": true, "tve_exception_clauses": ["TVE-5a"],
		"assessed_at": as_of,
	}
	d := assess(high_physical).designation
	d.designated == true
	d.review_by == "2024-07-30T12:00:00Z"
	d.limits_expire_at == "2024-05-31T12:00:00Z"
	not d.terrorist_organisation
}

test_nothing_is_stored_under_cha_8 if {
	g := object.union(with_harms("SEVERITY_LOW", "SEVERITY_NONE", "SEVERITY_HIGH"), {"free_expression_risk": true})
	r := assess(g)
	not r.designation
	r.store_clause_id == "CHA-8a"
}

test_no_extremism_facts_no_tve_reasons if {
	r := assess(high_physical)
	not r.terrorist_organisation
	not r.violent_extremist_group
	not r.tve_exception
	count({id | some id in clauses(r.reasons); startswith(id, "TVE-")}) == 0
}

# A violent extremist group is a TVE finding; CHA designation is its own test.
test_tve_and_cha_are_independent if {
	g := object.union(high_physical, {"extremism": {"on_terrorism_list": false, "identifiable_as_extremist": true, "uses_or_promotes_violence": true, "targets_civilians": true}})
	r := assess(g)
	r.designated
	r.violent_extremist_group
}

# ---------------------------------------------------------------- shape

test_result_has_every_field if {
	r := assess(base)
	{"designated", "outcome", "terrorist_organisation", "violent_extremist_group", "tve_exception",
	 "priority_harms", "linked_accounts", "block_trends", "reasons", "designation", "store_clause_id"} == object.keys(r)
	every reason in r.reasons {
		lib.text(reason, "en") != ""
		lib.text(reason, "nl") != ""
	}
}
