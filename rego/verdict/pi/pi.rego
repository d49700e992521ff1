# PI — the public-interest exception for officials' posts (seed 001).
#
# A post is eligible when it meets all four PI-1 criteria and the rule it
# violates is not one the exception never covers (PI-5 terrorism, PI-6).
# An eligible post is never decided automatically: the server recommends a
# notice or removal from the PI-4 factors and PI-5 likelihood, and routes
# the post through the PI-3 review steps.
package verdict.pi

import data.verdict.findings
import data.verdict.lib
import data.verdict.rules
import rego.v1

# PI-1.3: strictly more than this many followers.
follower_threshold := 100000

account := object.get(input, "account", {})

policy := input.case.violation.policy

facts := object.get(input.case, "public_interest", {})

# ---------------------------------------------------------------- PI-1

# PI-1.1: the post violates one or more rules.
violates := findings.finding.violation

# PI-1.2
verified := lib.flag(account, "verified")

# PI-1.3: more than 100,000 followers (exactly 100,000 is not enough).
enough_followers := object.get(account, "followers", 0) > follower_threshold

governmental_levels := {
	"OFFICE_LEVEL_LOCAL",
	"OFFICE_LEVEL_STATE",
	"OFFICE_LEVEL_NATIONAL",
	"OFFICE_LEVEL_SUPRANATIONAL",
}

# PI-1.4a: current holder of an elected or appointed leadership position.
office_clause := "PI-1.4a" if account.office_role == "OFFICE_ROLE_OFFICEHOLDER"

# PI-1.4b: candidate or nominee for political office.
office_clause := "PI-1.4b" if account.office_role in {"OFFICE_ROLE_CANDIDATE", "OFFICE_ROLE_NOMINEE"}

# PI-1.4: a current or potential member of a local, state, national or
# supranational governmental or legislative body.
member_of_body if {
	office_clause
	object.get(account, "office_level", "") in governmental_levels
}

default member := false

member := true if member_of_body

criteria_met := {
	"PI-1.1": violates,
	"PI-1.2": verified,
	"PI-1.3": enough_followers,
	"PI-1.4": member,
}

meets_criteria if every _, met in criteria_met {
	met
}

default all_criteria := false

all_criteria := true if meets_criteria

criteria := [{"clause_id": id, "met": criteria_met[id]} | some id in ["PI-1.1", "PI-1.2", "PI-1.3", "PI-1.4"]]

# ---------------------------------------------------------------- PI-5, PI-6

# The PI-5 line for each rule, and its likelihood band.
rule_lines := {
	"POLICY_TERRORISM_VIOLENT_EXTREMISM": ["PI-5a", "LIKELIHOOD_BAND_NEVER"],
	"POLICY_VIOLENCE": ["PI-5b", "LIKELIHOOD_BAND_UNLIKELY"],
	"POLICY_ILLEGAL_GOODS": ["PI-5c", "LIKELIHOOD_BAND_RARE"],
	"POLICY_SUICIDE_SELF_HARM": ["PI-5d", "LIKELIHOOD_BAND_UNLIKELY"],
	"POLICY_ELECTION_INTEGRITY": ["PI-5e", "LIKELIHOOD_BAND_VERY_SMALL"],
	"POLICY_PRIVATE_INFORMATION": ["PI-5f", "LIKELIHOOD_BAND_UNLIKELY"],
	"POLICY_HATEFUL_CONDUCT": ["PI-5g", "LIKELIHOOD_BAND_MORE_LIKELY"],
	"POLICY_ABUSE_HARASSMENT": ["PI-5h", "LIKELIHOOD_BAND_MORE_LIKELY"],
	"POLICY_SENSITIVE_MEDIA": ["PI-5i", "LIKELIHOOD_BAND_MORE_LIKELY"],
}

# PI-6: child sexual exploitation, non-consensual nudity and sexual violence
# never get the exception; copyright infringement is removed.
band := "LIKELIHOOD_BAND_NEVER" if policy in rules.never_list

band := rule_lines[policy][1] if not policy in rules.never_list

# Rules PI-5 does not list (coordinated harmful activity): no band; the
# balance rests on the PI-4 factors alone.
band := "LIKELIHOOD_BAND_UNSPECIFIED" if {
	not policy in rules.never_list
	not rule_lines[policy]
}

never_eligible := band == "LIKELIHOOD_BAND_NEVER"

# The clause that rules the exception out, or sets the likelihood.
band_clause := "PI-6" if policy in rules.never_list

band_clause := rule_lines[policy][0] if not policy in rules.never_list

default eligible := false

eligible := true if {
	meets_criteria
	not never_eligible
}

# ---------------------------------------------------------------- PI-4 and PI-5 factors

notice_facts := {
	"directed_at_officials": "PI-4a1",
	"relevant_to_public_function": "PI-4a2",
	"geopolitical_clarification": "PI-4a3",
	"archival_value": "PI-4a4",
}

removal_facts := {
	"explicit_call_to_harm": "PI-4b1",
	"impedes_fundamental_rights": "PI-4b2",
}

