# PRIV — consequences (PRIV-9), appeal (PRIV-10) and the finding.
#
#   PRIV-9c  an account dedicated to someone's live location: automatic suspension
#   PRIV-9b  information or conduct again after the first warning: permanent suspension
#   PRIV-9d  private media (PRIV-3g, PRIV-3h): removal, locked until it is removed
#   PRIV-9a  information or conduct, first time: removal and a temporary lock;
#            this is the warning a later violation is a repeat after
package verdict.priv

import data.verdict.history
import data.verdict.lib
import rego.v1

media_tracks := {"media", "pow"}

consequence_clause := "PRIV-9c" if {
	established
	fact("account_dedicated_to_live_location")
} else := "PRIV-9b" if {
	established
	not track in media_tracks
	history.repeat_after_warning(policy)
} else := "PRIV-9d" if {
	established
	track in media_tracks
} else := "PRIV-9a" if established

suspension := {"remove_content": true, "suspend_account": true, "appeal_available": true}

consequences := {
	"PRIV-9a": {
		"outcome": "OUTCOME_TEMPORARY_LOCK",
		"effects": {"remove_content": true, "lock": history.lock(config.lock_hours), "appeal_available": true},
		"warning": true,
	},
	"PRIV-9b": {"outcome": "OUTCOME_PERMANENT_SUSPENSION", "effects": suspension, "warning": false},
	"PRIV-9c": {"outcome": "OUTCOME_PERMANENT_SUSPENSION", "effects": suspension, "warning": false},
	"PRIV-9d": {
		"outcome": "OUTCOME_TEMPORARY_LOCK",
		"effects": {"remove_content": true, "lock": {"until_content_removed": true}, "appeal_available": true},
		"warning": false,
	},
}

# ---------------------------------------------------------------- the finding

finding := {
	"violation": true,
	"outcome": consequence.outcome,
	"effects": consequence.effects,
	"reasons": ((violations | factors) | not_established) | {lib.consequence("PRIV-9"), lib.consequence(consequence_clause), lib.process("PRIV-10")},
	"enforcement": history.enforcement(policy, consequence_clause, true, consequence.warning),
} if {
	established
	consequence := consequences[consequence_clause]
}

finding := no_violation("OUTCOME_NO_ACTION", (exceptions | factors) | not_established) if {
	not established
	excused
}

finding := no_violation("OUTCOME_HUMAN_REVIEW", reviews | factors) if {
	not established
	not excused
	held_for_review
}

finding := no_violation("OUTCOME_NO_ACTION", not_established | factors) if {
	not established
	not excused
	not held_for_review
}

no_violation(outcome, reasons) := {
	"violation": false,
	"outcome": outcome,
	"effects": {},
	"reasons": reasons,
	"enforcement": object.remove(history.enforcement(policy, "", false, false), ["clause_id"]),
}
