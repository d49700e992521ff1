# METADATA
# title: The finding of the policy a case is alleged under
# description: >-
#   A finding says whether a violation is established (PI-1.1), what would
#   happen without the public-interest exception, and why: {"violation",
#   "outcome", "effects", "reasons" (an array), "enforcement"}. The rules
#   below compare input refs with constants, so OPA's rule index picks the
#   one that applies without evaluating the others.
package verdict.findings

import data.verdict.cha
import data.verdict.ei
import data.verdict.priv
import data.verdict.rules
import data.verdict.tve
import rego.v1

finding := tve.finding if input.case.violation.policy == "POLICY_TERRORISM_VIOLENT_EXTREMISM"

finding := ei.finding if input.case.violation.policy == "POLICY_ELECTION_INTEGRITY"

finding := cha.finding if input.case.violation.policy == "POLICY_COORDINATED_HARMFUL_ACTIVITY"

finding := priv.finding if input.case.violation.policy == "POLICY_PRIVATE_INFORMATION"

# The other platform rules (rules.policies), each named so that the index
# finds it too.
finding := rules.finding if input.case.violation.policy == "POLICY_CHILD_SEXUAL_EXPLOITATION"

finding := rules.finding if input.case.violation.policy == "POLICY_NON_CONSENSUAL_NUDITY"

finding := rules.finding if input.case.violation.policy == "POLICY_SEXUAL_VIOLENCE"

finding := rules.finding if input.case.violation.policy == "POLICY_COPYRIGHT"

finding := rules.finding if input.case.violation.policy == "POLICY_VIOLENCE"

finding := rules.finding if input.case.violation.policy == "POLICY_ILLEGAL_GOODS"

finding := rules.finding if input.case.violation.policy == "POLICY_SUICIDE_SELF_HARM"

finding := rules.finding if input.case.violation.policy == "POLICY_HATEFUL_CONDUCT"

finding := rules.finding if input.case.violation.policy == "POLICY_ABUSE_HARASSMENT"

finding := rules.finding if input.case.violation.policy == "POLICY_SENSITIVE_MEDIA"