notice_factors contains id if {
	some name, id in notice_facts
	lib.flag(facts, name)
}

removal_factors contains id if {
	some name, id in removal_facts
	lib.flag(facts, name)
}

# PI-5 considerations for the rule violated, pointing toward removal ...
removal_considerations contains band_clause if {
	lib.flag(facts, "evidence_of_offline_harm")
	policy in {"POLICY_VIOLENCE", "POLICY_HATEFUL_CONDUCT", "POLICY_SUICIDE_SELF_HARM"}
}

removal_considerations contains band_clause if {
	lib.flag(facts, "aimed_at_private_individual")
	policy in {"POLICY_SUICIDE_SELF_HARM", "POLICY_ABUSE_HARASSMENT"}
}

# ... and toward a notice.
notice_considerations contains band_clause if {
	some name in notice_considerations_by_rule[policy]
	lib.flag(facts, name)
}

notice_considerations_by_rule := {
	"POLICY_VIOLENCE": {"weak_link_to_violence", "platform_only_source"},
	"POLICY_SUICIDE_SELF_HARM": {"hyperbolic_political_speech"},
	"POLICY_PRIVATE_INFORMATION": {"private_information_omittable"},
	"POLICY_HATEFUL_CONDUCT": {"political_statement"},
	"POLICY_ABUSE_HARASSMENT": {"heated_policy_debate"},
}

# Whether the band leaves room for a notice, given what was seen.
notice_possible if {
	band == "LIKELIHOOD_BAND_MORE_LIKELY"
	count(notice_factors | notice_considerations) > 0
}

notice_possible if {
	band == "LIKELIHOOD_BAND_RARE"
	"PI-4a4" in notice_factors
}

notice_possible if {
	band == "LIKELIHOOD_BAND_UNLIKELY"
	count(notice_considerations) > 0
}

notice_possible if {
	band == "LIKELIHOOD_BAND_UNSPECIFIED"
	count(notice_factors) > 0
}

# Election integrity (very small chance) and the never-list: no notice is recommended.

removal_pressure := removal_factors | removal_considerations

recommendation := "RECOMMENDATION_UNSPECIFIED" if not eligible

recommendation := "RECOMMENDATION_REMOVAL" if {
	eligible
	count(removal_pressure) > 0
}

recommendation := "RECOMMENDATION_REMOVAL" if {
	eligible
	count(removal_pressure) == 0
	not notice_possible
}

recommendation := notice_kind if {
	eligible
	count(removal_pressure) == 0
	notice_possible
}

notice_kind := "RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION" if policy == "POLICY_PRIVATE_INFORMATION"

notice_kind := "RECOMMENDATION_NOTICE" if policy != "POLICY_PRIVATE_INFORMATION"

factor(id, direction) := {"clause_id": id, "direction": direction}

factors contains factor(id, "FACTOR_DIRECTION_TOWARD_NOTICE") if some id in (notice_factors | notice_considerations)

factors contains factor(id, "FACTOR_DIRECTION_TOWARD_REMOVAL") if some id in removal_pressure

# ---------------------------------------------------------------- PI-2, PI-3, PI-7

# PI-7: local law still applies, in every path.
withheld := lib.sorted(object.get(facts, "local_law_withhold_countries", []))

# PI-2: what keeping the post behind a notice would do.
notice_effects := {
	"behind_notice": true,
	"disabled_engagements": ["ENGAGEMENT_LIKE", "ENGAGEMENT_REPOST", "ENGAGEMENT_SHARE"],
	"limited_surfaces": ["SURFACE_ALGORITHMIC_RECOMMENDATIONS"],
	"withheld_in_countries": withheld,
	"appeal_available": true,
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

# ---------------------------------------------------------------- reasons

reasons contains lib.criterion(id, met) if some id, met in criteria_met

reasons contains lib.criterion("PI-1", all_criteria)

reasons contains lib.criterion(office_clause, member) if office_clause

# The likelihood line of PI-5 (or PI-6) for the rule violated.
reasons contains lib.criterion(band_clause, false) if never_eligible

reasons contains lib.factor(band_clause) if {
	not never_eligible
	band_clause
}

reasons contains lib.factor("PI-5") if band_clause

reasons contains lib.exception("PI-0") if eligible

reasons contains lib.process(id) if {
	eligible
	some id in ["PI-3", "PI-3.1", "PI-3.2", "PI-3.3", "PI-3.4", "PI-8"]
}

reasons contains lib.factor(id) if {
	eligible
	some f in factors
	id := f.clause_id
}

reasons contains lib.factor("PI-4") if eligible

reasons contains lib.consequence("PI-2") if {
	eligible
	recommendation != "RECOMMENDATION_REMOVAL"
}

# ---------------------------------------------------------------- assessment

default route := []

route := review_route if eligible

assessment := {
	"eligible": eligible,
	"criteria": criteria,
	"likelihood": band,
	"never_eligible": never_eligible,
	"factors": lib.sorted(factors),
	"recommendation": recommendation,
	"route": route,
	"notice_effects": notice_effects,
	"reasons": reasons,
}
