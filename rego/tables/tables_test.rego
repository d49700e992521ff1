# Decision tables: every case in data.tables.<policy>.cases runs through the
# policy it names and must give what it expects. The same tables run through
# the gRPC API in tests/integration/test_decision_tables.py.
#
# A case:
#   {"id": "ei-001", "description": "...", "kind": "decide" | "report" | "group",
#    "input": {"case": {...}, "account": {...}, "groups": {...}}   (decide)
#             {"report": {...}} | {"group": {...}, "as_of": "..."}  (report, group)
#    "expect": {"result": {partial result}, "clauses": [cited], "not_clauses": [not cited]},
#    "grpc_error": "case.content.kind"}   (optional: the API refuses this
#    malformed case with INVALID_ARGUMENT naming that field; the policy still decides it)
# "result" is matched leaf by leaf (arrays whole); absent fields count as
# false, 0, "" or [] as protobuf JSON would leave them out.
package tables_test

import data.verdict.decision
import data.verdict.group
import data.verdict.report
import rego.v1

kind(c) := object.get(c, "kind", "decide")

# input.as_of is what every time-dependent rule reads; the server copies it
# from the request, and so does this runner.
as_of(c) := c.input.case.as_of if kind(c) == "decide"

as_of(c) := c.input.report.as_of if kind(c) == "report"

as_of(c) := c.input.as_of if kind(c) == "group"

full_input(c) := object.union(c.input, {"as_of": as_of(c)})

run(c) := r if {
	kind(c) == "decide"
	r := decision.result with input as full_input(c)
}

run(c) := r if {
	kind(c) == "report"
	r := report.result with input as full_input(c)
}

run(c) := r if {
	kind(c) == "group"
	r := group.result with input as full_input(c)
}

cited(result) := {r.clause_id | some r in result.reasons}

# Leaves of the expected result: paths through objects only.
leaves(expected) := {[path, value] |
	walk(expected, [path, value])
	not is_object(value)
	every key in path {
		is_string(key)
	}
}

zero(value) if value in {false, 0, "", []}

leaf_ok(result, path, value) if object.get(result, path, null) == value

leaf_ok(result, path, value) if {
	zero(value)
	object.get(result, path, null) == null
}

# Why a case fails, in words; empty when it passes. The policy is evaluated
# once per case (a `with` disables OPA's cache, so each run(c) would evaluate
# the whole decision again).
problems(c) := checked(c, result) if {
	result := run(c)
} else := {"no result: the policy is undefined for this input"}

checked(c, result) := (mismatches | missing) | unexpected if {
	mismatches := {sprintf("%v: expected %v, got %v", [concat(".", path), value, object.get(result, path, null)]) |
		some [path, value] in leaves(object.get(c.expect, "result", {}))
		not leaf_ok(result, path, value)
	}
	citations := cited(result)
	missing := {sprintf("clause %s not cited", [id]) | some id in object.get(c.expect, "clauses", []); not id in citations}
	unexpected := {sprintf("clause %s cited but should not be", [id]) | some id in object.get(c.expect, "not_clauses", []); id in citations}
}

failing(table) := {c.id: found |
	some c in data.tables[table].cases
	found := problems(c)
	count(found) > 0
}

table_passes(table) if {
	count(data.tables[table].cases) > 0
	count(failing(table)) == 0
}

test_pi_table if table_passes("pi")

test_tve_table if table_passes("tve")

test_ei_table if table_passes("ei")

test_cha_table if table_passes("cha")

test_priv_table if table_passes("priv")
