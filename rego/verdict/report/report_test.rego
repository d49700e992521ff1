package verdict.report_test

import data.verdict.lib
import data.verdict.report
import rego.v1

as_of := "2024-09-02T14:30:00Z"

doc(r) := {"as_of": as_of, "report": object.union({"as_of": as_of}, r)}

assess(r) := a if {
	a := report.result with input as doc(r)
}

# numbers.range(1, 0) counts down, so zero posts is a case of its own.
posts(0) := []

posts(n) := [sprintf("post-%d", [i]) | some i in numbers.range(1, n)] if n > 0

tve(reporter, n) := {"policy": "POLICY_TERRORISM_VIOLENT_EXTREMISM", "reporter": reporter, "post_ids": posts(n)}

ei(reporter) := {"policy": "POLICY_ELECTION_INTEGRITY", "reporter": reporter, "post_ids": posts(1)}

priv(category, reporter, extra) := object.union(
	{"policy": "POLICY_PRIVATE_INFORMATION", "priv_category": category, "reporter": reporter, "post_ids": posts(2), "subject_id": "hmac:subject-1"},
	extra,
)

reasons_of(a) := {[r.clause_id, r.kind] | some r in a.reasons}

met(id) := [id, "REASON_KIND_CRITERION_MET"]

not_met(id) := [id, "REASON_KIND_CRITERION_NOT_MET"]

anonymous := {"role": "REPORTER_ROLE_BYSTANDER"}

bystander := {"reporter_id": "hmac:reporter-9", "has_account": true, "role": "REPORTER_ROLE_BYSTANDER", "country": "NL"}

# ---------------------------------------------------------------- TVE-6

test_tve_anyone_may_report_without_an_account if {
	a := assess(tve(anonymous, 1))
	a.admissible == true
	a.expedited_review == false
	reasons_of(a) == {met("TVE-6")}
}

test_tve_no_reporter_at_all_is_admissible if {
	assess(object.remove(tve({}, 3), ["reporter"])).admissible == true
}

test_tve_five_posts_is_the_limit if {
	assess(tve(bystander, 5)).admissible == true
	a := assess(tve(bystander, 6))
	a.admissible == false
	reasons_of(a) == {not_met("TVE-6")}
}

test_tve_report_must_name_a_post if {
	a := assess(tve(bystander, 0))
	a.admissible == false
	reasons_of(a) == {not_met("TVE-6")}
	a6 := assess(object.remove(tve(bystander, 0), ["post_ids"]))
	a6.admissible == false
}

test_tve_limit_comes_from_config if {
	a := report.result with input as doc(tve(bystander, 6)) with data.verdict.config.report.max_posts_per_report as 10
	a.admissible == true
}

# ---------------------------------------------------------------- EI-5

test_ei_enabled_country_is_admissible if {
	a := assess(ei(bystander))
	a.admissible == true
	a.expedited_review == false
	reasons_of(a) == {met("EI-5")}
}

test_ei_country_is_case_insensitive if {
	assess(ei(object.union(bystander, {"country": "nl"}))).admissible == true
}

test_ei_country_not_enabled_is_not_admissible if {
	a := assess(ei(object.union(bystander, {"country": "BE"})))
	a.admissible == false
	a.expedited_review == false
	reasons_of(a) == {not_met("EI-5")}
}

test_ei_no_country_is_not_admissible if {
	assess(ei(anonymous)).admissible == false
}

test_ei_partner_is_admissible_anywhere_with_expedited_review if {
	a := assess(ei({"reporter_id": "hmac:partner-1", "role": "REPORTER_ROLE_PARTNER", "country": "BE"}))
	a.admissible == true
	a.expedited_review == true
	reasons_of(a) == {met("EI-5"), ["EI-5", "REASON_KIND_PROCESS"]}
}

test_ei_partner_without_posts_is_neither_admissible_nor_expedited if {
	a := assess(object.union(ei({"role": "REPORTER_ROLE_PARTNER", "country": "US"}), {"post_ids": []}))
	a.admissible == false
	a.expedited_review == false
	not ["EI-5", "REASON_KIND_PROCESS"] in reasons_of(a)
}

test_ei_countries_come_from_config if {
	a := report.result with input as doc(ei(object.union(bystander, {"country": "BE"})))
		with data.verdict.config.report.ei_reporting_countries as ["BE"]
	a.admissible == true
}

test_partner_of_another_policy_is_not_expedited if {
	a := assess(tve({"role": "REPORTER_ROLE_PARTNER"}, 1))
	a.admissible == true
	a.expedited_review == false
}

# ---------------------------------------------------------------- PRIV-7, PRIV-8

test_priv_anyone_may_report_clearly_abusive_sharing if {
	a := assess(priv("PRIV_CATEGORY_HOME_ADDRESS", anonymous, {"clearly_abusive": true}))
	a.admissible == true
	reasons_of(a) == {met("PRIV-7"), met("PRIV-8")}
}

test_priv_bystander_cannot_report_non_abusive_sharing if {
	a := assess(priv("PRIV_CATEGORY_CONTACT_INFORMATION", bystander, {}))
	a.admissible == false
	reasons_of(a) == {not_met("PRIV-7"), met("PRIV-8")}
}

