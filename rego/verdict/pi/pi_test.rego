package verdict.pi_test

import data.verdict.decision
import data.verdict.lib
import data.verdict.pi
import rego.v1

# A verified national candidate with 250,000 followers, whose post was
# confirmed to violate the hateful-conduct rule.
candidate := {
	"account_id": "acc-candidate",
	"verified": true,
	"followers": 250000,
	"office_role": "OFFICE_ROLE_CANDIDATE",
	"office_level": "OFFICE_LEVEL_NATIONAL",
}

case_for(policy, facts) := {
	"as_of": "2024-05-01T12:00:00Z",
	"case": {
		"content": {"kind": "CONTENT_KIND_POST", "post_id": "p1", "author_account_id": "acc-candidate"},
		"violation": {"policy": policy, "rule": {"confirmed": true}},
		"as_of": "2024-05-01T12:00:00Z",
		"public_interest": facts,
	},
	"account": candidate,
}

hateful := case_for("POLICY_HATEFUL_CONDUCT", {})

with_account(doc, patch) := object.union(doc, {"account": object.union(doc.account, patch)})

# object.union merges deeply; this replaces a key's value outright.
replace(doc, key, value) := object.union(object.remove(doc, [key]), {key: value})

clauses(reasons) := {r.clause_id | some r in reasons}

met(assessment, id) if {
	some c in assessment.criteria
	c.clause_id == id
	c.met
}

# ---------------------------------------------------------------- PI-1

test_candidate_with_250k_followers_is_eligible if {
	pi.eligible with input as hateful
	every id in ["PI-1.1", "PI-1.2", "PI-1.3", "PI-1.4"] {
		met(pi.assessment, id) with input as hateful
	}
	"PI-1.4b" in clauses(pi.reasons) with input as hateful
}

test_exactly_100000_followers_is_not_eligible if {
	doc := with_account(hateful, {"followers": 100000})
	not pi.eligible with input as doc
	not met(pi.assessment, "PI-1.3") with input as doc
	met(pi.assessment, "PI-1.2") with input as doc
}

test_100001_followers_is_eligible if pi.eligible with input as with_account(hateful, {"followers": 100001})

test_unverified_account_is_not_eligible if {
	doc := with_account(hateful, {"verified": false, "followers": 2000000})
	not pi.eligible with input as doc
	not met(pi.assessment, "PI-1.2") with input as doc
}

test_officeholder_meets_pi_1_4a if {
	doc := with_account(hateful, {"office_role": "OFFICE_ROLE_OFFICEHOLDER", "office_level": "OFFICE_LEVEL_LOCAL"})
	pi.eligible with input as doc
	"PI-1.4a" in clauses(pi.reasons) with input as doc
}

test_nominee_meets_pi_1_4b if pi.eligible with input as with_account(hateful, {"office_role": "OFFICE_ROLE_NOMINEE", "office_level": "OFFICE_LEVEL_SUPRANATIONAL"})

test_no_office_is_not_eligible if {
	doc := with_account(hateful, {"office_role": "OFFICE_ROLE_NONE"})
	not pi.eligible with input as doc
	not met(pi.assessment, "PI-1.4") with input as doc
}

test_office_without_level_is_not_a_member_of_a_body if {
	doc := replace(hateful, "account", object.remove(candidate, ["office_level"]))
	not pi.eligible with input as doc
}

test_unconfirmed_violation_is_not_evaluated if {
	doc := replace(hateful, "case", replace(hateful.case, "violation", {"policy": "POLICY_HATEFUL_CONDUCT", "rule": {"confirmed": false}}))
	not pi.eligible with input as doc
	not met(pi.assessment, "PI-1.1") with input as doc
	decision.result.outcome == "OUTCOME_NO_ACTION" with input as doc
}

