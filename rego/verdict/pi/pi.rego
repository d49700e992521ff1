# METADATA
# title: PI, the public-interest exception for officials' posts
# description: >-
#   Seed 001. A post is eligible when it meets all four PI-1 criteria and the
#   rule it violates is not one the exception never covers (PI-5 terrorism,
#   PI-6). An eligible post is never decided automatically: the server
#   recommends a notice or removal from the PI-4 factors and the PI-5
#   likelihood, and routes the post through the PI-3 review steps. The
#   assessment is complete on every decision (public_interest); the
#   decision's reasons carry its lines only where the exception is in play.
#
#   Every decision evaluates the assessment, so it puts the common case
#   first: an account that holds no office (PI-1.4 not met, so not
#   eligible) and a case that claims no PI-4 factor leave nothing to weigh
#   and no review; only the other cases weigh the factors and, when
#   eligible, the review. Its parts are data below (bands, factors, the
#   review route), so what it weighs is read there.
# custom:
#   seed: 001_1e0759c6d7bb9a30
package verdict.pi

import data.verdict.findings
import rego.v1

# PI-1.3: strictly more than this many followers.
follower_threshold := 100000

# PI-1.4: the governmental or legislative bodies.
governmental_levels := {
	"OFFICE_LEVEL_LOCAL": true,
	"OFFICE_LEVEL_STATE": true,
	"OFFICE_LEVEL_NATIONAL": true,
	"OFFICE_LEVEL_SUPRANATIONAL": true,
}

# PI-1.4a: current holder of an elected or appointed leadership position;
# PI-1.4b: candidate or nominee for political office.
office_clauses := {
	"OFFICE_ROLE_OFFICEHOLDER": "PI-1.4a",
	"OFFICE_ROLE_CANDIDATE": "PI-1.4b",
	"OFFICE_ROLE_NOMINEE": "PI-1.4b",
}