test_priv_subject_by_role_may_report if {
	assess(priv("PRIV_CATEGORY_FINANCIAL", {"role": "REPORTER_ROLE_SUBJECT"}, {})).admissible == true
}

test_priv_subject_by_matching_id_may_report if {
	assess(priv("PRIV_CATEGORY_IDENTITY_DOCUMENT", {"reporter_id": "hmac:subject-1", "role": "REPORTER_ROLE_BYSTANDER"}, {})).admissible == true
}

test_priv_other_id_does_not_match if {
	assess(priv("PRIV_CATEGORY_IDENTITY_DOCUMENT", {"reporter_id": "hmac:someone-else", "role": "REPORTER_ROLE_BYSTANDER"}, {})).admissible == false
}

test_priv_empty_ids_never_match if {
	r := object.remove(priv("PRIV_CATEGORY_HOME_ADDRESS", anonymous, {}), ["subject_id"])
	assess(r).admissible == false
	assess(object.union(r, {"subject_id": ""})).admissible == false
}

test_priv_representative_may_report_information if {
	rep := {"role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE", "representative_kind": "REPRESENTATIVE_KIND_LAWYER"}
	assess(priv("PRIV_CATEGORY_HOME_ADDRESS", rep, {})).admissible == true
	assess(priv("PRIV_CATEGORY_HOME_ADDRESS", {"role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"}, {})).admissible == true
}

test_priv_media_needs_a_first_person_report if {
	# Clearly abusive or not, a bystander cannot report private media.
	a := assess(priv("PRIV_CATEGORY_PRIVATE_MEDIA", bystander, {"clearly_abusive": true}))
	a.admissible == false
	reasons_of(a) == {not_met("PRIV-7"), met("PRIV-8")}
	assess(priv("PRIV_CATEGORY_PRIVATE_MEDIA", {"role": "REPORTER_ROLE_SUBJECT"}, {})).admissible == true
	assess(priv("PRIV_CATEGORY_PRIVATE_MEDIA", {"reporter_id": "hmac:subject-1"}, {})).admissible == true
}

test_priv_media_representative_must_be_of_a_named_kind if {
	every kind in ["REPRESENTATIVE_KIND_PARENT_OR_GUARDIAN", "REPRESENTATIVE_KIND_LAWYER", "REPRESENTATIVE_KIND_LEGAL_REPRESENTATIVE"] {
		assess(priv("PRIV_CATEGORY_PRIVATE_MEDIA", {"role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE", "representative_kind": kind}, {})).admissible == true
	}
	assess(priv("PRIV_CATEGORY_PRIVATE_MEDIA", {"role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"}, {})).admissible == false
}

test_priv_at_most_five_posts if {
	a := assess(priv("PRIV_CATEGORY_HOME_ADDRESS", {"role": "REPORTER_ROLE_SUBJECT"}, {"post_ids": posts(6)}))
	a.admissible == false
	reasons_of(a) == {met("PRIV-7"), not_met("PRIV-8")}
	assess(priv("PRIV_CATEGORY_HOME_ADDRESS", {"role": "REPORTER_ROLE_SUBJECT"}, {"post_ids": posts(5)})).admissible == true
}

# A report that does not say which type is admissible only when either type would be.
test_priv_type_not_stated_is_admissible_when_either_type_would_be if {
	r := object.remove(priv("PRIV_CATEGORY_HOME_ADDRESS", {"role": "REPORTER_ROLE_SUBJECT"}, {}), ["priv_category"])
	a := assess(r)
	a.admissible == true
	reasons_of(a) == {met("PRIV-7"), met("PRIV-8")}
}

test_priv_type_not_stated_that_decides_is_named if {
	r := object.remove(priv("PRIV_CATEGORY_HOME_ADDRESS", anonymous, {"clearly_abusive": true}), ["priv_category"])
	a := assess(r)
	a.admissible == false
	some reason in a.reasons
	reason == {"clause_id": "PRIV-7", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["report.priv_category"]}
}

# ---------------------------------------------------------------- other policies

test_other_policies_are_admissible_from_anyone_without_clauses if {
	every policy in ["POLICY_HATEFUL_CONDUCT", "POLICY_COORDINATED_HARMFUL_ACTIVITY", "POLICY_VIOLENCE"] {
		a := assess({"policy": policy, "reporter": anonymous, "post_ids": posts(7)})
		a.admissible == true
		a.expedited_review == false
		a.reasons == []
	}
}

test_other_policies_still_need_a_post if {
	assess({"policy": "POLICY_HATEFUL_CONDUCT", "reporter": anonymous}).admissible == false
}

test_every_report_reason_has_both_languages if {
	docs := [
		tve(anonymous, 9),
		ei({"role": "REPORTER_ROLE_PARTNER"}),
		priv("PRIV_CATEGORY_PRIVATE_MEDIA", bystander, {}),
	]
	every r in docs {
		every reason in assess(r).reasons {
			lib.text(reason, "en") != ""
			lib.text(reason, "nl") != ""
		}
	}
}
