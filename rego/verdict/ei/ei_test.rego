package verdict.ei_test

import data.verdict.decision
import data.verdict.ei
import data.verdict.lib
import rego.v1

as_of := "2024-10-30T08:00:00Z"

author := {"account_id": "acc-ei-author", "followers": 1200}

case_with(kind, facts) := {
	"as_of": as_of,
	"case": {
		"content": {"kind": kind, "post_id": "p-ei", "author_account_id": "acc-ei-author"},
		"violation": {"policy": "POLICY_ELECTION_INTEGRITY", "ei": facts},
		"as_of": as_of,
	},
	"account": author,
}

post(facts) := case_with("CONTENT_KIND_POST", facts)

profile(facts) := case_with("CONTENT_KIND_PROFILE", facts)

with_history(doc, records) := object.union(doc, {"account": object.union(doc.account, {"history": records})})

# A first EI violation in a post, removed and locked: the account's warning.
warned := {"decision_id": "d-1", "policy": "POLICY_ELECTION_INTEGRITY", "clause_id": "EI-6a", "at": "2024-03-01T10:00:00Z", "warning": true}

how_to_vote := {"category": "EI_CATEGORY_HOW_TO_VOTE", "confirmed": true}

clauses(reasons) := {r.clause_id | some r in reasons}

kinds(reasons, id) := {r.kind | some r in reasons; r.clause_id == id}

finding(doc) := f if {
	f := ei.finding with input as doc
}

no_action(f) if {
	f.violation == false
	f.outcome == "OUTCOME_NO_ACTION"
	f.effects == {}
	f.enforcement.counts_as_violation == false
}

locked(f) if {
	f.violation == true
	f.outcome == "OUTCOME_TEMPORARY_LOCK"
	f.effects.remove_content == true
	f.effects.appeal_available == true
	not f.effects.suspend_account
	f.effects.lock == {"duration": "43200s", "ends_at": "2024-10-30T20:00:00Z"}
	f.enforcement.warning == true
	f.enforcement.counts_as_violation == true
}

suspended(f) if {
	f.violation == true
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	f.effects == {"remove_content": true, "suspend_account": true, "appeal_available": true}
	f.enforcement.warning == false
	f.enforcement.counts_as_violation == true
}

# ---------------------------------------------------------------- EI-1 .. EI-3

test_each_category_cites_its_clauses if {
	every category, ids in {
		"EI_CATEGORY_HOW_TO_VOTE": {"EI-1", "EI-1a"},
		"EI_CATEGORY_VOTING_REQUIREMENTS": {"EI-1", "EI-1b"},
		"EI_CATEGORY_ELECTION_DATE": {"EI-1", "EI-1c"},
		"EI_CATEGORY_POLLS_CLOSED": {"EI-2", "EI-2a"},
		"EI_CATEGORY_LAW_ENFORCEMENT": {"EI-2", "EI-2b"},
		"EI_CATEGORY_LINES_OR_EQUIPMENT": {"EI-2", "EI-2c"},
		"EI_CATEGORY_DISSUADING_PROCEDURES": {"EI-2", "EI-2d"},
		"EI_CATEGORY_THREAT_TO_POLLING_PLACE": {"EI-2", "EI-2e"},
		"EI_CATEGORY_FALSE_AFFILIATION": {"EI-3"},
	} {
		f := finding(post({"category": category, "confirmed": true}))
		locked(f)
		clauses(f.reasons) == ids | {"EI-6", "EI-6a"}
		every id in ids {
			kinds(f.reasons, id) == {"REASON_KIND_VIOLATION"}
		}
	}
}

test_unconfirmed_category_is_not_established if {
	f := finding(post({"category": "EI_CATEGORY_POLLS_CLOSED", "confirmed": false}))
	no_action(f)
	clauses(f.reasons) == {"EI-0"}
	kinds(f.reasons, "EI-0") == {"REASON_KIND_NOT_ESTABLISHED"}
}

