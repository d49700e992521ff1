# METADATA
# title: The decision for a case
# description: >-
#   The finding of the policy the violation is alleged under, combined with
#   the public-interest exception, which holds across every policy. The
#   result is protobuf JSON of verdict.v1.Decision without what the server
#   adds (decision_id, policy_revision, times, applied).
package verdict.decision

import data.verdict.findings
import data.verdict.pi
import rego.v1

summaries := {
	"OUTCOME_NO_ACTION": ["No action: no violation is established.", "Geen actie: er is geen schending vastgesteld."],
	"OUTCOME_REQUIRE_REMOVAL": ["Removal of the content is required.", "Verwijdering van de content is vereist."],
	"OUTCOME_TEMPORARY_LOCK": [
		"Removal of the content is required and the account is temporarily locked.",
		"Verwijdering van de content is vereist en het account wordt tijdelijk vergrendeld.",
	],
	"OUTCOME_PERMANENT_SUSPENSION": ["The account is permanently suspended.", "Het account wordt permanent opgeschort."],
	"OUTCOME_LIMIT_VISIBILITY": ["The visibility of the content and account is limited.", "De zichtbaarheid van de content en het account wordt beperkt."],
	"OUTCOME_HUMAN_REVIEW": ["The facts do not settle it: a human reviewer decides.", "De feiten geven geen uitsluitsel: een menselijke beoordelaar beslist."],
}

# An eligible post is routed to Trust & Safety with a recommendation (PI-3).
review_summaries := {
	"RECOMMENDATION_NOTICE": [
		"Eligible for the public-interest exception, route to Trust & Safety review (recommendation: keep behind a notice).",
		"Komt in aanmerking voor de uitzondering in verband met het algemeen belang, doorsturen naar Trust & Safety ter beoordeling (aanbeveling: achter een mededeling laten staan).",
	],
	"RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION": [
		"Eligible for the public-interest exception, route to Trust & Safety review (recommendation: keep behind a notice with the private information omitted).",
		"Komt in aanmerking voor de uitzondering in verband met het algemeen belang, doorsturen naar Trust & Safety ter beoordeling (aanbeveling: achter een mededeling laten staan zonder de privégegevens).",
	],
	"RECOMMENDATION_REMOVAL": [
		"Eligible for the public-interest exception, route to Trust & Safety review (recommendation: remove).",
		"Komt in aanmerking voor de uitzondering in verband met het algemeen belang, doorsturen naar Trust & Safety ter beoordeling (aanbeveling: verwijderen).",
	],
}

# METADATA
# title: The decision
# description: >-
#   An eligible post is never decided automatically (PI-3): the outcome is
#   public-interest review, nothing is enforced but the appeal, the
#   finding's consequences are left out of the reasons and the violation is
#   not counted yet. Otherwise the finding decides. The decision lists the
#   public-interest lines (PI-1, the PI-5 line) only where the exception is
#   in play: an eligible post, or a violation by an official's account (PI-0:
#   the exception is limited to elected and government officials); the full
#   assessment is always in public_interest. PI-7: content that stays up is
#   still withheld where local law requires it. POST
#   /v1/data/verdict/decision/result answers Decide.
# entrypoint: true
# custom:
#   clauses: [PI-7]
result := {
	"outcome": "OUTCOME_PUBLIC_INTEREST_REVIEW",
	"effects": object.union({"appeal_available": true}, withheld.effects),
	"reasons": array.concat(
		array.concat([r | some r in finding.reasons; r.kind != "REASON_KIND_CONSEQUENCE"], assessment.reasons),
		withheld.reasons,
	),
	"public_interest": assessment,
	"enforcement": object.union(finding.enforcement, {"counts_as_violation": false}),
	"policy": input.case.violation.policy,
	"summary_en": summary[0],
	"summary_nl": summary[1],
} if {
	assessment := pi.assessment
	assessment.eligible
	finding := findings.finding
	summary := review_summaries[assessment.recommendation]
} else := {
	"outcome": finding.outcome,
	"effects": finding.effects,
	"reasons": finding.reasons,
	"public_interest": pi.assessment,
	"enforcement": finding.enforcement,
	"policy": input.case.violation.policy,
	"summary_en": summary[0],
	"summary_nl": summary[1],
} if {
	# The common case: no official's account, nothing withheld.
	not pi.office_clause
	count(pi.assessment.notice_effects.withheld_in_countries) == 0
	finding := findings.finding
	summary := summaries[finding.outcome]
} else := {
	"outcome": finding.outcome,
	"effects": object.union(finding.effects, withheld.effects),
	"reasons": array.concat(array.concat(finding.reasons, pi_lines), withheld.reasons),
	"public_interest": pi.assessment,
	"enforcement": finding.enforcement,
	"policy": input.case.violation.policy,
	"summary_en": summary[0],
	"summary_nl": summary[1],
} if {
	finding := findings.finding
	summary := summaries[finding.outcome]
}

# The public-interest lines of a case that is not eligible, where the
# exception is in play: a violation by an official's account.
pi_lines := pi.assessment.reasons if {
	findings.finding.violation
	pi.office_clause
} else := []

# PI-7: content that stays up (an eligible post, or a finding that neither
# removes the content nor suspends the account) is withheld where local law
# requires it.
withheld := {
	"effects": {"withheld_in_countries": countries},
	"reasons": [{"clause_id": "PI-7", "kind": "REASON_KIND_CONSEQUENCE"}],
} if {
	countries := pi.assessment.notice_effects.withheld_in_countries
	count(countries) > 0
	stays_up
} else := {"effects": {}, "reasons": []}

stays_up if pi.assessment.eligible

stays_up if {
	not findings.finding.effects.remove_content
	not findings.finding.effects.suspend_account
}
