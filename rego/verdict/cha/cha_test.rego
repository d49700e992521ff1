package verdict.cha_test

import data.verdict.cha
import data.verdict.decision
import data.verdict.lib
import rego.v1

as_of := "2024-05-01T12:00:00Z"

# 2024-05-01T12:00:00Z plus 30 days (data.verdict.config.cha.visibility_limit_days).
thirty_days_later := "2024-05-31T12:00:00Z"

# A group designated by AssessGroup, one assessed and not designated.
stored_groups := {
	"g-raid": {
		"group_id": "g-raid", "name": "Raid crew", "designated": true,
		"assessed_at": "2024-03-01T00:00:00Z", "review_by": "2024-06-01T00:00:00Z",
		"limits_expire_at": "2024-03-31T00:00:00Z",
	},
	"g-club": {"group_id": "g-club", "name": "Book club", "designated": false, "assessed_at": "2024-03-01T00:00:00Z"},
}

case_with(facts, account) := {
	"as_of": as_of,
	"case": {
		"content": {"kind": "CONTENT_KIND_POST", "post_id": "p1", "author_account_id": "acc-cha"},
		"violation": {"policy": "POLICY_COORDINATED_HARMFUL_ACTIVITY", "cha": facts},
		"as_of": as_of,
	},
	"account": object.union({"account_id": "acc-cha"}, account),
	"groups": stored_groups,
}

linked(extra) := case_with(object.union({"category": "CHA_CATEGORY_LINKED_TO_GROUP", "group_id": "g-raid"}, extra), {})

linked_with_limits(extra, limits) := case_with(
	object.union({"category": "CHA_CATEGORY_LINKED_TO_GROUP", "group_id": "g-raid"}, extra),
	{"visibility_limits": limits},
)

social(extra) := case_with(object.union({"category": "CHA_CATEGORY_SOCIAL_COORDINATION"}, extra), {})

technical(extra) := case_with(object.union({"category": "CHA_CATEGORY_TECHNICAL_COORDINATION"}, extra), {})

limit(group_id, starts_at, expires_at) := {"decision_id": "d-old", "group_id": group_id, "starts_at": starts_at, "expires_at": expires_at}

clauses(reasons) := {r.clause_id | some r in reasons}

cited(reasons, id, kind) if {
	some r in reasons
	r.clause_id == id
	r.kind == kind
}

all_surfaces := [
	"SURFACE_SEARCH",
	"SURFACE_REPLIES",
	"SURFACE_TIMELINES",
	"SURFACE_EMAIL_RECOMMENDATIONS",
	"SURFACE_IN_PRODUCT_RECOMMENDATIONS",
]

# ---------------------------------------------------------------- CHA-1a, CHA-2 technical coordination

test_technical_coordination_with_evidence_is_suspended if {
	f := cha.finding with input as technical({"sufficient_technical_evidence": true, "evidence_of_harm": true})
	f.violation
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	f.effects == {"suspend_account": true, "appeal_available": true}
	cited(f.reasons, "CHA-1a", "REASON_KIND_VIOLATION")
	cited(f.reasons, "CHA-2", "REASON_KIND_CONSEQUENCE")
	f.enforcement.clause_id == "CHA-2"
	f.enforcement.counts_as_violation
	not f.enforcement.warning
}

# CHA-2: always enforced, also without evidence of harm (CHA-0 is for the framework).
test_technical_coordination_is_enforced_without_evidence_of_harm if {
	f := cha.finding with input as technical({"sufficient_technical_evidence": true})
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	not "CHA-0" in clauses(f.reasons)
}

test_technical_coordination_without_sufficient_evidence_is_not_established if {
	f := cha.finding with input as technical({"sufficient_technical_evidence": false, "evidence_of_harm": true})
	not f.violation
	f.outcome == "OUTCOME_NO_ACTION"
	f.effects == {}
	cited(f.reasons, "CHA-0", "REASON_KIND_NOT_ESTABLISHED")
	cited(f.reasons, "CHA-2", "REASON_KIND_NOT_ESTABLISHED")
	not "CHA-1a" in clauses(f.reasons)
	f.enforcement.counts_as_violation == false
	f.enforcement.clause_id == ""
}

