package verdict.tve_test

import data.verdict.decision
import data.verdict.lib
import data.verdict.tve
import rego.v1

as_of := "2024-06-10T09:00:00Z"

# An ordinary account: unverified, few followers, no office.
author := {"account_id": "acc-tve-author", "followers": 340}

case_with(facts) := {
	"as_of": as_of,
	"case": {
		"content": {"kind": "CONTENT_KIND_POST", "post_id": "p-tve", "author_account_id": "acc-tve-author"},
		"violation": {"policy": "POLICY_TERRORISM_VIOLENT_EXTREMISM", "tve": facts},
		"as_of": as_of,
	},
	"account": author,
}

with_account(doc, patch) := object.union(doc, {"account": object.union(doc.account, patch)})

with_groups(doc, groups) := object.union(doc, {"groups": groups})

# The facts of a group that meets all three TVE-3 criteria and is not listed.
extremist := {"on_terrorism_list": false, "identifiable_as_extremist": true, "uses_or_promotes_violence": true, "targets_civilians": true}

clauses(reasons) := {r.clause_id | some r in reasons}

kinds(reasons, id) := {r.kind | some r in reasons; r.clause_id == id}

finding(doc) := f if {
	f := tve.finding with input as doc
}

suspended(f) if {
	f.violation == true
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	f.effects == {"remove_content": true, "suspend_account": true, "appeal_available": true}
	f.enforcement.counts_as_violation == true
	f.enforcement.clause_id == "TVE-7"
	f.enforcement.warning == false
	kinds(f.reasons, "TVE-7") == {"REASON_KIND_CONSEQUENCE"}
}

human_review(f) if {
	f.violation == false
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	f.effects == {}
	f.enforcement.counts_as_violation == false
	not "TVE-7" in clauses(f.reasons)
}

# The facts a reason says are not stated.
missing(reasons, id) := {fact | some r in reasons; r.clause_id == id; r.kind == "REASON_KIND_NOT_STATED"; some fact in r.missing_facts}

no_action(f) if {
	f.violation == false
	f.outcome == "OUTCOME_NO_ACTION"
	f.effects == {}
	f.enforcement.counts_as_violation == false
	not "TVE-7" in clauses(f.reasons)
}

# ---------------------------------------------------------------- TVE-1

test_threat_is_a_violation_by_itself if {
	f := finding(case_with({"category": "TVE_CATEGORY_THREAT"}))
	suspended(f)
	clauses(f.reasons) == {"TVE-1", "TVE-7"}
	kinds(f.reasons, "TVE-1") == {"REASON_KIND_VIOLATION"}
}

test_promotion_is_a_violation_without_a_group if {
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION"}))
	suspended(f)
	"TVE-1" in clauses(f.reasons)
}

test_promotion_of_a_listed_group_cites_tve_2 if {
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION", "group": {"on_terrorism_list": true}}))
	suspended(f)
	clauses(f.reasons) == {"TVE-1", "TVE-2", "TVE-7"}
	kinds(f.reasons, "TVE-2") == {"REASON_KIND_CRITERION_MET"}
}

# TVE-3 for every kind of conduct: promoting a group needs the group to qualify.
test_promotion_of_a_group_that_does_not_qualify_is_not_a_violation if {
	group := {"on_terrorism_list": false, "identifiable_as_extremist": true, "uses_or_promotes_violence": false}
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION", "group": group}))
	no_action(f)
	kinds(f.reasons, "TVE-1") == {"REASON_KIND_NOT_ESTABLISHED"}
	kinds(f.reasons, "TVE-2") == {"REASON_KIND_CRITERION_NOT_MET"}
	kinds(f.reasons, "TVE-3") == {"REASON_KIND_CRITERION_NOT_MET"}
	kinds(f.reasons, "TVE-3b") == {"REASON_KIND_CRITERION_NOT_MET"}
}

test_acting_on_behalf_and_promoting_decide_a_group_alike if {
	group := {"on_terrorism_list": false, "identifiable_as_extremist": true, "uses_or_promotes_violence": true, "targets_civilians": false}
	every category in ["TVE_CATEGORY_PROMOTION", "TVE_CATEGORY_ACTS_ON_BEHALF", "TVE_CATEGORY_THREAT", "TVE_CATEGORY_INSIGNIA"] {
		no_action(finding(case_with({"category": category, "group": group})))
	}
}

