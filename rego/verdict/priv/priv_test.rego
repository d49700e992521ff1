package verdict.priv_test

import data.verdict.decision
import data.verdict.lib
import data.verdict.priv
import rego.v1

as_of := "2024-05-01T12:00:00Z"

account := {"account_id": "acc-priv"}

# A case whose facts are stated as given, and in the Netherlands (where
# "the same day" is the calendar day in Europe/Amsterdam).
stated(facts) := {
	"as_of": as_of,
	"case": {
		"content": {"kind": "CONTENT_KIND_POST", "post_id": "p1", "author_account_id": "acc-priv"},
		"violation": {"policy": "POLICY_PRIVATE_INFORMATION", "priv": facts},
		"as_of": as_of,
		"country": "NL",
	},
	"account": account,
}

# The same with the decisive facts stated "no" unless given: no consent, not
# abusive, a screenshot without private information.
doc(facts) := stated(object.union(
	{"subject_consented": false, "abusive_intent": false, "contains_private_information": false},
	facts,
))

# object.union merges deeply.
with_case(d, patch) := object.union(d, {"case": patch})

with_account(d, patch) := object.union(d, {"account": patch})

with_reporter(d, reporter) := with_case(d, {"reporter": reporter})

posted(d, at) := with_case(d, {"content": {"posted_at": at}})

# The finding for a document.
f(d) := finding if {
	finding := priv.finding with input as d
}

clauses(finding) := {r.clause_id | some r in finding.reasons}

cites(finding, id, kind) if {
	some r in finding.reasons
	r.clause_id == id
	r.kind == kind
}

violation_of(finding, ids) if {
	finding.violation
	every id in ids {
		cites(finding, id, "REASON_KIND_VIOLATION")
	}
}

no_action(finding) if {
	not finding.violation
	finding.outcome == "OUTCOME_NO_ACTION"
	finding.effects == {}
	not finding.enforcement.counts_as_violation
}

human_review(finding) if {
	not finding.violation
	finding.outcome == "OUTCOME_HUMAN_REVIEW"
	finding.effects == {}
}

# First violation: PRIV-9a removal and a 12-hour lock, the account's warning.
first_violation(finding) if {
	finding.outcome == "OUTCOME_TEMPORARY_LOCK"
	finding.effects.remove_content
	finding.effects.lock == {"duration": "43200s", "ends_at": "2024-05-02T00:00:00Z"}
	finding.effects.appeal_available
	finding.enforcement.warning
	finding.enforcement.counts_as_violation
	finding.enforcement.clause_id == "PRIV-9a"
	cites(finding, "PRIV-9a", "REASON_KIND_CONSEQUENCE")
	cites(finding, "PRIV-10", "REASON_KIND_PROCESS")
}

home := {"category": "PRIV_CATEGORY_HOME_ADDRESS", "subject_id": "hmac:subject"}

live := {"category": "PRIV_CATEGORY_LIVE_LOCATION", "subject_id": "hmac:subject"}

location_at(category, at) := {"category": category, "subject_id": "hmac:subject", "location_time": at}

media := {"category": "PRIV_CATEGORY_PRIVATE_MEDIA", "subject_id": "hmac:subject"}

pow := {"category": "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"}

subject_report := {"reporter_id": "hmac:someone", "role": "REPORTER_ROLE_SUBJECT"}

state_media := {"state_affiliated_media": true}

# ---------------------------------------------------------------- PRIV-0, PRIV-3 information