# Unknown is not false: confirmation not stated is not "not confirmed".
test_confirmation_not_stated_goes_to_human_review if {
	f := finding(post({"category": "EI_CATEGORY_POLLS_CLOSED"}))
	f.violation == false
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	f.effects == {}
	f.enforcement.counts_as_violation == false
	[r] := f.reasons
	r == {"clause_id": "EI-2a", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.ei.confirmed"]}
}

test_unconfirmed_severe_is_still_not_a_violation if {
	no_action(finding(post({"category": "EI_CATEGORY_THREAT_TO_POLLING_PLACE", "severe": true, "confirmed": false})))
}

test_confirmed_without_category_is_not_established if {
	f := finding(post({"confirmed": true}))
	no_action(f)
	clauses(f.reasons) == {"EI-0"}
}

test_no_facts_is_not_established if {
	f := finding(post({}))
	no_action(f)
	clauses(f.reasons) == {"EI-0"}
}

# ---------------------------------------------------------------- EI-4

test_each_non_violation_kind_is_its_own_clause if {
	every kind, id in {
		"EI_NON_VIOLATION_INACCURATE_STATEMENT": "EI-4a",
		"EI_NON_VIOLATION_POLARISING": "EI-4b",
		"EI_NON_VIOLATION_PUBLIC_POLLING": "EI-4c",
		"EI_NON_VIOLATION_PARODY_OR_FAN": "EI-4d",
	} {
		f := finding(post({"non_violation": kind}))
		no_action(f)
		clauses(f.reasons) == {"EI-4", id}
		kinds(f.reasons, id) == {"REASON_KIND_NOT_A_VIOLATION"}
	}
}

test_non_violation_with_unconfirmed_category_cites_ei_4 if {
	f := finding(post({"category": "EI_CATEGORY_ELECTION_DATE", "confirmed": false, "non_violation": "EI_NON_VIOLATION_INACCURATE_STATEMENT"}))
	no_action(f)
	clauses(f.reasons) == {"EI-4", "EI-4a"}
}

test_non_violation_with_a_category_whose_confirmation_is_not_stated_goes_to_review if {
	f := finding(post({"category": "EI_CATEGORY_ELECTION_DATE", "non_violation": "EI_NON_VIOLATION_INACCURATE_STATEMENT"}))
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	clauses(f.reasons) == {"EI-1c"}
}

test_parody_account_still_violates_with_a_confirmed_violation if {
	doc := post({"category": "EI_CATEGORY_FALSE_AFFILIATION", "confirmed": true, "non_violation": "EI_NON_VIOLATION_PARODY_OR_FAN"})
	f := finding(doc)
	locked(f)
	clauses(f.reasons) == {"EI-3", "EI-6", "EI-6a"}

	# EI-4 holds only absent other violations: none of its clauses is cited.
	every kind in ["EI_NON_VIOLATION_INACCURATE_STATEMENT", "EI_NON_VIOLATION_POLARISING", "EI_NON_VIOLATION_PUBLIC_POLLING", "EI_NON_VIOLATION_PARODY_OR_FAN"] {
		g := finding(post({"category": "EI_CATEGORY_HOW_TO_VOTE", "confirmed": true, "non_violation": kind}))
		every r in g.reasons {
			not startswith(r.clause_id, "EI-4")
		}
	}
}

# ---------------------------------------------------------------- EI-6

test_first_violation_in_a_post_locks_and_warns if {
	f := finding(post(how_to_vote))
	locked(f)
	f.enforcement.clause_id == "EI-6a"
	f.enforcement.prior_violations == 0
	f.enforcement.repeat_after_warning == false
	kinds(f.reasons, "EI-6a") == {"REASON_KIND_CONSEQUENCE"}
}

test_first_violation_in_the_profile_locks_and_warns if {
	f := finding(profile(how_to_vote))
	locked(f)
	f.enforcement.clause_id == "EI-6b"
	clauses(f.reasons) == {"EI-1", "EI-1a", "EI-6", "EI-6b"}
}

test_lock_hours_come_from_config if {
	f := ei.finding with input as post(how_to_vote) with data.verdict.config.ei.lock_hours as 48
	f.effects.lock == {"duration": "172800s", "ends_at": "2024-11-01T08:00:00Z"}
}

test_profile_again_after_warning_is_suspended_under_ei_6b if {
	f := finding(with_history(profile(how_to_vote), [warned]))
	suspended(f)
	f.enforcement.clause_id == "EI-6b"
	f.enforcement.repeat_after_warning == true
	f.enforcement.prior_violations == 1
	clauses(f.reasons) == {"EI-1", "EI-1a", "EI-6", "EI-6b"}
}

test_post_again_after_warning_is_suspended_under_ei_6c if {
	f := finding(with_history(post(how_to_vote), [warned]))
	suspended(f)
	f.enforcement.clause_id == "EI-6c"
	f.enforcement.repeat_after_warning == true
	clauses(f.reasons) == {"EI-1", "EI-1a", "EI-6", "EI-6c"}
}

test_prior_violation_without_warning_is_repeated if {
	record := object.remove(warned, ["warning"])
	f := finding(with_history(profile(how_to_vote), [record]))
	suspended(f)
	f.enforcement.clause_id == "EI-6c"
	f.enforcement.repeat_after_warning == false
}

test_severe_first_violation_is_suspended if {
	f := finding(post(object.union(how_to_vote, {"severe": true})))
	suspended(f)
	f.enforcement.clause_id == "EI-6c"
	f.enforcement.prior_violations == 0
	kinds(f.reasons, "EI-6c") == {"REASON_KIND_CONSEQUENCE"}
}

test_severe_profile_violation_is_suspended_under_ei_6c if {
	f := finding(profile(object.union(how_to_vote, {"severe": true})))
	suspended(f)
	clauses(f.reasons) == {"EI-1", "EI-1a", "EI-6", "EI-6c"}
}

test_history_after_as_of_does_not_count if {
	later := object.union(warned, {"at": "2024-11-05T10:00:00Z"})
	f := finding(with_history(post(how_to_vote), [later]))
	locked(f)
	f.enforcement.prior_violations == 0
}

test_history_exactly_at_as_of_counts if {
	same := object.union(warned, {"at": as_of})
	suspended(finding(with_history(post(how_to_vote), [same])))
}

test_other_policies_history_does_not_count if {
	other := object.union(warned, {"policy": "POLICY_PRIVATE_INFORMATION", "clause_id": "PRIV-9"})
	f := finding(with_history(post(how_to_vote), [other]))
	locked(f)
	f.enforcement.clause_id == "EI-6a"
}

test_content_kind_unspecified_is_treated_as_a_post if {
	f := finding(case_with("CONTENT_KIND_UNSPECIFIED", how_to_vote))
	locked(f)
	f.enforcement.clause_id == "EI-6a"
}

# ---------------------------------------------------------------- the decision

eligible := {
	"account_id": "acc-ei-author",
	"verified": true,
	"followers": 150000,
	"office_role": "OFFICE_ROLE_CANDIDATE",
	"office_level": "OFFICE_LEVEL_STATE",
}

test_eligible_candidate_is_routed_with_removal_recommended if {
	doc := object.union(post(how_to_vote), {"account": eligible})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_PUBLIC_INTEREST_REVIEW"
	r.public_interest.likelihood == "LIKELIHOOD_BAND_VERY_SMALL"
	r.public_interest.recommendation == "RECOMMENDATION_REMOVAL"
	r.enforcement.counts_as_violation == false
	not r.effects.lock
	"EI-1a" in clauses(r.reasons)
	not "EI-6a" in clauses(r.reasons)
	"PI-5e" in clauses(r.reasons)
}

test_decision_for_an_ordinary_account_locks if {
	r := decision.result with input as post(how_to_vote)
	r.outcome == "OUTCOME_TEMPORARY_LOCK"
	r.effects.lock.duration == "43200s"
	r.enforcement.warning == true
}

test_no_violation_is_not_evaluated_for_public_interest if {
	doc := object.union(post({"non_violation": "EI_NON_VIOLATION_POLARISING"}), {"account": eligible})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_NO_ACTION"
	clauses(r.reasons) == {"EI-4", "EI-4b"}
}

test_every_ei_reason_has_both_languages if {
	docs := [
		post(how_to_vote),
		with_history(profile(how_to_vote), [warned]),
		post({"non_violation": "EI_NON_VIOLATION_PUBLIC_POLLING"}),
		post({}),
	]
	every doc in docs {
		every r in finding(doc).reasons {
			lib.text(r, "en") != ""
			lib.text(r, "nl") != ""
		}
	}
}
