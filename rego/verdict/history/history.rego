# The account's history as of the case: earlier violations, warnings, locks
# and visibility limits. Only records at or before input.as_of count, so a
# case decided "as of" an earlier time sees the history it would have seen.
package verdict.history

import data.verdict.lib
import rego.v1

account := object.get(input, "account", {})

records := object.get(account, "history", [])

# Earlier violations of a policy.
prior(policy) := [r |
	some r in records
	r.policy == policy
	time.parse_rfc3339_ns(r.at) <= lib.now_ns
]

# Earlier violations of a policy after which the account was warned.
prior_warnings(policy) := [r |
	some r in prior(policy)
	lib.flag(r, "warning")
]

# A violation after the first warning (EI-6b, PRIV-9); always true or false.
repeat_after_warning(policy) := count(prior_warnings(policy)) > 0

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
	"duration": lib.duration_hours(hours),
	"ends_at": lib.timestamp(lib.now_ns + hours * lib.ns_per_hour),
}

# Enforcement summary for a policy's finding.
enforcement(policy, clause_id, counts, warning) := {
	"counts_as_violation": counts,
	"prior_violations": count(prior(policy)),
	"repeat_after_warning": repeat_after_warning(policy),
	"warning": warning,
	"clause_id": clause_id,
}