# Unknown is not false: consent not stated is not "no consent".
test_consent_not_stated_goes_to_review if {
	finding := f(stated({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "abusive_intent": false}))
	human_review(finding)
	some r in finding.reasons
	r == {"clause_id": "PRIV-0", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.subject_consented"]}
}

test_consent_not_stated_is_settled_by_the_owners_report if {
	d := with_reporter(stated({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "abusive_intent": false}), subject_report)
	violation_of(f(d), ["PRIV-0", "PRIV-3d"])
	lawyer := {"reporter_id": "hmac:lawyer", "role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"}
	violation_of(f(with_reporter(stated({"category": "PRIV_CATEGORY_FINANCIAL", "abusive_intent": false}), lawyer)), ["PRIV-3e"])
}

test_consent_not_stated_is_settled_by_abusive_sharing if {
	violation_of(f(stated({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "abusive_intent": true})), ["PRIV-0", "PRIV-3d"])
}

test_abusive_intent_not_stated_where_an_exception_turns_on_it if {
	facts := {"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "subject_consented": false, "publicly_available_elsewhere": true}
	finding := f(stated(facts))
	human_review(finding)
	some r in finding.reasons
	r == {"clause_id": "PRIV-5c", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.abusive_intent"]}
	human_review(f(stated({"category": "PRIV_CATEGORY_IDENTITY_DOCUMENT", "subject_consented": false, "regional_id_exception": true})))
	human_review(f(stated({"category": "PRIV_CATEGORY_HOME_ADDRESS", "subject_consented": false, "crisis_help": true})))
}

test_public_home_address_with_intent_not_stated_goes_to_review if {
	finding := f(stated({"category": "PRIV_CATEGORY_HOME_ADDRESS", "subject_consented": false, "publicly_available_elsewhere": true}))
	human_review(finding)
	some r in finding.reasons
	r == {"clause_id": "PRIV-1c2", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.abusive_intent"]}
}

test_a_location_at_as_of_is_live_wherever_the_person_is if {
	d := object.union(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", as_of)), {"case": {"country": ""}})
	violation_of(f(d), ["PRIV-3b"])
}

test_screenshot_content_not_stated_goes_to_review if {
	finding := f(stated({"category": "PRIV_CATEGORY_MESSAGE_SCREENSHOT"}))
	human_review(finding)
	cites(finding, "PRIV-5d7", "REASON_KIND_NOT_STATED")
}

test_home_address_is_a_first_violation if {
	finding := f(doc(home))
	violation_of(finding, ["PRIV-0", "PRIV-3a"])
	cites(finding, "PRIV-1a", "REASON_KIND_FACTOR")
	first_violation(finding)
	not "PRIV-3b" in clauses(finding)
}

test_consent_is_not_a_violation if {
	finding := f(doc(object.union(home, {"subject_consented": true})))
	no_action(finding)
	cites(finding, "PRIV-0", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-1b", "REASON_KIND_FACTOR")
	not "PRIV-3a" in clauses(finding)
}

test_own_information_is_not_a_violation if {
	finding := f(doc(object.union(live, {"shared_by_subject": true})))
	no_action(finding)
	cites(finding, "PRIV-5a", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-1b", "REASON_KIND_FACTOR")
}

test_information_categories if {
	every category, id in {
		"PRIV_CATEGORY_IDENTITY_DOCUMENT": "PRIV-3c",
		"PRIV_CATEGORY_CONTACT_INFORMATION": "PRIV-3d",
		"PRIV_CATEGORY_FINANCIAL": "PRIV-3e",
		"PRIV_CATEGORY_OTHER_PRIVATE": "PRIV-3f",
	} {
		finding := f(doc({"category": category}))
		violation_of(finding, ["PRIV-0", id])
		first_violation(finding)
	}
}

test_phone_numbers_carry_the_most_risk if {
	cites(f(doc({"category": "PRIV_CATEGORY_CONTACT_INFORMATION"})), "PRIV-1a", "REASON_KIND_FACTOR")
	not "PRIV-1a" in clauses(f(doc({"category": "PRIV_CATEGORY_FINANCIAL"})))
}

test_lock_hours_come_from_config if {
	finding := f(doc(home)) with data.verdict.config.priv.lock_hours as 24
	finding.effects.lock == {"duration": "86400s", "ends_at": "2024-05-02T12:00:00Z"}
}

# ---------------------------------------------------------------- PRIV-1a live, PRIV-3b

test_live_location_without_time_is_live if {
	finding := f(doc(live))
	violation_of(finding, ["PRIV-3b"])
	cites(finding, "PRIV-1d3", "REASON_KIND_FACTOR")
	first_violation(finding)
}

# "Op dezelfde dag": the calendar day where the person is (Amsterdam: UTC+2 in May).
test_same_local_day_is_live if {
	every at in ["2024-04-30T22:00:00Z", "2024-05-01T11:59:59Z", "2024-05-01T12:00:00Z"] {
		violation_of(f(doc(location_at("PRIV_CATEGORY_HOME_ADDRESS", at))), ["PRIV-3b"])
	}
}

test_previous_local_day_is_not_live if {
	finding := f(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-04-30T21:59:59Z")))
	violation_of(finding, ["PRIV-3a"])
	not "PRIV-3b" in clauses(finding)
	not "PRIV-1d3" in clauses(finding)
}

test_same_day_is_local_not_utc if {
	# 45 minutes earlier and on the previous UTC day, but the same day in Amsterdam.
	d := object.union(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-04-30T23:15:00Z")), {"as_of": "2024-05-01T00:00:00Z"})
	violation_of(f(d), ["PRIV-3b"])

	# The same UTC day, but the day before in New York, where the case says the person is.
	d2 := with_case(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-05-01T03:00:00Z")), {"time_zone": "America/New_York"})
	violation_of(f(d2), ["PRIV-3a"])
	not "PRIV-3b" in clauses(f(d2))
}

# Several zones that disagree, or no zone at all: whether it was the same day is not known.
test_zones_that_disagree_leave_live_unknown if {
	d := with_case(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-05-01T05:30:00Z")), {"country": "US"})
	finding := f(d)
	violation_of(finding, ["PRIV-3a"])
	cites(finding, "PRIV-1a", "REASON_KIND_NOT_STATED")
	some r in finding.reasons
	r.clause_id == "PRIV-1a"
	r.missing_facts == ["case.time_zone"]
}

test_no_zone_known_leaves_live_unknown_within_a_day if {
	d := object.union(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-05-01T05:30:00Z")), {"case": {"country": ""}})
	cites(f(d), "PRIV-1a", "REASON_KIND_NOT_STATED")
	far := object.union(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-04-29T12:00:00Z")), {"case": {"country": ""}})
	violation_of(f(far), ["PRIV-3a"])
	not "PRIV-1a" in {r.clause_id | some r in f(far).reasons; r.kind == "REASON_KIND_NOT_STATED"}
}

test_an_exception_that_turns_on_the_day_goes_to_review if {
	facts := object.union(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-05-01T05:30:00Z"), {"public_engagement_event": true})
	finding := f(with_case(doc(facts), {"country": "US"}))
	human_review(finding)
	some r in finding.reasons
	r == {"clause_id": "PRIV-1d3", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.time_zone"]}
}

test_future_location_is_live if {
	violation_of(f(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-05-03T09:00:00Z"))), ["PRIV-3b"])
}

test_live_location_publicly_available_is_still_a_violation if {
	finding := f(doc(object.union(live, {"publicly_available_elsewhere": true})))
	violation_of(finding, ["PRIV-3b"])
	not "PRIV-5c" in clauses(finding)
	not "PRIV-1c1" in clauses(finding)
}

# ---------------------------------------------------------------- PRIV-1d

test_live_location_in_a_crisis_is_an_exception if {
	finding := f(doc(object.union(live, {"crisis_help": true})))
	no_action(finding)
	cites(finding, "PRIV-1d3", "REASON_KIND_EXCEPTION")
	cites(finding, "PRIV-1d2", "REASON_KIND_EXCEPTION")
}

test_live_location_for_public_engagement_is_an_exception if {
	finding := f(doc(object.union(live, {"public_engagement_event": true})))
	no_action(finding)
	cites(finding, "PRIV-1d3", "REASON_KIND_EXCEPTION")
	not "PRIV-1d2" in clauses(finding)
}

test_public_engagement_does_not_excuse_other_information if {
	violation_of(f(doc({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "public_engagement_event": true})), ["PRIV-3d"])
}

test_abusive_live_location_is_not_excused if {
	finding := f(doc(object.union(live, {"public_engagement_event": true, "crisis_help": true, "abusive_intent": true})))
	violation_of(finding, ["PRIV-3b"])
	cites(finding, "PRIV-1d1", "REASON_KIND_FACTOR")
	cites(finding, "PRIV-1d2", "REASON_KIND_FACTOR")
	not cites(finding, "PRIV-1d3", "REASON_KIND_EXCEPTION")
}

test_crisis_help_is_an_exception if {
	finding := f(doc(object.union(home, {"crisis_help": true})))
	no_action(finding)
	cites(finding, "PRIV-1d2", "REASON_KIND_EXCEPTION")
}

test_abusive_intent_overrides_crisis_help if {
	finding := f(doc({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "crisis_help": true, "abusive_intent": true}))
	violation_of(finding, ["PRIV-3d"])
	cites(finding, "PRIV-1d1", "REASON_KIND_FACTOR")
}

# ---------------------------------------------------------------- PRIV-1c, PRIV-5c

test_public_information_shared_without_abuse if {
	finding := f(doc({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "publicly_available_elsewhere": true}))
	no_action(finding)
	cites(finding, "PRIV-5c", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-1c1", "REASON_KIND_FACTOR")
}

test_public_information_shared_abusively if {
	finding := f(doc({"category": "PRIV_CATEGORY_CONTACT_INFORMATION", "publicly_available_elsewhere": true, "abusive_intent": true}))
	violation_of(finding, ["PRIV-3d"])
	cites(finding, "PRIV-1c1", "REASON_KIND_FACTOR")
	cites(finding, "PRIV-1d1", "REASON_KIND_FACTOR")
	not "PRIV-5c" in clauses(finding)
}

test_public_home_address_goes_to_a_human if {
	finding := f(doc(object.union(home, {"publicly_available_elsewhere": true})))
	human_review(finding)
	cites(finding, "PRIV-1c1", "REASON_KIND_FACTOR")
	cites(finding, "PRIV-1c2", "REASON_KIND_FACTOR")
	not "PRIV-5c" in clauses(finding)
	not finding.enforcement.counts_as_violation
}

test_public_home_address_shared_abusively_is_a_violation if {
	finding := f(doc(object.union(home, {"publicly_available_elsewhere": true, "abusive_intent": true})))
	violation_of(finding, ["PRIV-3a"])
	cites(finding, "PRIV-1c2", "REASON_KIND_FACTOR")
}

test_public_home_address_with_consent if {
	finding := f(doc(object.union(home, {"publicly_available_elsewhere": true, "subject_consented": true})))
	no_action(finding)
	not "PRIV-1c1" in clauses(finding)
}

# A home-address case with a location_time is a place the person was at.
test_past_physical_location_public_without_abuse if {
	finding := f(doc(object.union(location_at("PRIV_CATEGORY_HOME_ADDRESS", "2024-04-28T10:00:00Z"), {"publicly_available_elsewhere": true})))
	no_action(finding)
	cites(finding, "PRIV-5c", "REASON_KIND_NOT_A_VIOLATION")
	not "PRIV-5b" in clauses(finding)
}

# ---------------------------------------------------------------- PRIV-5b

week_ago := "2024-04-24T12:00:00Z"

test_public_location_after_a_reasonable_time if {
	finding := f(doc(object.union(location_at("PRIV_CATEGORY_LIVE_LOCATION", week_ago), {"publicly_available_elsewhere": true, "abusive_intent": true})))
	no_action(finding)
	cites(finding, "PRIV-5b", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-1d1", "REASON_KIND_FACTOR")
	not "PRIV-5c" in clauses(finding)
}

test_one_second_before_the_reasonable_time if {
	finding := f(doc(object.union(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-04-24T12:00:01Z"), {"publicly_available_elsewhere": true, "abusive_intent": true})))
	violation_of(finding, ["PRIV-3a"])
	not "PRIV-5b" in clauses(finding)
}

test_reasonable_time_needs_public_availability if {
	finding := f(doc(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-01-01T00:00:00Z")))
	violation_of(finding, ["PRIV-3a"])
}

test_reasonable_time_and_not_abusive_cites_both if {
	finding := f(doc(object.union(location_at("PRIV_CATEGORY_HOME_ADDRESS", week_ago), {"publicly_available_elsewhere": true})))
	no_action(finding)
	cites(finding, "PRIV-5b", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-5c", "REASON_KIND_NOT_A_VIOLATION")
}

test_reasonable_days_come_from_config if {
	d := doc(object.union(location_at("PRIV_CATEGORY_LIVE_LOCATION", "2024-04-29T12:00:00Z"), {"publicly_available_elsewhere": true, "abusive_intent": true}))
	f(d).violation
	finding := f(d) with data.verdict.config.priv.past_location_reasonable_days as 2
	cites(finding, "PRIV-5b", "REASON_KIND_NOT_A_VIOLATION")
}

# ---------------------------------------------------------------- PRIV-3c regional exception

test_regional_id_exception if {
	finding := f(doc({"category": "PRIV_CATEGORY_IDENTITY_DOCUMENT", "regional_id_exception": true}))
	no_action(finding)
	cites(finding, "PRIV-3c1", "REASON_KIND_EXCEPTION")
}

test_regional_id_exception_not_for_abuse if {
	finding := f(doc({"category": "PRIV_CATEGORY_IDENTITY_DOCUMENT", "regional_id_exception": true, "abusive_intent": true}))
	violation_of(finding, ["PRIV-3c"])
	not "PRIV-3c1" in clauses(finding)
}

test_regional_exception_only_for_id_numbers if {
	violation_of(f(doc({"category": "PRIV_CATEGORY_FINANCIAL", "regional_id_exception": true})), ["PRIV-3e"])
}

# ---------------------------------------------------------------- PRIV-4

test_conduct_violations if {
	every category, id in {
		"PRIV_CATEGORY_THREAT_TO_EXPOSE": "PRIV-4a",
		"PRIV_CATEGORY_HACKING_ACCESS": "PRIV-4b",
		"PRIV_CATEGORY_BOUNTY": "PRIV-4c",
		"PRIV_CATEGORY_EXTORTION": "PRIV-4d",
	} {
		finding := f(doc({"category": category}))
		violation_of(finding, ["PRIV-0", id])
		first_violation(finding)
	}
}

test_conduct_has_no_exceptions if {
	finding := f(doc({"category": "PRIV_CATEGORY_EXTORTION", "subject_consented": true, "shared_by_subject": true, "publicly_available_elsewhere": true, "abusive_intent": true}))
	violation_of(finding, ["PRIV-4d"])
	cites(finding, "PRIV-1d1", "REASON_KIND_FACTOR")
	not "PRIV-5a" in clauses(finding)
}

# The short path (plain_violation) cites what the general path would.
test_short_path_agrees_with_the_general_path if {
	every d in [
		doc({"category": "PRIV_CATEGORY_EXTORTION"}),
		doc({"category": "PRIV_CATEGORY_BOUNTY", "subject_consented": true}),
		doc({"category": "PRIV_CATEGORY_FINANCIAL"}),
		doc(home),
	] {
		short := priv.plain_violation with input as d
		general := priv.violations with input as d
		{r | some r in short} == general
	}
}

# ---------------------------------------------------------------- PRIV-5d

test_not_private_categories if {
	every category, id in {
		"PRIV_CATEGORY_NAME": "PRIV-5d1",
		"PRIV_CATEGORY_BIRTH_DATE_OR_AGE": "PRIV-5d2",
		"PRIV_CATEGORY_SCHOOL_OR_WORK_ADDRESS": "PRIV-5d3",
		"PRIV_CATEGORY_APPEARANCE": "PRIV-5d5",
		"PRIV_CATEGORY_GOSSIP_OR_ALLEGATIONS": "PRIV-5d6",
		"PRIV_CATEGORY_MESSAGE_SCREENSHOT": "PRIV-5d7",
	} {
		finding := f(doc({"category": category, "abusive_intent": true}))
		no_action(finding)
		cites(finding, "PRIV-5d", "REASON_KIND_NOT_A_VIOLATION")
		cites(finding, id, "REASON_KIND_NOT_A_VIOLATION")
	}
}

test_public_business_location_is_not_private if {
	finding := f(doc({"category": "PRIV_CATEGORY_BUSINESS_LOCATION", "publicly_available_elsewhere": true}))
	no_action(finding)
	cites(finding, "PRIV-5d4", "REASON_KIND_NOT_A_VIOLATION")
}

test_non_public_business_location_goes_to_a_human if {
	finding := f(doc({"category": "PRIV_CATEGORY_BUSINESS_LOCATION"}))
	human_review(finding)
	cites(finding, "PRIV-5d4", "REASON_KIND_FACTOR")
	cites(finding, "PRIV-3a", "REASON_KIND_NOT_ESTABLISHED")
}

test_screenshot_with_private_information if {
	finding := f(doc({"category": "PRIV_CATEGORY_MESSAGE_SCREENSHOT", "contains_private_information": true}))
	violation_of(finding, ["PRIV-0", "PRIV-3"])
	first_violation(finding)
	not "PRIV-5d7" in clauses(finding)
}

test_screenshot_with_public_information if {
	finding := f(doc({"category": "PRIV_CATEGORY_MESSAGE_SCREENSHOT", "contains_private_information": true, "publicly_available_elsewhere": true}))
	no_action(finding)
	cites(finding, "PRIV-5c", "REASON_KIND_NOT_A_VIOLATION")
}

test_unknown_category_goes_to_a_human if {
	human_review(f(doc({})))
	cites(f(doc({})), "PRIV-3", "REASON_KIND_NOT_STATED")
	d := object.union(doc({}), {"case": {"violation": {"policy": "POLICY_PRIVATE_INFORMATION"}}})
	human_review(f(object.union(d, {"case": object.union(d.case, {"violation": {"policy": "POLICY_PRIVATE_INFORMATION"}})})))
}

test_no_facts_at_all if {
	d := {"as_of": as_of, "case": {"violation": {"policy": "POLICY_PRIVATE_INFORMATION"}, "as_of": as_of}}
	human_review(f(d))
	f(d).enforcement.prior_violations == 0
}

# ---------------------------------------------------------------- PRIV-2, PRIV-3g private media

test_private_media_reported_by_the_subject if {
	finding := f(with_reporter(doc(media), subject_report))
	violation_of(finding, ["PRIV-0", "PRIV-3g", "PRIV-2a"])
	finding.outcome == "OUTCOME_TEMPORARY_LOCK"
	finding.effects == {"remove_content": true, "lock": {"until_content_removed": true}, "appeal_available": true}
	not finding.enforcement.warning
	finding.enforcement.counts_as_violation
	finding.enforcement.clause_id == "PRIV-9d"
	cites(finding, "PRIV-9d", "REASON_KIND_CONSEQUENCE")
	cites(finding, "PRIV-10", "REASON_KIND_PROCESS")
}

test_reporter_who_is_the_subject_is_first_person if {
	r := {"reporter_id": "hmac:subject", "role": "REPORTER_ROLE_BYSTANDER"}
	violation_of(f(with_reporter(doc(media), r)), ["PRIV-3g", "PRIV-2a"])
}

test_other_reporter_id_is_not_first_person if {
	r := {"reporter_id": "hmac:other", "role": "REPORTER_ROLE_BYSTANDER"}
	finding := f(with_reporter(doc(media), r))
	no_action(finding)
	cites(finding, "PRIV-2", "REASON_KIND_NOT_ESTABLISHED")
	cites(finding, "PRIV-7b", "REASON_KIND_PROCESS")
}

test_empty_ids_are_not_first_person if {
	# Neither the reporter nor the subject is known: "" == "" proves nothing.
	finding := f(with_reporter(doc({"category": "PRIV_CATEGORY_PRIVATE_MEDIA"}), {"role": "REPORTER_ROLE_BYSTANDER"}))
	not finding.violation
	finding2 := f(with_reporter(doc({"category": "PRIV_CATEGORY_PRIVATE_MEDIA", "subject_id": ""}), {"reporter_id": "", "has_account": true}))
	not finding2.violation
}

test_authorised_representative if {
	every kind in ["REPRESENTATIVE_KIND_PARENT_OR_GUARDIAN", "REPRESENTATIVE_KIND_LAWYER", "REPRESENTATIVE_KIND_LEGAL_REPRESENTATIVE"] {
		r := {"reporter_id": "hmac:lawyer", "role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE", "representative_kind": kind}
		finding := f(with_reporter(doc(media), r))
		violation_of(finding, ["PRIV-3g", "PRIV-2b"])
		not "PRIV-2a" in clauses(finding)
	}
}

test_representative_without_kind_is_not_enough if {
	r := {"reporter_id": "hmac:lawyer", "role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"}
	finding := f(with_reporter(doc(media), r))
	no_action(finding)
	cites(finding, "PRIV-2", "REASON_KIND_NOT_ESTABLISHED")
}

test_private_media_without_a_report if {
	finding := f(doc(media))
	no_action(finding)
	cites(finding, "PRIV-2", "REASON_KIND_NOT_ESTABLISHED")
	cites(finding, "PRIV-7b", "REASON_KIND_PROCESS")
	not "PRIV-3g" in clauses(finding)
	not "PRIV-10" in clauses(finding)
}

test_private_media_of_a_public_figure if {
	finding := f(with_reporter(doc(object.union(media, {"subject_is_public_figure": true})), subject_report))
	no_action(finding)
	cites(finding, "PRIV-6d", "REASON_KIND_NOT_A_VIOLATION")
	cites(finding, "PRIV-2c", "REASON_KIND_EXCEPTION")
	not "PRIV-2" in clauses(finding)
}

test_media_exceptions if {
	every name, id in {
		"mainstream_media_coverage": "PRIV-6a",
		"publicly_available_elsewhere": "PRIV-6a",
		"public_discourse_value": "PRIV-6b",
		"eyewitness_news": "PRIV-6c",
	} {
		finding := f(with_reporter(doc(object.union(media, {name: true})), subject_report))
		no_action(finding)
		cites(finding, id, "REASON_KIND_NOT_A_VIOLATION")
		not "PRIV-2c" in clauses(finding)
	}
}

test_media_with_consent_or_own_media if {
	finding := f(with_reporter(doc(object.union(media, {"subject_consented": true})), subject_report))
	no_action(finding)
	cites(finding, "PRIV-0", "REASON_KIND_NOT_A_VIOLATION")
	cites(f(doc(object.union(media, {"shared_by_subject": true}))), "PRIV-5a", "REASON_KIND_NOT_A_VIOLATION")
}

test_information_is_not_judged_on_public_figure if {
	violation_of(f(doc(object.union(home, {"subject_is_public_figure": true}))), ["PRIV-3a"])
}

# ---------------------------------------------------------------- PRIV-3h prisoners of war

test_pow_media_on_the_day_by_state_media if {
	finding := f(posted(with_account(doc(pow), state_media), "2022-04-05T00:00:00Z"))
	violation_of(finding, ["PRIV-3h"])
	not "PRIV-0" in clauses(finding)
	finding.effects.lock == {"until_content_removed": true}
	finding.enforcement.clause_id == "PRIV-9d"
}

test_pow_media_by_government_account if {
	violation_of(f(posted(with_account(doc(pow), {"government_or_military": true}), "2023-02-01T08:00:00Z")), ["PRIV-3h"])
}

# When the media was posted is a fact: not stated, it is unknown, never as_of.
test_pow_media_without_posted_at_goes_to_review if {
	finding := f(with_account(doc(pow), state_media))
	human_review(finding)
	some r in finding.reasons
	r == {"clause_id": "PRIV-3h", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.content.posted_at"]}

	# Decided before the date, the post cannot have been posted on or after it.
	d := object.union(with_account(doc(pow), state_media), {"as_of": "2022-04-04T12:00:00Z"})
	not f(d).violation
	f(d).outcome == "OUTCOME_NO_ACTION"
}

test_pow_media_just_before_the_date if {
	finding := f(posted(with_account(doc(pow), state_media), "2022-04-04T23:59:59Z"))
	no_action(finding)
	cites(finding, "PRIV-3h", "REASON_KIND_NOT_ESTABLISHED")
	cites(finding, "PRIV-2", "REASON_KIND_NOT_ESTABLISHED")
}

test_pow_media_by_an_ordinary_account_is_private_media if {
	d := posted(doc(object.union(pow, {"subject_id": "hmac:pow"})), "2023-01-01T00:00:00Z")
	no_action(f(d))
	finding := f(with_reporter(d, {"reporter_id": "hmac:rep", "role": "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE", "representative_kind": "REPRESENTATIVE_KIND_LAWYER"}))
	violation_of(finding, ["PRIV-3g", "PRIV-2b"])
	cites(finding, "PRIV-3h", "REASON_KIND_NOT_ESTABLISHED")
}

test_pow_media_has_no_media_exceptions if {
	facts := object.union(pow, {"mainstream_media_coverage": true, "public_discourse_value": true, "subject_consented": true, "subject_is_public_figure": true})
	finding := f(posted(with_account(doc(facts), state_media), "2023-01-01T00:00:00Z"))
	violation_of(finding, ["PRIV-3h"])
	not "PRIV-6a" in clauses(finding)
}

test_pow_date_comes_from_config if {
	d := posted(with_account(doc(pow), state_media), "2022-04-05T00:00:00Z")
	not f(d).violation with data.verdict.config.priv.pow_media_since as "2022-06-01T00:00:00Z"
}

# ---------------------------------------------------------------- PRIV-9 consequences

warned := {"history": [{"decision_id": "d1", "policy": "POLICY_PRIVATE_INFORMATION", "clause_id": "PRIV-9a", "at": "2024-03-01T10:00:00Z", "warning": true}]}

test_again_after_the_first_warning if {
	finding := f(with_account(doc(home), warned))
	violation_of(finding, ["PRIV-3a"])
	finding.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	finding.effects == {"remove_content": true, "suspend_account": true, "appeal_available": true}
	finding.enforcement.repeat_after_warning
	finding.enforcement.prior_violations == 1
	not finding.enforcement.warning
	finding.enforcement.clause_id == "PRIV-9b"
	cites(finding, "PRIV-9b", "REASON_KIND_CONSEQUENCE")
	cites(finding, "PRIV-10", "REASON_KIND_PROCESS")
}

test_conduct_again_after_the_first_warning if {
	f(with_account(doc({"category": "PRIV_CATEGORY_BOUNTY"}), warned)).outcome == "OUTCOME_PERMANENT_SUSPENSION"
}

test_warning_after_as_of_does_not_count if {
	later := {"history": [object.union(warned.history[0], {"at": "2024-05-01T12:00:01Z"})]}
	finding := f(with_account(doc(home), later))
	first_violation(finding)
	finding.enforcement.prior_violations == 0
}

test_earlier_violation_without_warning_is_not_a_repeat if {
	unwarned := {"history": [object.remove(warned.history[0], ["warning"])]}
	finding := f(with_account(doc(home), unwarned))
	first_violation(finding)
	finding.enforcement.prior_violations == 1
}

test_warning_under_another_policy_is_not_a_repeat if {
	other := {"history": [object.union(warned.history[0], {"policy": "POLICY_ELECTION_INTEGRITY"})]}
	first_violation(f(with_account(doc(home), other)))
}

test_private_media_again_is_still_locked_until_removed if {
	finding := f(with_account(with_reporter(doc(media), subject_report), warned))
	finding.outcome == "OUTCOME_TEMPORARY_LOCK"
	finding.enforcement.clause_id == "PRIV-9d"
	finding.enforcement.repeat_after_warning
}

# PRIV-9c is an account property in the store too.
test_account_property_dedicated_to_live_location if {
	finding := f(with_account(doc(home), {"dedicated_to_live_location": true}))
	finding.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	finding.enforcement.clause_id == "PRIV-9c"
}

test_account_dedicated_to_live_location if {
	finding := f(doc(object.union(live, {"account_dedicated_to_live_location": true})))
	finding.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	finding.effects.suspend_account
	finding.enforcement.clause_id == "PRIV-9c"
	cites(finding, "PRIV-9c", "REASON_KIND_CONSEQUENCE")
	not "PRIV-9a" in clauses(finding)
	f(with_account(doc(object.union(live, {"account_dedicated_to_live_location": true})), warned)).enforcement.clause_id == "PRIV-9c"
}

test_dedicated_account_needs_a_violation if {
	finding := f(doc(object.union(live, {"account_dedicated_to_live_location": true, "crisis_help": true})))
	no_action(finding)
	not "PRIV-9c" in clauses(finding)
}

test_no_consequence_without_violation if {
	finding := f(with_account(doc(object.union(home, {"subject_consented": true})), warned))
	no_action(finding)
	not finding.enforcement.warning
	finding.enforcement.prior_violations == 1
	every r in finding.reasons {
		r.kind != "REASON_KIND_CONSEQUENCE"
	}
	not "PRIV-10" in clauses(finding)
}

# ---------------------------------------------------------------- the decision

test_decision_for_a_first_violation if {
	result := decision.result with input as doc(home)
	result.outcome == "OUTCOME_TEMPORARY_LOCK"
	result.policy == "POLICY_PRIVATE_INFORMATION"
	result.effects.appeal_available
	result.enforcement.warning
	not result.public_interest.eligible
	result.summary_nl == "Verwijdering van de content is vereist en het account wordt tijdelijk vergrendeld."
}

test_decision_reasons_carry_catalog_text if {
	result := decision.result with input as doc(home)
	some r in result.reasons
	r.clause_id == "PRIV-3a"
	lib.text(r, "en") == data.verdict.catalog.priv["PRIV-3a"].en
	startswith(lib.text(r, "nl"), "De post deelt informatie over iemands thuisadres")
}

test_public_interest_review_for_an_official if {
	official := {"verified": true, "followers": 500000, "office_role": "OFFICE_ROLE_OFFICEHOLDER", "office_level": "OFFICE_LEVEL_NATIONAL"}
	d := with_case(with_account(doc(home), official), {"public_interest": {"private_information_omittable": true}})
	result := decision.result with input as d
	result.outcome == "OUTCOME_PUBLIC_INTEREST_REVIEW"
	result.public_interest.recommendation == "RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION"
	not result.enforcement.counts_as_violation
}

# ---------------------------------------------------------------- the catalog

catalog := data.verdict.catalog.priv

test_catalog_has_every_clause if {
	every n in numbers.range(0, 10) {
		catalog[sprintf("PRIV-%d", [n])]
	}
	every entry in catalog {
		entry.policy == "PRIV"
		entry.seed == "004_84042b98b2146ae0"
		entry.title != ""
		entry.en != ""
		entry.nl != ""
	}
}

test_catalog_sub_items_have_a_parent if {
	every id, entry in catalog {
		regex.match(`^PRIV-[0-9]+$`, id) == (object.get(entry, "parent", "") == "")
	}
	every id, entry in catalog {
		object.get(entry, "parent", "PRIV-0") in object.keys(catalog)
		startswith(id, object.get(entry, "parent", ""))
	}
}

# Every clause the package can cite is in the catalog (the server refuses a
# decision that cites a clause its catalog lacks).
cited_ids := {
	"PRIV-0", "PRIV-1a", "PRIV-1b", "PRIV-1c1", "PRIV-1c2", "PRIV-1d1", "PRIV-1d2", "PRIV-1d3",
	"PRIV-2", "PRIV-2a", "PRIV-2b", "PRIV-2c", "PRIV-3", "PRIV-3a", "PRIV-3b", "PRIV-3c", "PRIV-3c1",
	"PRIV-3d", "PRIV-3e", "PRIV-3f", "PRIV-3g", "PRIV-3h", "PRIV-4a", "PRIV-4b", "PRIV-4c", "PRIV-4d",
	"PRIV-5a", "PRIV-5b", "PRIV-5c", "PRIV-5d", "PRIV-5d1", "PRIV-5d2", "PRIV-5d3", "PRIV-5d4",
	"PRIV-5d5", "PRIV-5d6", "PRIV-5d7", "PRIV-6a", "PRIV-6b", "PRIV-6c", "PRIV-6d", "PRIV-7b",
	"PRIV-9a", "PRIV-9b", "PRIV-9c", "PRIV-9d", "PRIV-10",
	"PRIV-1", "PRIV-1c", "PRIV-1d", "PRIV-4", "PRIV-5", "PRIV-6", "PRIV-9",
}

test_every_cited_clause_is_in_the_catalog if {
	every id in cited_ids {
		catalog[id]
	}
	every id in {"PRIV-7", "PRIV-8"} {
		catalog[id]
	}
}

# ---------------------------------------------------------------- parent clauses

# A sub-item is cited with its parent clause, with the same kind.
test_parents_are_cited_with_their_sub_items if {
	info := f(doc(object.union(home, {"publicly_available_elsewhere": true, "abusive_intent": true})))
	cites(info, "PRIV-3", "REASON_KIND_VIOLATION")
	cites(info, "PRIV-1", "REASON_KIND_FACTOR")
	cites(info, "PRIV-1c", "REASON_KIND_FACTOR")
	cites(info, "PRIV-1d", "REASON_KIND_FACTOR")
	cites(info, "PRIV-9", "REASON_KIND_CONSEQUENCE")

	conduct := f(doc({"category": "PRIV_CATEGORY_BOUNTY"}))
	cites(conduct, "PRIV-4", "REASON_KIND_VIOLATION")
	not "PRIV-1" in clauses(conduct)

	own := f(doc(object.union(home, {"shared_by_subject": true})))
	cites(own, "PRIV-5", "REASON_KIND_NOT_A_VIOLATION")
	cites(own, "PRIV-1", "REASON_KIND_FACTOR")
	not "PRIV-1c" in clauses(own)
	not "PRIV-1d" in clauses(own)

	newsworthy := f(doc(object.union(media, {"eyewitness_news": true})))
	cites(newsworthy, "PRIV-6", "REASON_KIND_NOT_A_VIOLATION")
	not "PRIV-1" in clauses(newsworthy)

	reported := f(with_reporter(doc(media), subject_report))
	cites(reported, "PRIV-2", "REASON_KIND_VIOLATION")
	cites(reported, "PRIV-3", "REASON_KIND_VIOLATION")
	cites(reported, "PRIV-9", "REASON_KIND_CONSEQUENCE")
}

test_not_private_cites_priv_5 if {
	finding := f(doc({"category": "PRIV_CATEGORY_NAME"}))
	cites(finding, "PRIV-5", "REASON_KIND_NOT_A_VIOLATION")
	not "PRIV-1" in clauses(finding)
}

test_pow_media_cites_neither_priv_0_nor_priv_3 if {
	finding := f(posted(with_account(doc(pow), state_media), "2023-01-01T00:00:00Z"))
	not "PRIV-3" in clauses(finding)
	cites(finding, "PRIV-9", "REASON_KIND_CONSEQUENCE")
}
