# The decision for a case: the finding of the policy the violation is alleged
# under, combined with the public-interest exception, which holds across
# every policy. POST /v1/data/verdict/decision/result answers Decide.
#
# The result is protobuf JSON of verdict.v1.Decision (without the fields the
# server adds: decision_id, policy_revision, times, applied).
package verdict.decision

import data.verdict.findings
import data.verdict.lib
import data.verdict.pi
import rego.v1

finding := findings.finding

# An account that meets PI-1 is never decided automatically (PI-3).
outcome := "OUTCOME_PUBLIC_INTEREST_REVIEW" if pi.eligible

outcome := finding.outcome if not pi.eligible

# Nothing is enforced while the post is under public-interest review.
base_effects := {"appeal_available": true} if pi.eligible

base_effects := finding.effects if not pi.eligible

# PI-7: content that stays up is still withheld where local law requires it.
withholds if {
	count(pi.withheld) > 0
	not lib.flag(base_effects, "remove_content")
	not lib.flag(base_effects, "suspend_account")
}

effects := object.union(base_effects, {"withheld_in_countries": pi.withheld}) if withholds

effects := base_effects if not withholds

# While under review, the finding's consequences are not the outcome: keep
# what was found, drop what would have been done.
finding_reasons := {r | some r in finding.reasons; r.kind != "REASON_KIND_CONSEQUENCE"} if pi.eligible

finding_reasons := finding.reasons if not pi.eligible

pi_reasons := pi.reasons if finding.violation

pi_reasons := set() if not finding.violation

reasons := (finding_reasons | pi_reasons) | {lib.consequence("PI-7") | withholds}

enforcement := object.union(finding.enforcement, {"counts_as_violation": false}) if pi.eligible

enforcement := finding.enforcement if not pi.eligible

summary := [
	sprintf("Eligible for the public-interest exception, route to Trust & Safety review (recommendation: %s).", [recommendations[pi.recommendation][0]]),
	sprintf("Komt in aanmerking voor de uitzondering in verband met het algemeen belang, doorsturen naar Trust & Safety ter beoordeling (aanbeveling: %s).", [recommendations[pi.recommendation][1]]),
] if pi.eligible

summary := summaries[outcome] if not pi.eligible

recommendations := {
	"RECOMMENDATION_NOTICE": ["keep behind a notice", "achter een mededeling laten staan"],
	"RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION": [
		"keep behind a notice with the private information omitted",
		"achter een mededeling laten staan zonder de privégegevens",
	],
	"RECOMMENDATION_REMOVAL": ["remove", "verwijderen"],
}

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

result := {
	"outcome": outcome,
	"effects": effects,
	"reasons": reasons,
	"public_interest": pi.assessment,
	"enforcement": enforcement,
	"policy": input.case.violation.policy,
	"summary_en": summary[0],
	"summary_nl": summary[1],
}