# PI-5 (and PI-6) per rule: [the clause, the likelihood band, the lines the
# assessment cites for it]. The rule's line is a criterion that is not met for
# the rules the exception never covers, a factor for the others. PI-6: child
# sexual exploitation, non-consensual nudity and sexual violence never get the
# exception; copyright infringement is removed. Rules PI-5 does not list
# (coordinated harmful activity) have no band and no lines: the PI-4 factors
# alone weigh.
bands := {
	"POLICY_TERRORISM_VIOLENT_EXTREMISM": ["PI-5a", "LIKELIHOOD_BAND_NEVER", [{"clause_id": "PI-5a", "kind": "REASON_KIND_CRITERION_NOT_MET"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_VIOLENCE": ["PI-5b", "LIKELIHOOD_BAND_UNLIKELY", [{"clause_id": "PI-5b", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_ILLEGAL_GOODS": ["PI-5c", "LIKELIHOOD_BAND_RARE", [{"clause_id": "PI-5c", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_SUICIDE_SELF_HARM": ["PI-5d", "LIKELIHOOD_BAND_UNLIKELY", [{"clause_id": "PI-5d", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_ELECTION_INTEGRITY": ["PI-5e", "LIKELIHOOD_BAND_VERY_SMALL", [{"clause_id": "PI-5e", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_PRIVATE_INFORMATION": ["PI-5f", "LIKELIHOOD_BAND_UNLIKELY", [{"clause_id": "PI-5f", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_HATEFUL_CONDUCT": ["PI-5g", "LIKELIHOOD_BAND_MORE_LIKELY", [{"clause_id": "PI-5g", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_ABUSE_HARASSMENT": ["PI-5h", "LIKELIHOOD_BAND_MORE_LIKELY", [{"clause_id": "PI-5h", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_SENSITIVE_MEDIA": ["PI-5i", "LIKELIHOOD_BAND_MORE_LIKELY", [{"clause_id": "PI-5i", "kind": "REASON_KIND_FACTOR"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_CHILD_SEXUAL_EXPLOITATION": ["PI-6", "LIKELIHOOD_BAND_NEVER", [{"clause_id": "PI-6", "kind": "REASON_KIND_CRITERION_NOT_MET"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_NON_CONSENSUAL_NUDITY": ["PI-6", "LIKELIHOOD_BAND_NEVER", [{"clause_id": "PI-6", "kind": "REASON_KIND_CRITERION_NOT_MET"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_SEXUAL_VIOLENCE": ["PI-6", "LIKELIHOOD_BAND_NEVER", [{"clause_id": "PI-6", "kind": "REASON_KIND_CRITERION_NOT_MET"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
	"POLICY_COPYRIGHT": ["PI-6", "LIKELIHOOD_BAND_NEVER", [{"clause_id": "PI-6", "kind": "REASON_KIND_CRITERION_NOT_MET"}, {"clause_id": "PI-5", "kind": "REASON_KIND_FACTOR"}]],
}

# PI-4 factors and PI-5 considerations, by the fact that shows them: [the
# clause (PI-5: the rule's own line), the direction, the rule it applies to
# (any: every rule)].
factor_facts := {
	"directed_at_officials": [["PI-4a1", "FACTOR_DIRECTION_TOWARD_NOTICE", "any"]],
	"relevant_to_public_function": [["PI-4a2", "FACTOR_DIRECTION_TOWARD_NOTICE", "any"]],
	"geopolitical_clarification": [["PI-4a3", "FACTOR_DIRECTION_TOWARD_NOTICE", "any"]],
	"archival_value": [["PI-4a4", "FACTOR_DIRECTION_TOWARD_NOTICE", "any"]],
	"explicit_call_to_harm": [["PI-4b1", "FACTOR_DIRECTION_TOWARD_REMOVAL", "any"]],
	"impedes_fundamental_rights": [["PI-4b2", "FACTOR_DIRECTION_TOWARD_REMOVAL", "any"]],
	"evidence_of_offline_harm": [
		["PI-5", "FACTOR_DIRECTION_TOWARD_REMOVAL", "POLICY_VIOLENCE"],
		["PI-5", "FACTOR_DIRECTION_TOWARD_REMOVAL", "POLICY_SUICIDE_SELF_HARM"],
		["PI-5", "FACTOR_DIRECTION_TOWARD_REMOVAL", "POLICY_HATEFUL_CONDUCT"],
	],
	"weak_link_to_violence": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_VIOLENCE"]],
	"platform_only_source": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_VIOLENCE"]],
	"aimed_at_private_individual": [
		["PI-5", "FACTOR_DIRECTION_TOWARD_REMOVAL", "POLICY_SUICIDE_SELF_HARM"],
		["PI-5", "FACTOR_DIRECTION_TOWARD_REMOVAL", "POLICY_ABUSE_HARASSMENT"],
	],
	"hyperbolic_political_speech": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_SUICIDE_SELF_HARM"]],
	"political_statement": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_HATEFUL_CONDUCT"]],
	"heated_policy_debate": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_ABUSE_HARASSMENT"]],
	"private_information_omittable": [["PI-5", "FACTOR_DIRECTION_TOWARD_NOTICE", "POLICY_PRIVATE_INFORMATION"]],
}

# Whether a band leaves room for a notice, by what was seen toward a notice
# (a PI-4 factor, the rule's own PI-5 consideration, archival value). Election
# integrity (very small chance) and the never-list: never.
notice_room := {
	"LIKELIHOOD_BAND_MORE_LIKELY": ["factor", "consideration"],
	"LIKELIHOOD_BAND_RARE": ["archival"],
	"LIKELIHOOD_BAND_UNLIKELY": ["consideration"],
	"LIKELIHOOD_BAND_UNSPECIFIED": ["factor"],
	"LIKELIHOOD_BAND_VERY_SMALL": [],
	"LIKELIHOOD_BAND_NEVER": [],
}

# PI-3: the review steps an eligible post goes through.
review_route := [
	{"clause_id": "PI-3.1", "stage": "REVIEW_STAGE_REFERRAL", "team": "Global enforcement"},
	{"clause_id": "PI-3.2", "stage": "REVIEW_STAGE_TRUST_AND_SAFETY", "team": "Trust & Safety"},
	{
		"clause_id": "PI-3.3", "stage": "REVIEW_STAGE_CROSS_FUNCTIONAL",
		"team": "Cross-functional leaders (government, human rights, journalism, news, technology, law) and in-market teams",
	},
	{"clause_id": "PI-3.4", "stage": "REVIEW_STAGE_SENIOR_LEADERSHIP", "team": "Senior Trust & Safety leadership"},
]

# What an eligible post's assessment adds to its reasons: the exception, the
# review steps and the balance (PI-0, PI-3, PI-8, PI-4).
eligible_reasons := [
	{"clause_id": "PI-0", "kind": "REASON_KIND_EXCEPTION"},
	{"clause_id": "PI-3", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-3.1", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-3.2", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-3.3", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-3.4", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-8", "kind": "REASON_KIND_PROCESS"},
	{"clause_id": "PI-4", "kind": "REASON_KIND_FACTOR"},
]

criterion_kinds := {true: "REASON_KIND_CRITERION_MET", false: "REASON_KIND_CRITERION_NOT_MET"}

# METADATA
# title: The public-interest assessment
# description: >-
#   PI-1.1 the post violates a rule (the finding establishes a violation);
#   PI-1.2 a verified account; PI-1.3 more than 100,000 followers
#   (strictly; the reason is worded for the count); PI-1.4 an officeholder,
#   candidate or nominee (PI-1.4a, PI-1.4b) of a governmental or
#   legislative body. Eligible: all four, for a rule the exception covers
#   (PI-5, PI-6). Then the PI-5 likelihood and the PI-4 factors; for an
#   eligible post the recommendation and the PI-3 route; PI-2: what a
#   notice would do; PI-7: where local law withholds it. POST
#   /v1/data/verdict/pi/assessment answers CheckPublicInterest.
# entrypoint: true
# custom:
#   clauses: [PI-1, PI-1.1, PI-1.2, PI-1.3, PI-1.4, PI-1.4a, PI-1.4b, PI-5, PI-5a, PI-5b, PI-5c, PI-5d, PI-5e, PI-5f, PI-5g, PI-5h, PI-5i, PI-6]
assessment := {
	"eligible": false,
	"criteria": [
		{"clause_id": "PI-1.1", "met": violates},
		{"clause_id": "PI-1.2", "met": verified},
		{"clause_id": "PI-1.3", "met": enough_followers, "values": values},
		{"clause_id": "PI-1.4", "met": false},
	],
	"likelihood": band,
	"never_eligible": never,
	"factors": [],
	"recommendation": "RECOMMENDATION_UNSPECIFIED",
	"route": [],
	"notice_effects": {
		"behind_notice": true,
		"disabled_engagements": ["ENGAGEMENT_LIKE", "ENGAGEMENT_REPOST", "ENGAGEMENT_SHARE"],
		"limited_surfaces": ["SURFACE_ALGORITHMIC_RECOMMENDATIONS"],
		"withheld_in_countries": sort(object.get(facts, "local_law_withhold_countries", [])),
		"appeal_available": true,
	},
	"reasons": array.concat(
		[
			{"clause_id": "PI-1.1", "kind": criterion_kinds[violates]},
			{"clause_id": "PI-1.2", "kind": criterion_kinds[verified]},
			{"clause_id": "PI-1.3", "kind": criterion_kinds[enough_followers], "values": values},
			{"clause_id": "PI-1.4", "kind": "REASON_KIND_CRITERION_NOT_MET"},
			{"clause_id": "PI-1", "kind": "REASON_KIND_CRITERION_NOT_MET"},
		],
		band_lines,
	),
} if {
	# The common case: no office held (PI-1.4 not met) and no PI-4 factor claimed.
	not office_clauses[object.get(input.account, "office_role", "")]
	facts := object.get(input.case, "public_interest", {})
	not true in facts
	violates := findings.finding.violation
	verified := object.get(input.account, "verified", false)
	followers := object.get(input.account, "followers", 0)
	enough_followers := followers > follower_threshold
	values := {"followers": format_int(followers, 10)}
	[_, band, band_lines] := object.get(bands, input.case.violation.policy, ["", "LIKELIHOOD_BAND_UNSPECIFIED", []])
	never := band == "LIKELIHOOD_BAND_NEVER"
}

else := {
	"eligible": eligible_post,
	"criteria": [
		{"clause_id": "PI-1.1", "met": violates},
		{"clause_id": "PI-1.2", "met": verified},
		{"clause_id": "PI-1.3", "met": enough_followers, "values": values},
		{"clause_id": "PI-1.4", "met": member},
	],
	"likelihood": band,
	"never_eligible": never,
	"factors": weighed.factors,
	"recommendation": review.recommendation,
	"route": review.route,
	"notice_effects": {
		"behind_notice": true,
		"disabled_engagements": ["ENGAGEMENT_LIKE", "ENGAGEMENT_REPOST", "ENGAGEMENT_SHARE"],
		"limited_surfaces": ["SURFACE_ALGORITHMIC_RECOMMENDATIONS"],
		"withheld_in_countries": sort(object.get(facts, "local_law_withhold_countries", [])),
		"appeal_available": true,
	},
	"reasons": array.concat(
		[
			{"clause_id": "PI-1.1", "kind": kinds[violates]},
			{"clause_id": "PI-1.2", "kind": kinds[verified]},
			{"clause_id": "PI-1.3", "kind": kinds[enough_followers], "values": values},
			{"clause_id": "PI-1.4", "kind": kinds[member]},
			{"clause_id": "PI-1", "kind": kinds[criteria_met]},
		],
		array.concat(
			array.concat(
				[{"clause_id": office, "kind": kinds[member]} | office != ""],
				band_lines,
			),
			review.reasons,
		),
	),
} if {
	account := object.get(input, "account", {})
	policy := input.case.violation.policy
	facts := object.get(input.case, "public_interest", {})
	kinds := criterion_kinds
	violates := findings.finding.violation
	verified := object.get(account, "verified", false)
	followers := object.get(account, "followers", 0)
	enough_followers := followers > follower_threshold
	values := {"followers": format_int(followers, 10)}
	office := object.get(office_clauses, object.get(account, "office_role", ""), "")
	member := [office != "", object.get(governmental_levels, object.get(account, "office_level", ""), false)] == [true, true]
	[band_clause, band, band_lines] := object.get(bands, policy, ["", "LIKELIHOOD_BAND_UNSPECIFIED", []])
	never := band == "LIKELIHOOD_BAND_NEVER"
	criteria_met := [violates, verified, enough_followers, member] == [true, true, true, true]
	eligible_post := [criteria_met, never] == [true, false]
	review := review_of(eligible_post, weighed, policy, band_clause)
}

# METADATA
# title: The PI-4 factors and PI-5 considerations seen, both ways
# description: >-
#   {"factors", "toward_removal", "notice_room"}: the factors the case's
#   public-interest facts show, whether anything points toward removal, and
#   whether the band leaves room for a notice given what points toward one
#   (more likely: any factor or consideration; rare: archival value, PI-4a4;
#   unlikely: the rule's own consideration; no band: a PI-4 factor; very
#   small and never: no room).
# custom:
#   clauses: [PI-4a1, PI-4a2, PI-4a3, PI-4a4, PI-4b1, PI-4b2]
weighed := {"factors": [], "toward_removal": false, "notice_room": false} if {
	not true in object.get(input.case, "public_interest", {})
} else := {"factors": [f | some f in factors], "toward_removal": toward_removal, "notice_room": room} if {
	policy := input.case.violation.policy
	[band_clause, band, _] := object.get(bands, policy, ["", "LIKELIHOOD_BAND_UNSPECIFIED", []])
	factors := {{"clause_id": clause, "direction": direction} |
		some name, true in input.case.public_interest
		some [id, direction, rule] in factor_facts[name]
		rule in {"any", policy}
		clause := object.get({"PI-5": band_clause}, id, id)
	}
	toward_removal := count([f | some f in factors; f.direction == "FACTOR_DIRECTION_TOWARD_REMOVAL"]) > 0

	# What points toward a notice, by kind: the rule's own PI-5 consideration,
	# archival value (PI-4a4, also a PI-4 factor), another PI-4 factor.
	toward_notice := {kind |
		some f in factors
		f.direction == "FACTOR_DIRECTION_TOWARD_NOTICE"
		some kind in object.get({band_clause: ["consideration"], "PI-4a4": ["archival", "factor"]}, f.clause_id, ["factor"])
	}
	room := count({kind | some kind in notice_room[band]} & toward_notice) > 0
}

# METADATA
# title: The review of an eligible post
# description: >-
#   Only an eligible post is reviewed: the recommendation for Trust & Safety
#   (PI-3.2), the PI-3 route, and what its assessment adds to the reasons:
#   the exception, the review steps, the balance and the factors weighed
#   (PI-0, PI-3, PI-8, PI-4), and PI-2 when a notice is recommended.
# custom:
#   clauses: [PI-0, PI-2, PI-3, PI-3.1, PI-3.2, PI-3.3, PI-3.4, PI-4, PI-8]
review_of(false, _, _, _) := {"recommendation": "RECOMMENDATION_UNSPECIFIED", "route": [], "reasons": []}

review_of(true, weighed, policy, band_clause) := {
	"recommendation": advice,
	"route": review_route,
	"reasons": array.concat(
		eligible_reasons,
		array.concat(
			[{"clause_id": id, "kind": "REASON_KIND_FACTOR"} | some id in {f.clause_id | some f in weighed.factors} - {band_clause}],
			[{"clause_id": "PI-2", "kind": "REASON_KIND_CONSEQUENCE"} | advice != "RECOMMENDATION_REMOVAL"],
		),
	),
} if {
	advice := recommend(weighed, policy)
}

# Removal when anything points toward removal or the band leaves no room for
# a notice; otherwise a notice (for private information, with the
# information omitted: PI-5f).
recommend(weighed, policy) := "RECOMMENDATION_REMOVAL" if {
	weighed.toward_removal
} else := "RECOMMENDATION_REMOVAL" if {
	not weighed.notice_room
} else := "RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION" if {
	policy == "POLICY_PRIVATE_INFORMATION"
} else := "RECOMMENDATION_NOTICE"

# METADATA
# title: Eligible for the public-interest exception
eligible := assessment.eligible

# The recommendation for Trust & Safety (RECOMMENDATION_UNSPECIFIED for a
# post that is not eligible).
recommendation := assessment.recommendation

# The reasons of the assessment.
reasons := assessment.reasons

# The PI-1.4 clause the account's office meets, if it holds one.
office_clause := office_clauses[input.account.office_role]