# Unknown is not false: sufficient evidence not stated.
test_technical_coordination_with_evidence_not_stated_goes_to_human_review if {
	f := cha.finding with input as technical({})
	not f.violation
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	f.effects == {}
	some r in f.reasons
	r == {"clause_id": "CHA-2", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.cha.sufficient_technical_evidence"]}
	not "CHA-0" in clauses(f.reasons)
}

# ---------------------------------------------------------------- CHA-1b, CHA-3 social coordination

test_evidence_of_harm_not_stated_goes_to_human_review if {
	f := cha.finding with input as social({"group_id": "g-new"})
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	some r in f.reasons
	r == {"clause_id": "CHA-3", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.cha.evidence_of_harm"]}
}

test_evidence_of_harm_not_stated_does_not_matter_for_an_undesignated_group if {
	f := cha.finding with input as social({"group_id": "g-club"})
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-9", "REASON_KIND_CRITERION_NOT_MET")
}

test_evidence_of_harm_not_stated_does_not_matter_for_a_designated_group if {
	f := cha.finding with input as social({"group_id": "g-raid"})
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
}

test_activism_without_evidence_of_harm_is_not_a_violation if {
	f := cha.finding with input as social({"activism": true, "evidence_of_harm": false, "group_id": "g-new"})
	not f.violation
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-3", "REASON_KIND_NOT_A_VIOLATION")
	cited(f.reasons, "CHA-3b", "REASON_KIND_NOT_A_VIOLATION")
	cited(f.reasons, "CHA-1b", "REASON_KIND_FACTOR")
}

test_social_coordination_without_harm_is_not_a_violation_by_itself if {
	f := cha.finding with input as social({"evidence_of_harm": false})
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-3a", "REASON_KIND_NOT_A_VIOLATION")
	not "CHA-3b" in clauses(f.reasons)
}

test_activism_with_evidence_of_harm_is_not_exempt if {
	f := cha.finding with input as social({"activism": true, "evidence_of_harm": true, "group_id": "g-raid"})
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	not "CHA-3" in clauses(f.reasons)
	cited(f.reasons, "CHA-9", "REASON_KIND_VIOLATION")
}

# A designation is evidence of harm: the group was found harmful.
test_social_coordination_for_a_designated_group_is_acted_on if {
	f := cha.finding with input as social({"activism": true, "group_id": "g-raid"})
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	not "CHA-3" in clauses(f.reasons)
}

test_social_coordination_with_harm_for_an_unassessed_group_goes_to_review if {
	f := cha.finding with input as social({"evidence_of_harm": true, "group_id": "g-unknown"})
	not f.violation
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	f.effects == {}
	cited(f.reasons, "CHA-0", "REASON_KIND_PROCESS")
	cited(f.reasons, "CHA-7", "REASON_KIND_PROCESS")
}

test_social_coordination_with_harm_for_an_undesignated_group_is_no_action if {
	f := cha.finding with input as social({"evidence_of_harm": true, "group_id": "g-club"})
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-9", "REASON_KIND_CRITERION_NOT_MET")
}

# ---------------------------------------------------------------- CHA-9 linked to a group

test_linked_to_designated_group_limits_visibility if {
	f := cha.finding with input as linked({})
	f.violation
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	f.effects.limited_surfaces == all_surfaces
	f.effects.visibility_limit_duration == "2592000s"
	f.effects.visibility_limit_expires_at == thirty_days_later
	f.effects.appeal_available
	not f.effects.suspend_account
	not f.effects.remove_content
	cited(f.reasons, "CHA-9", "REASON_KIND_VIOLATION")
	every id in ["CHA-9a", "CHA-9b", "CHA-11", "CHA-11a"] {
		cited(f.reasons, id, "REASON_KIND_CONSEQUENCE")
	}
	f.enforcement.clause_id == "CHA-9"
	f.enforcement.counts_as_violation
}

test_linked_to_undesignated_group_is_no_action if {
	f := cha.finding with input as linked({"group_id": "g-club"})
	not f.violation
	f.outcome == "OUTCOME_NO_ACTION"
	not f.effects.limited_surfaces
	cited(f.reasons, "CHA-9", "REASON_KIND_CRITERION_NOT_MET")
	not "CHA-9a" in clauses(f.reasons)
}

test_linked_to_unassessed_group_goes_to_review if {
	f := cha.finding with input as linked({"group_id": "g-unknown"})
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	cited(f.reasons, "CHA-0", "REASON_KIND_PROCESS")
}

test_linked_without_group_goes_to_review if {
	doc := case_with({"category": "CHA_CATEGORY_LINKED_TO_GROUP"}, {})
	cha.finding.outcome == "OUTCOME_HUMAN_REVIEW" with input as doc
}

test_groups_missing_from_input_is_unassessed if {
	doc := object.remove(linked({}), ["groups"])
	cha.finding.outcome == "OUTCOME_HUMAN_REVIEW" with input as doc
}

test_primarily_propagating_account_is_suspended if {
	f := cha.finding with input as linked({"primarily_propagates": true})
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	f.effects == {"suspend_account": true, "appeal_available": true}
	cited(f.reasons, "CHA-9d", "REASON_KIND_CONSEQUENCE")
	not "CHA-9a" in clauses(f.reasons)
	f.enforcement.clause_id == "CHA-9d"
}

test_account_link_marks_a_propagating_account if {
	doc := case_with(
		{"category": "CHA_CATEGORY_LINKED_TO_GROUP", "group_id": "g-raid"},
		{"groups": [{"group_id": "g-raid", "primarily_propagates": true}]},
	)
	cha.finding.outcome == "OUTCOME_PERMANENT_SUSPENSION" with input as doc
}

test_account_link_to_another_group_does_not_count if {
	doc := case_with(
		{"category": "CHA_CATEGORY_LINKED_TO_GROUP", "group_id": "g-raid"},
		{"groups": [{"group_id": "g-other", "primarily_propagates": true}, {"group_id": "g-raid"}]},
	)
	cha.finding.outcome == "OUTCOME_LIMIT_VISIBILITY" with input as doc
}

# CHA-10: a designation past its review date is flagged, not dropped.
test_designation_past_review_is_flagged if {
	doc := object.union(linked({}), {"groups": {"g-raid": {"review_by": "2024-04-30T00:00:00Z"}}})
	f := cha.finding with input as doc
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	cited(f.reasons, "CHA-10", "REASON_KIND_PROCESS")
	not "CHA-10" in clauses(cha.finding.reasons) with input as linked({})
}

# ---------------------------------------------------------------- CHA-11 limits

test_active_limit_is_kept_not_extended if {
	doc := linked_with_limits({}, [limit("g-raid", "2024-04-21T12:00:00Z", "2024-05-21T12:00:00Z")])
	f := cha.finding with input as doc
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	f.effects.limited_surfaces == all_surfaces
	f.effects.visibility_limit_expires_at == "2024-05-21T12:00:00Z"
	f.effects.visibility_limit_duration == "1728000s" # 20 days left
	cited(f.reasons, "CHA-11c", "REASON_KIND_CONSEQUENCE")
	cited(f.reasons, "CHA-11", "REASON_KIND_CONSEQUENCE")
	not "CHA-11a" in clauses(f.reasons)
	f.enforcement.clause_id == "CHA-11c"
	f.enforcement.counts_as_violation == false
}

test_latest_active_limit_sets_the_end if {
	doc := linked_with_limits({}, [
		limit("g-raid", "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"),
		limit("g-raid", "2024-04-21T12:00:00Z", "2024-05-21T12:00:00Z"),
		limit("g-raid", "2024-04-25T12:00:00Z", "2024-05-25T12:00:00Z"),
	])
	cha.finding.effects.visibility_limit_expires_at == "2024-05-25T12:00:00Z" with input as doc
}

test_limit_for_another_group_does_not_count if {
	doc := linked_with_limits({}, [limit("g-other", "2024-04-21T12:00:00Z", "2024-05-21T12:00:00Z")])
	cha.finding.effects.visibility_limit_expires_at == thirty_days_later with input as doc
	cha.finding.enforcement.clause_id == "CHA-9" with input as doc
}

test_expired_limit_is_reapplied_when_behaviour_continues if {
	doc := linked_with_limits({"continues_behaviour": true}, [limit("g-raid", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z")])
	f := cha.finding with input as doc
	f.outcome == "OUTCOME_LIMIT_VISIBILITY"
	f.effects.visibility_limit_expires_at == thirty_days_later
	f.effects.visibility_limit_duration == "2592000s"
	cited(f.reasons, "CHA-11b", "REASON_KIND_CRITERION_MET")
	cited(f.reasons, "CHA-11a", "REASON_KIND_CONSEQUENCE")
	f.enforcement.clause_id == "CHA-11b"
	f.enforcement.counts_as_violation
}

test_continued_behaviour_not_stated_goes_to_human_review if {
	doc := linked_with_limits({}, [limit("g-raid", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z")])
	f := cha.finding with input as doc
	not f.violation
	f.outcome == "OUTCOME_HUMAN_REVIEW"
	f.effects == {}
	some r in f.reasons
	r == {"clause_id": "CHA-11b", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.cha.continues_behaviour"]}
	not "CHA-9a" in clauses(f.reasons)
}

test_expired_limit_is_not_reapplied_without_continued_behaviour if {
	doc := linked_with_limits({"continues_behaviour": false}, [limit("g-raid", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z")])
	f := cha.finding with input as doc
	not f.violation
	f.outcome == "OUTCOME_NO_ACTION"
	f.effects == {}
	cited(f.reasons, "CHA-11b", "REASON_KIND_CRITERION_NOT_MET")
	not "CHA-9a" in clauses(f.reasons)
}

# A limit that ends exactly at as_of has expired.
test_limit_ending_at_as_of_has_expired if {
	doc := linked_with_limits({"continues_behaviour": true}, [limit("g-raid", "2024-04-01T12:00:00Z", as_of)])
	cha.finding.enforcement.clause_id == "CHA-11b" with input as doc
}

test_limit_ending_one_second_after_as_of_is_kept if {
	doc := linked_with_limits({"continues_behaviour": true}, [limit("g-raid", "2024-04-01T12:00:01Z", "2024-05-01T12:00:01Z")])
	cha.finding.enforcement.clause_id == "CHA-11c" with input as doc
	cha.finding.effects.visibility_limit_duration == "1s" with input as doc
}

# A limit that starts at or after as_of did not exist yet (replays see the
# history as it was).
test_limit_starting_at_as_of_is_not_seen if {
	doc := linked_with_limits({}, [limit("g-raid", as_of, thirty_days_later)])
	cha.finding.enforcement.clause_id == "CHA-9" with input as doc
	"CHA-11a" in clauses(cha.finding.reasons) with input as doc
}

test_limit_without_start_counts if {
	doc := linked_with_limits({}, [{"group_id": "g-raid", "expires_at": "2024-05-21T12:00:00Z"}])
	cha.finding.enforcement.clause_id == "CHA-11c" with input as doc
}

test_limit_days_come_from_config if {
	f := cha.finding with input as linked({})
		with data.verdict.config.cha.visibility_limit_days as 7
	f.effects.visibility_limit_duration == "604800s"
	f.effects.visibility_limit_expires_at == "2024-05-08T12:00:00Z"
}

# ---------------------------------------------------------------- CHA-12 the normal rules

test_other_rule_violation_requires_removal_on_every_path if {
	f := cha.finding with input as technical({"sufficient_technical_evidence": false, "violates_other_rules": true})
	f.violation
	f.outcome == "OUTCOME_REQUIRE_REMOVAL"
	f.effects == {"remove_content": true, "appeal_available": true}
	cited(f.reasons, "CHA-12", "REASON_KIND_CONSEQUENCE")
	cited(f.reasons, "CHA-12a", "REASON_KIND_CONSEQUENCE")
	cited(f.reasons, "CHA-2", "REASON_KIND_NOT_ESTABLISHED")
	f.enforcement.clause_id == "CHA-12a"
	f.enforcement.warning
	f.enforcement.counts_as_violation
}

test_removal_and_limit_together if {
	f := cha.finding with input as linked({"violates_other_rules": true})
	f.outcome == "OUTCOME_REQUIRE_REMOVAL"
	f.effects.remove_content
	f.effects.limited_surfaces == all_surfaces
	f.effects.visibility_limit_expires_at == thirty_days_later
	{"CHA-9", "CHA-9a", "CHA-12a"} - clauses(f.reasons) == set()
}

test_removal_while_a_limit_is_kept_counts if {
	doc := linked_with_limits({"violates_other_rules": true}, [limit("g-raid", "2024-04-21T12:00:00Z", "2024-05-21T12:00:00Z")])
	f := cha.finding with input as doc
	f.outcome == "OUTCOME_REQUIRE_REMOVAL"
	f.enforcement.counts_as_violation
	f.effects.visibility_limit_expires_at == "2024-05-21T12:00:00Z"
}

test_removal_while_the_group_is_unassessed if {
	f := cha.finding with input as social({"evidence_of_harm": true, "violates_other_rules": true})
	f.outcome == "OUTCOME_REQUIRE_REMOVAL"
	cited(f.reasons, "CHA-7", "REASON_KIND_PROCESS")
}

test_removal_of_activist_post_that_breaks_other_rules if {
	f := cha.finding with input as social({"activism": true, "evidence_of_harm": false, "violates_other_rules": true})
	f.outcome == "OUTCOME_REQUIRE_REMOVAL"
	cited(f.reasons, "CHA-3b", "REASON_KIND_NOT_A_VIOLATION")
}

test_severe_or_repeated_violations_suspend if {
	f := cha.finding with input as linked({"severe_or_repeated": true, "violates_other_rules": true})
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	f.effects == {"suspend_account": true, "remove_content": true, "appeal_available": true}
	cited(f.reasons, "CHA-12b", "REASON_KIND_CONSEQUENCE")
	cited(f.reasons, "CHA-9", "REASON_KIND_VIOLATION")
	not "CHA-9a" in clauses(f.reasons)
	f.enforcement.clause_id == "CHA-12b"
	not f.enforcement.warning
}

test_severe_violations_suspend_even_without_coordination if {
	f := cha.finding with input as social({"evidence_of_harm": false, "severe_or_repeated": true})
	f.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	cited(f.reasons, "CHA-3", "REASON_KIND_NOT_A_VIOLATION")
}

# PI-7: a suspended account that keeps its content still has it withheld where local law requires.
test_local_law_withholds_content_of_a_suspended_account if {
	doc := object.union(technical({"sufficient_technical_evidence": true}), {"case": {"public_interest": {"local_law_withhold_countries": ["DE"]}}})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_PERMANENT_SUSPENSION"
	not r.effects.withheld_in_countries
	not "PI-7" in clauses(r.reasons)
}

test_technical_suspension_clause_wins_over_cha_12 if {
	f := cha.finding with input as technical({"sufficient_technical_evidence": true, "severe_or_repeated": true})
	f.enforcement.clause_id == "CHA-2"
	{"CHA-2", "CHA-12b"} - clauses(f.reasons) == set()
}

test_enforcement_reports_prior_violations if {
	doc := case_with(
		{"category": "CHA_CATEGORY_TECHNICAL_COORDINATION", "sufficient_technical_evidence": true},
		{"history": [
			{"decision_id": "d1", "policy": "POLICY_COORDINATED_HARMFUL_ACTIVITY", "clause_id": "CHA-12a", "at": "2024-02-01T00:00:00Z", "warning": true},
			{"decision_id": "d2", "policy": "POLICY_ELECTION_INTEGRITY", "clause_id": "EI-6a", "at": "2024-02-01T00:00:00Z", "warning": true},
		]},
	)
	e := cha.finding.enforcement with input as doc
	e.prior_violations == 1
	e.repeat_after_warning
}

# ---------------------------------------------------------------- other

test_unknown_category_is_not_established if {
	f := cha.finding with input as case_with({"group_id": "g-raid"}, {})
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-0", "REASON_KIND_NOT_ESTABLISHED")
	count(f.reasons) == 1
}

test_missing_facts_are_not_established if {
	doc := {
		"as_of": as_of,
		"case": {"violation": {"policy": "POLICY_COORDINATED_HARMFUL_ACTIVITY"}, "as_of": as_of},
	}
	f := cha.finding with input as doc
	f.outcome == "OUTCOME_NO_ACTION"
	cited(f.reasons, "CHA-0", "REASON_KIND_NOT_ESTABLISHED")
}

# The decision carries the finding, and the public-interest exception on top.
test_decision_for_cha_case if {
	r := decision.result with input as linked({})
	r.outcome == "OUTCOME_LIMIT_VISIBILITY"
	r.policy == "POLICY_COORDINATED_HARMFUL_ACTIVITY"
	r.effects.visibility_limit_expires_at == thirty_days_later
}

test_official_gets_public_interest_review if {
	doc := object.union(linked({}), {"account": {
		"verified": true, "followers": 500000,
		"office_role": "OFFICE_ROLE_OFFICEHOLDER", "office_level": "OFFICE_LEVEL_NATIONAL",
	}})
	r := decision.result with input as doc
	r.outcome == "OUTCOME_PUBLIC_INTEREST_REVIEW"
	r.public_interest.likelihood == "LIKELIHOOD_BAND_UNSPECIFIED"
	not "CHA-9a" in clauses(r.reasons)
	"CHA-9" in clauses(r.reasons)
}

test_official_without_violation_is_not_reviewed if {
	doc := object.union(social({"activism": true, "evidence_of_harm": false}), {"account": {
		"verified": true, "followers": 500000,
		"office_role": "OFFICE_ROLE_OFFICEHOLDER", "office_level": "OFFICE_LEVEL_NATIONAL",
	}})
	decision.result.outcome == "OUTCOME_NO_ACTION" with input as doc
}

# Every reason carries the catalog's English and Dutch sentence.
test_every_reason_has_text if {
	docs := [
		technical({"sufficient_technical_evidence": true, "violates_other_rules": true, "severe_or_repeated": true}),
		technical({}),
		social({"activism": true}),
		social({"evidence_of_harm": true}),
		linked({"group_id": "g-club"}),
		linked_with_limits({"continues_behaviour": true}, [limit("g-raid", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z")]),
		linked_with_limits({}, [limit("g-raid", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z")]),
		linked_with_limits({}, [limit("g-raid", "2024-04-21T12:00:00Z", "2024-05-21T12:00:00Z")]),
		linked({"primarily_propagates": true}),
		case_with({}, {}),
	]
	every doc in docs {
		reasons := cha.finding.reasons with input as doc
		count(reasons) > 0
		every r in reasons {
			lib.text(r, "en") != ""
			lib.text(r, "nl") != ""
		}
	}
}

# The catalog: every entry is complete, sub-items name an existing parent,
# criteria worded for "not met" have both languages.
test_catalog_entries_are_complete if {
	catalog := data.verdict.catalog.cha
	every id, e in catalog {
		startswith(id, "CHA-")
		e.policy == "CHA"
		e.seed == "003_1b62997fc7f4ef8e"
		e.title != ""
		e.en != ""
		e.nl != ""
		object.get(e, "parent", "CHA-0") in object.keys(catalog)
		("en_not" in object.keys(e)) == ("nl_not" in object.keys(e))
	}
	every n in numbers.range(0, 12) {
		sprintf("CHA-%d", [n]) in object.keys(catalog)
	}
}