# Unknown is not false: a confirmation that is not stated goes to a reviewer.
test_confirmation_not_stated_goes_to_human_review if {
	doc := replace(hateful, "case", replace(hateful.case, "violation", {"policy": "POLICY_HATEFUL_CONDUCT", "rule": {}}))
	not pi.eligible with input as doc
	r := decision.result with input as doc
	r.outcome == "OUTCOME_HUMAN_REVIEW"
	some reason in r.reasons
	reason == {"clause_id": "PI-1.1", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.rule.confirmed"]}
}

# ---------------------------------------------------------------- PI-5, PI-6

test_terrorism_is_never_eligible if {
	doc := replace(hateful, "case", replace(hateful.case, "violation", {
		"policy": "POLICY_TERRORISM_VIOLENT_EXTREMISM",
		"tve": {"category": "TVE_CATEGORY_PROMOTION"},
	}))
	not pi.eligible with input as doc
	pi.assessment.never_eligible with input as doc
	pi.assessment.likelihood == "LIKELIHOOD_BAND_NEVER" with input as doc
	"PI-5a" in clauses(pi.reasons) with input as doc
}

test_never_list_is_never_eligible if {
	every policy in ["POLICY_CHILD_SEXUAL_EXPLOITATION", "POLICY_NON_CONSENSUAL_NUDITY", "POLICY_SEXUAL_VIOLENCE", "POLICY_COPYRIGHT"] {
		not pi.eligible with input as case_for(policy, {})
		"PI-6" in clauses(decision.result.reasons) with input as case_for(policy, {})
		decision.result.outcome == "OUTCOME_REQUIRE_REMOVAL" with input as case_for(policy, {})
	}
}

test_bands_by_rule if {
	every policy, band in {
		"POLICY_VIOLENCE": "LIKELIHOOD_BAND_UNLIKELY",
		"POLICY_ILLEGAL_GOODS": "LIKELIHOOD_BAND_RARE",
		"POLICY_SUICIDE_SELF_HARM": "LIKELIHOOD_BAND_UNLIKELY",
		"POLICY_ABUSE_HARASSMENT": "LIKELIHOOD_BAND_MORE_LIKELY",
		"POLICY_SENSITIVE_MEDIA": "LIKELIHOOD_BAND_MORE_LIKELY",
	} {
		pi.assessment.likelihood == band with input as case_for(policy, {})
	}
}

# ---------------------------------------------------------------- PI-4 and recommendation

test_political_statement_recommends_notice if {
	doc := case_for("POLICY_HATEFUL_CONDUCT", {"political_statement": true, "directed_at_officials": true})
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as doc
	{"PI-4a1", "PI-5g"} == {f.clause_id | some f in pi.assessment.factors} with input as doc
	"PI-2" in clauses(pi.reasons) with input as doc
}

test_offline_harm_recommends_removal if {
	doc := case_for("POLICY_HATEFUL_CONDUCT", {"political_statement": true, "evidence_of_offline_harm": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as doc
	some f in pi.assessment.factors with input as doc
	f.direction == "FACTOR_DIRECTION_TOWARD_REMOVAL"
}

test_explicit_call_to_harm_recommends_removal if {
	doc := case_for("POLICY_ABUSE_HARASSMENT", {"heated_policy_debate": true, "explicit_call_to_harm": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as doc
	"PI-4b1" in {f.clause_id | some f in pi.assessment.factors} with input as doc
}

test_fundamental_rights_recommend_removal if {
	doc := case_for("POLICY_SENSITIVE_MEDIA", {"archival_value": true, "impedes_fundamental_rights": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as doc
}

test_abuse_of_private_individual_recommends_removal if {
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as case_for("POLICY_ABUSE_HARASSMENT", {"aimed_at_private_individual": true})
}

test_more_likely_without_factors_recommends_removal if {
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as hateful
}

test_illegal_goods_notice_only_for_archival_value if {
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_ILLEGAL_GOODS", {"archival_value": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as case_for("POLICY_ILLEGAL_GOODS", {"directed_at_officials": true})
}

test_violence_notice_only_with_weak_link_or_sole_source if {
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_VIOLENCE", {"weak_link_to_violence": true})
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_VIOLENCE", {"platform_only_source": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as case_for("POLICY_VIOLENCE", {"directed_at_officials": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as case_for("POLICY_VIOLENCE", {"weak_link_to_violence": true, "evidence_of_offline_harm": true})
}

test_suicide_hyperbole_at_public_figures_may_stay if {
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_SUICIDE_SELF_HARM", {"hyperbolic_political_speech": true})
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as case_for("POLICY_SUICIDE_SELF_HARM", {"hyperbolic_political_speech": true, "aimed_at_private_individual": true})
}

test_sensitive_media_notice_with_public_interest_value if {
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_SENSITIVE_MEDIA", {"geopolitical_clarification": true})
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as case_for("POLICY_SENSITIVE_MEDIA", {"relevant_to_public_function": true})
}

# Coordinated harmful activity has no line in PI-5: the PI-4 factors alone decide.
test_rule_without_a_band_weighs_pi_4_factors_alone if {
	cha := {"policy": "POLICY_COORDINATED_HARMFUL_ACTIVITY", "cha": {
		"category": "CHA_CATEGORY_TECHNICAL_COORDINATION",
		"sufficient_technical_evidence": true,
	}}
	doc := replace(hateful, "case", replace(hateful.case, "violation", cha))
	pi.assessment.likelihood == "LIKELIHOOD_BAND_UNSPECIFIED" with input as doc
	pi.recommendation == "RECOMMENDATION_REMOVAL" with input as doc
	with_factor := replace(doc, "case", object.union(doc.case, {"public_interest": {"archival_value": true}}))
	pi.recommendation == "RECOMMENDATION_NOTICE" with input as with_factor
}

test_not_eligible_has_no_recommendation_or_route if {
	doc := with_account(hateful, {"followers": 10})
	pi.recommendation == "RECOMMENDATION_UNSPECIFIED" with input as doc
	pi.assessment.route == [] with input as doc
}

# ---------------------------------------------------------------- PI-3, PI-7, PI-8 and the decision

test_eligible_post_is_routed_not_decided if {
	r := decision.result with input as hateful
	r.outcome == "OUTCOME_PUBLIC_INTEREST_REVIEW"
	[s.clause_id | some s in r.public_interest.route] == ["PI-3.1", "PI-3.2", "PI-3.3", "PI-3.4"]
	{"PI-0", "PI-3", "PI-8", "PI-1.3"} - clauses(r.reasons) == set()
	not r.effects.remove_content
	r.enforcement.counts_as_violation == false
	startswith(r.summary_en, "Eligible for the public-interest exception, route to Trust & Safety review")
}

test_ineligible_violation_is_removed_with_pi_0 if {
	r := decision.result with input as with_account(hateful, {"followers": 100000})
	r.outcome == "OUTCOME_REQUIRE_REMOVAL"
	r.effects.remove_content
	"PI-0" in clauses(r.reasons)
}

test_local_law_withholds_eligible_content if {
	doc := case_for("POLICY_HATEFUL_CONDUCT", {"local_law_withhold_countries": ["FR", "DE"]})
	r := decision.result with input as doc
	r.effects.withheld_in_countries == ["DE", "FR"]
	"PI-7" in clauses(r.reasons)
	r.public_interest.notice_effects.withheld_in_countries == ["DE", "FR"]
}

test_local_law_is_moot_when_content_is_removed if {
	doc := with_account(case_for("POLICY_HATEFUL_CONDUCT", {"local_law_withhold_countries": ["FR"]}), {"followers": 1})
	r := decision.result with input as doc
	not r.effects.withheld_in_countries
	not "PI-7" in clauses(r.reasons)
}

test_every_reason_has_text_in_both_languages if {
	r := decision.result with input as case_for("POLICY_HATEFUL_CONDUCT", {"political_statement": true})
	every reason in r.reasons {
		lib.text(reason, "en") != ""
		lib.text(reason, "nl") != ""
	}
}
