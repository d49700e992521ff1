# METADATA
# title: Shared helpers
# description: >-
#   Time from input.as_of (never the wall clock), facts that may be unknown,
#   and the helpers the tests use to read reasons. A reason is
#   {"clause_id", "kind"} (plus "missing_facts" for a fact that is not
#   stated, "values" for a text worded for a value); the server puts it in
#   words from the clause catalog of the same revision. The policies write
#   their reasons as literal objects: a function call per reason costs more
#   than the rest of a decision.
package verdict.lib

import rego.v1

# METADATA
# title: The decision time
# description: input.as_of in nanoseconds; every time-dependent rule reads it.
now_ns := time.parse_rfc3339_ns(input.as_of)

ns_per_hour := 3600000000000

ns_per_day := 86400000000000

# RFC 3339 text for a time in nanoseconds, as protobuf JSON expects.
timestamp(ns) := time.format(ns)

# A boolean fact that claims something: absent means not claimed.
flag(obj, name) := object.get(obj, name, false)

# A fact that may be unknown: true, false, or null when it is not stated.
fact(obj, name) := object.get(obj, name, null)

# All of some facts that may be unknown: false when one is false, true when
# every one is true, otherwise null (unknown).
all_of(values) := false if false in values

else := true if {
	every value in values {
		value == true
	}
}

else := null

# One of some facts that may be unknown: true when one is true, false when
# every one is false, otherwise null (unknown).
any_of(values) := true if true in values

else := false if {
	every value in values {
		value == false
	}
}

else := null

# ---------------------------------------------------------------- reasons (tests)

# The catalog entry of a clause ID ("PI-1.3", "TVE-5c", ...).
clause(id) := entry if {
	some policy
	entry := data.verdict.catalog[policy][id]
}

# The catalog sentence of a reason in "en" or "nl", before the server fills
# in values and names missing facts (server/decisions/results.py).
text(r, lang) := object.get(clause(r.clause_id), sprintf("%s_not", [lang]), clause(r.clause_id)[lang]) if {
	r.kind == "REASON_KIND_CRITERION_NOT_MET"
}

text(r, lang) := clause(r.clause_id)[lang] if r.kind != "REASON_KIND_CRITERION_NOT_MET"
