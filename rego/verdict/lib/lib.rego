# Shared helpers: reasons, facts with defaults, time.
#
# Every reason a decision gives is built here: a clause ID from the catalog
# (data.verdict.catalog) and the kind of reason. The server puts each reason
# in words from the catalog of the same revision (English and Dutch; for an
# unmet criterion the catalog's en_not/nl_not when it has them), so the
# policy's answer stays small and fast. Policies collect reasons in sets: OPA
# serializes a set sorted, and reason objects sort by clause_id, then kind,
# so the order is stable. Time comes from input.as_of only, never the wall clock.
package verdict.lib

import rego.v1

# The catalog entry of a clause ID ("PI-1.3", "TVE-5c", ...).
clause(id) := entry if {
	some policy
	entry := data.verdict.catalog[policy][id]
}

reason(id, kind) := {"clause_id": id, "kind": kind}

violation(id) := reason(id, "REASON_KIND_VIOLATION")

not_a_violation(id) := reason(id, "REASON_KIND_NOT_A_VIOLATION")

exception(id) := reason(id, "REASON_KIND_EXCEPTION")

not_established(id) := reason(id, "REASON_KIND_NOT_ESTABLISHED")

consequence(id) := reason(id, "REASON_KIND_CONSEQUENCE")

factor(id) := reason(id, "REASON_KIND_FACTOR")

process(id) := reason(id, "REASON_KIND_PROCESS")

# A criterion, met or not; the catalog may word the unmet case itself.
criterion(id, true) := reason(id, "REASON_KIND_CRITERION_MET")

criterion(id, false) := reason(id, "REASON_KIND_CRITERION_NOT_MET")

# The sentence the server gives a reason, in "en" or "nl" (for tests; the
# server does the same in server/decisions/results.py).
text(r, lang) := object.get(clause(r.clause_id), sprintf("%s_not", [lang]), clause(r.clause_id)[lang]) if {
	r.kind == "REASON_KIND_CRITERION_NOT_MET"
}

text(r, lang) := clause(r.clause_id)[lang] if r.kind != "REASON_KIND_CRITERION_NOT_MET"

# A boolean fact, false when absent (proto3 JSON leaves false fields out).
flag(obj, name) := object.get(obj, name, false)

# ---------------------------------------------------------------- time

now_ns := time.parse_rfc3339_ns(input.as_of)

ns_per_hour := (60 * 60) * 1000000000

ns_per_day := 24 * ns_per_hour

# RFC 3339 text for a time in nanoseconds, as protobuf JSON expects.
timestamp(ns) := time.format(ns)

# A duration in protobuf JSON ("3600s").
duration_hours(hours) := sprintf("%ds", [hours * 3600])

# Both times fall on the same calendar day (UTC).
same_day(a_ns, b_ns) if time.date(a_ns) == time.date(b_ns)

# Set to sorted array, for stable output.
sorted(s) := sort([x | some x in s])
