# METADATA
# title: The account's history as of the case
# description: >-
#   Earlier violations, warnings, locks and visibility limits. Only records at
#   or before input.as_of count, so a case decided as of an earlier time sees
#   the history it would have seen then (and a replay sees the same).
package verdict.history

import data.verdict.lib
import rego.v1

account := object.get(input, "account", {})

# METADATA
# title: The account's standing under the policy of the case
# description: >-
#   How many violations of the policy the case is alleged under the account
#   had before as_of, and whether one of them carried a warning (a next
#   violation is then a repeat after the first warning, EI-6b, PRIV-9b). A
#   finding is only evaluated for the policy it belongs to, so this is the
#   standing under that policy.
standing := {"prior_violations": 0, "repeat_after_warning": false} if {
	not input.account.history
} else := {"prior_violations": count(records), "repeat_after_warning": warned} if {
	policy := input.case.violation.policy
	records := [r |
		some r in object.get(account, "history", [])
		r.policy == policy
		time.parse_rfc3339_ns(r.at) <= lib.now_ns
	]
	count(records) > 0
	warned := count([r | some r in records; object.get(r, "warning", false)]) > 0
} else := {"prior_violations": 0, "repeat_after_warning": false}

# Visibility limits for a group that had started by as_of (CHA-11): a limit
# created by this very case, or later, is not part of its history.
limits(group_id) := [l |
	some l in object.get(account, "visibility_limits", [])
	l.group_id == group_id
	started_by_case(l)
]

started_by_case(l) if not l.starts_at

started_by_case(l) if time.parse_rfc3339_ns(l.starts_at) < lib.now_ns

# The effect of a temporary lock of `hours`, ending relative to as_of.
lock(hours) := {
	"duration": sprintf("%ds", [hours * 3600]),
	"ends_at": time.format(lib.now_ns + (hours * lib.ns_per_hour)),
}

# The enforcement summary of a finding that counts (or not) as a violation.
enforcement(clause_id, counts, warning) := {
	"prior_violations": standing.prior_violations,
	"repeat_after_warning": standing.repeat_after_warning,
	"counts_as_violation": counts,
	"warning": warning,
	"clause_id": clause_id,
}
