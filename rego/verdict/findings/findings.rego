# One finding per case, from the package of the policy the violation is
# alleged under. A finding says whether a violation is established (PI-1.1),
# what would happen without the public-interest exception, and why:
#   {"violation", "outcome", "effects", "reasons" (a set), "enforcement"}
package verdict.findings

import data.verdict.cha
import data.verdict.ei
import data.verdict.priv
import data.verdict.rules
import data.verdict.tve
import rego.v1

policy := input.case.violation.policy

finding := tve.finding if policy == "POLICY_TERRORISM_VIOLENT_EXTREMISM"

finding := ei.finding if policy == "POLICY_ELECTION_INTEGRITY"

finding := cha.finding if policy == "POLICY_COORDINATED_HARMFUL_ACTIVITY"

finding := priv.finding if policy == "POLICY_PRIVATE_INFORMATION"

finding := rules.finding if policy in rules.policies