# Unknown is not false: a group fact not stated, where the answer turns on it.
test_a_group_fact_not_stated_goes_to_human_review if {
	group := {"on_terrorism_list": false, "identifiable_as_extremist": true, "uses_or_promotes_violence": true}
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION", "group": group}))
	human_review(f)
	missing(f.reasons, "TVE-3") == {"case.violation.tve.group.targets_civilians"}
	kinds(f.reasons, "TVE-3a") == {"REASON_KIND_CRITERION_MET"}
}

test_listing_not_stated_goes_to_human_review_when_tve_3_fails if {
	group := {"identifiable_as_extremist": false}
	f := finding(case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group": group}))
	human_review(f)
	missing(f.reasons, "TVE-2") == {"case.violation.tve.group.on_terrorism_list"}
	kinds(f.reasons, "TVE-3") == {"REASON_KIND_CRITERION_NOT_MET"}
}

test_a_listed_group_needs_no_tve_3_facts if {
	f := finding(case_with({"category": "TVE_CATEGORY_INSIGNIA", "group": {"on_terrorism_list": true}}))
	suspended(f)
	clauses(f.reasons) == {"TVE-2", "TVE-4", "TVE-4d", "TVE-7"}
}

test_a_group_named_only_by_an_unknown_id_goes_to_human_review if {
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION", "group_id": "g-unknown"}))
	human_review(f)
	missing(f.reasons, "TVE-2") == {"case.violation.tve.group.on_terrorism_list"}
	count(missing(f.reasons, "TVE-3")) == 3
}

test_promotion_of_a_group_with_little_known_is_not_a_suspension if {
	# Before, promotion ignored the group's facts and suspended; now the group decides.
	f := finding(case_with({"category": "TVE_CATEGORY_PROMOTION", "group": {"identifiable_as_extremist": true}}))
	human_review(f)
	clauses(f.reasons) == {"TVE-1", "TVE-2", "TVE-3", "TVE-3a"}
	kinds(f.reasons, "TVE-1") == {"REASON_KIND_NOT_ESTABLISHED"}
}

test_no_category_is_not_established if {
	f := finding(case_with({}))
	no_action(f)
	clauses(f.reasons) == {"TVE-1"}
	kinds(f.reasons, "TVE-1") == {"REASON_KIND_NOT_ESTABLISHED"}
}

# ---------------------------------------------------------------- TVE-2, TVE-3, TVE-4

test_each_on_behalf_category_cites_its_sub_clause if {
	every category, id in {
		"TVE_CATEGORY_ACTS_ON_BEHALF": "TVE-4a",
		"TVE_CATEGORY_RECRUITMENT": "TVE-4b",
		"TVE_CATEGORY_DISTRIBUTION_SERVICES": "TVE-4c",
		"TVE_CATEGORY_INSIGNIA": "TVE-4d",
	} {
		f := finding(case_with({"category": category, "group": {"on_terrorism_list": true}}))
		suspended(f)
		clauses(f.reasons) == {"TVE-2", "TVE-4", id, "TVE-7"}
		kinds(f.reasons, id) == {"REASON_KIND_VIOLATION"}
	}
}

test_recruiting_for_a_violent_extremist_group_cites_all_tve_3_criteria if {
	f := finding(case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group": extremist}))
	suspended(f)
	clauses(f.reasons) == {"TVE-3", "TVE-3a", "TVE-3b", "TVE-3c", "TVE-4", "TVE-4b", "TVE-7"}
	every id in ["TVE-3", "TVE-3a", "TVE-3b", "TVE-3c"] {
		kinds(f.reasons, id) == {"REASON_KIND_CRITERION_MET"}
	}
}

test_tve_3_needs_every_criterion if {
	every fact in ["identifiable_as_extremist", "uses_or_promotes_violence", "targets_civilians"] {
		f := finding(case_with({"category": "TVE_CATEGORY_INSIGNIA", "group": object.union(extremist, {fact: false})}))
		no_action(f)
		kinds(f.reasons, "TVE-3") == {"REASON_KIND_CRITERION_NOT_MET"}
		kinds(f.reasons, "TVE-2") == {"REASON_KIND_CRITERION_NOT_MET"}
		kinds(f.reasons, "TVE-4") == {"REASON_KIND_NOT_ESTABLISHED"}
		not "TVE-4d" in clauses(f.reasons)
	}
}

test_unmet_criterion_is_named_and_met_ones_too if {
	f := finding(case_with({"category": "TVE_CATEGORY_ACTS_ON_BEHALF", "group": object.union(extremist, {"targets_civilians": false})}))
	kinds(f.reasons, "TVE-3a") == {"REASON_KIND_CRITERION_MET"}
	kinds(f.reasons, "TVE-3b") == {"REASON_KIND_CRITERION_MET"}
	kinds(f.reasons, "TVE-3c") == {"REASON_KIND_CRITERION_NOT_MET"}
	some r in f.reasons
	r.clause_id == "TVE-3c"
	contains(lib.text(r, "en"), "not established")
	contains(lib.text(r, "nl"), "Niet vastgesteld")
}

test_on_behalf_without_any_group_goes_to_human_review if {
	f := finding(case_with({"category": "TVE_CATEGORY_DISTRIBUTION_SERVICES"}))
	human_review(f)
	clauses(f.reasons) == {"TVE-4", "TVE-4c"}
	missing(f.reasons, "TVE-4c") == {"case.violation.tve.group_id"}
}

# ---------------------------------------------------------------- stored designations

test_stored_terrorist_organisation if {
	doc := with_groups(case_with({"category": "TVE_CATEGORY_INSIGNIA", "group_id": "g-listed"}), {"g-listed": {"group_id": "g-listed", "terrorist_organisation": true}})
	f := finding(doc)
	suspended(f)
	clauses(f.reasons) == {"TVE-2", "TVE-4", "TVE-4d", "TVE-7"}
}

test_stored_violent_extremist_group if {
	doc := with_groups(case_with({"category": "TVE_CATEGORY_ACTS_ON_BEHALF", "group_id": "g-veg"}), {"g-veg": {"group_id": "g-veg", "violent_extremist_group": true}})
	f := finding(doc)
	suspended(f)
	clauses(f.reasons) == {"TVE-3", "TVE-4", "TVE-4a", "TVE-7"}
}

test_stored_designation_wins_over_case_facts if {
	# The stored assessment found the group is neither; the case's facts are not used.
	doc := with_groups(
		case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group_id": "g-cleared", "group": {"on_terrorism_list": true}}),
		{"g-cleared": {"group_id": "g-cleared", "designated": true, "terrorist_organisation": false, "violent_extremist_group": false}},
	)
	f := finding(doc)
	no_action(f)
	clauses(f.reasons) == {"TVE-2", "TVE-3", "TVE-4"}
}

test_a_designation_without_tve_facts_leaves_tve_to_the_case if {
	doc := with_groups(
		case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group_id": "g-cha-only", "group": {"on_terrorism_list": true}}),
		{"g-cha-only": {"group_id": "g-cha-only", "designated": true}},
	)
	suspended(finding(doc))
}

test_unknown_group_id_falls_back_to_case_facts if {
	doc := with_groups(
		case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group_id": "g-new", "group": {"on_terrorism_list": true}}),
		{"g-other": {"group_id": "g-other", "terrorist_organisation": false}},
	)
	suspended(finding(doc))
}

# ---------------------------------------------------------------- TVE-5

test_reformed_group_is_an_exception if {
	f := finding(case_with({"category": "TVE_CATEGORY_INSIGNIA", "group": object.union(extremist, {"reformed_or_peace_process": true})}))
	no_action(f)
	clauses(f.reasons) == {"TVE-5", "TVE-5a"}
	kinds(f.reasons, "TVE-5a") == {"REASON_KIND_EXCEPTION"}
}

test_group_with_elected_representatives_is_an_exception if {
	f := finding(case_with({"category": "TVE_CATEGORY_ACTS_ON_BEHALF", "group": {"on_terrorism_list": true, "elected_representatives": true}}))
	no_action(f)
	clauses(f.reasons) == {"TVE-5", "TVE-5b"}
}

test_stored_tve_exception if {
	doc := with_groups(case_with({"category": "TVE_CATEGORY_PROMOTION", "group_id": "g-peace"}), {"g-peace": {"group_id": "g-peace", "violent_extremist_group": true, "tve_exception": true}})
	f := finding(doc)
	no_action(f)
	clauses(f.reasons) == {"TVE-5"}
	kinds(f.reasons, "TVE-5") == {"REASON_KIND_EXCEPTION"}
}

test_stored_tve_exception_names_the_clause_its_assessment_found if {
	group := {"group_id": "g-elected", "terrorist_organisation": true, "tve_exception": true, "tve_exception_clauses": ["TVE-5b"]}
	doc := with_groups(case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group_id": "g-elected"}), {"g-elected": group})
	f := finding(doc)
	no_action(f)
	clauses(f.reasons) == {"TVE-5", "TVE-5b"}
	kinds(f.reasons, "TVE-5b") == {"REASON_KIND_EXCEPTION"}
}

test_stored_designation_ignores_case_exception_facts if {
	doc := with_groups(
		case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group_id": "g-listed", "group": {"reformed_or_peace_process": true}}),
		{"g-listed": {"group_id": "g-listed", "terrorist_organisation": true}},
	)
	suspended(finding(doc))
}

test_educational_or_documentary_discussion_is_an_exception if {
	f := finding(case_with({"category": "TVE_CATEGORY_INSIGNIA", "group": {"on_terrorism_list": true}, "educational_or_documentary": true}))
	no_action(f)
	clauses(f.reasons) == {"TVE-5", "TVE-5c"}
}

test_government_or_military_account_is_out_of_scope if {
	f := finding(with_account(case_with({"category": "TVE_CATEGORY_PROMOTION"}), {"government_or_military": true}))
	no_action(f)
	clauses(f.reasons) == {"TVE-5", "TVE-5d"}
}

test_tve_5d_covers_threats_too if {
	f := finding(with_account(case_with({"category": "TVE_CATEGORY_THREAT"}), {"government_or_military": true}))
	no_action(f)
	"TVE-5d" in clauses(f.reasons)
}

test_threat_is_not_excused_by_group_or_educational_exceptions if {
	f := finding(case_with({
		"category": "TVE_CATEGORY_THREAT",
		"group": {"on_terrorism_list": true, "reformed_or_peace_process": true, "elected_representatives": true},
		"educational_or_documentary": true,
	}))
	suspended(f)
	clauses(f.reasons) == {"TVE-1", "TVE-2", "TVE-7"}
}

test_several_exceptions_are_all_cited if {
	doc := with_account(case_with({"category": "TVE_CATEGORY_INSIGNIA", "educational_or_documentary": true}), {"government_or_military": true})
	clauses(finding(doc).reasons) == {"TVE-5", "TVE-5c", "TVE-5d"}
}

# ---------------------------------------------------------------- the decision

test_decision_suspends_and_counts_prior_violations_as_of if {
	doc := with_account(case_with({"category": "TVE_CATEGORY_THREAT"}), {"history": [
		{"decision_id": "d-1", "policy": "POLICY_TERRORISM_VIOLENT_EXTREMISM", "clause_id": "TVE-7", "at": "2023-01-01T00:00:00Z"},
		{"decision_id": "d-2", "policy": "POLICY_TERRORISM_VIOLENT_EXTREMISM", "clause_id": "TVE-7", "at": "2024-12-01T00:00:00Z"},
		{"decision_id": "d-3", "policy": "POLICY_ELECTION_INTEGRITY", "clause_id": "EI-6a", "at": "2023-01-01T00:00:00Z", "warning": true},
	]})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	r.enforcement.prior_violations == 1
	r.enforcement.counts_as_violation == true
	r.public_interest.never_eligible == true
}

test_eligible_official_is_still_suspended if {
	doc := with_account(case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group": {"on_terrorism_list": true}}), {
		"verified": true, "followers": 900000,
		"office_role": "OFFICE_ROLE_OFFICEHOLDER", "office_level": "OFFICE_LEVEL_NATIONAL",
	})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	r.effects.suspend_account == true
	r.public_interest.eligible == false
	"PI-5a" in clauses(r.reasons)
	not "PI-3" in clauses(r.reasons)
}

test_every_tve_reason_has_both_languages if {
	docs := [
		case_with({"category": "TVE_CATEGORY_RECRUITMENT", "group": extremist}),
		case_with({"category": "TVE_CATEGORY_INSIGNIA"}),
		case_with({"category": "TVE_CATEGORY_INSIGNIA", "group": {"reformed_or_peace_process": true, "elected_representatives": true}, "educational_or_documentary": true}),
	]
	every doc in docs {
		every r in finding(doc).reasons {
			lib.text(r, "en") != ""
			lib.text(r, "nl") != ""
		}
	}
}
