# PRIV: what the facts establish, and the finding.
#
# Precedence on the information and media tracks: an exception or "not a
# violation" clause that holds beats a violation; one that is open (a fact
# it turns on is not stated) sends the case to a human; so does a clause
# that leaves the outcome to people (PRIV-1c2 against PRIV-5c) and a lack of
# consent that is not established; otherwise the violation stands. Abusive
# intent (PRIV-1d1) takes away the exceptions that depend on intent
# (PRIV-1d2, PRIV-1d3, PRIV-3c1, PRIV-5c), not the others (PRIV-0 consent,
# PRIV-5a, PRIV-5b). Consequences: PRIV-9, appeal: PRIV-10.
package verdict.priv

import data.verdict.history
import data.verdict.lib
import input.case.violation.priv as stated
import rego.v1

# Facts that may be unknown (null when not stated).
abusive := object.get(facts, "abusive_intent", null)

consented := object.get(facts, "subject_consented", null)

public := object.get(facts, "publicly_available_elsewhere", false)

# Negations of facts that may be unknown.
negated := {true: false, false: true, null: null}

abusive_path := "case.violation.priv.abusive_intent"

live_path := "case.time_zone"

personal_tracks := {"information", "media"}

# METADATA
# title: The exceptions and "not a violation" clauses that hold
# description: >-
#   PRIV-5a sharing your own information; PRIV-0 the person gave express
#   permission; PRIV-1d3 live location shared during a crisis to help
#   humanitarian efforts or for a public engagement event, not abusively;
#   PRIV-1d2 shared to help someone in a crisis, not abusively; PRIV-5b a
#   publicly available location shared after a reasonable time; PRIV-5c
#   non-abusive sharing of information publicly available elsewhere, except
#   live location and home addresses (PRIV-1c2); PRIV-3c1 ID numbers where
#   the region does not consider them private, not abusively; PRIV-5d
#   information that is not private; PRIV-6a-d media that is not a
#   violation, PRIV-2c public figures.
# custom:
#   clauses: [PRIV-0, PRIV-1d2, PRIV-1d3, PRIV-2c, PRIV-3c1, PRIV-5, PRIV-5a, PRIV-5b, PRIV-5c, PRIV-5d, PRIV-5d1, PRIV-5d2, PRIV-5d3, PRIV-5d4, PRIV-5d5, PRIV-5d6, PRIV-5d7, PRIV-6, PRIV-6a, PRIV-6b, PRIV-6c, PRIV-6d]
exceptions contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	stated.shared_by_subject == true
	track in personal_tracks
	some id in ["PRIV-5", "PRIV-5a"]
}

exceptions contains {"clause_id": "PRIV-0", "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	stated.subject_consented == true
	track in personal_tracks
}

exceptions contains {"clause_id": "PRIV-1d3", "kind": "REASON_KIND_EXCEPTION"} if {
	stated.abusive_intent == false
	crisis_or_event
	live == true
	track == "information"
}

exceptions contains {"clause_id": "PRIV-1d2", "kind": "REASON_KIND_EXCEPTION"} if {
	stated.crisis_help == true
	stated.abusive_intent == false
	track == "information"
}

exceptions contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	stated.publicly_available_elsewhere == true
	reasonable_time_passed
	track == "information"
	some id in ["PRIV-5", "PRIV-5b"]
}

exceptions contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	stated.publicly_available_elsewhere == true
	stated.abusive_intent == false
	live == false
	not home_address
	track == "information"
	some id in ["PRIV-5", "PRIV-5c"]
}

exceptions contains {"clause_id": "PRIV-3c1", "kind": "REASON_KIND_EXCEPTION"} if {
	stated.regional_id_exception == true
	stated.abusive_intent == false
	stated.category == "PRIV_CATEGORY_IDENTITY_DOCUMENT"
}

exceptions contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	track == "not_private"
	public_business_location
	some id in ["PRIV-5", "PRIV-5d", not_private_clauses[category]]
}

exceptions contains {"clause_id": id, "kind": "REASON_KIND_NOT_A_VIOLATION"} if {
	track == "media"
	some name, ids in media_exceptions
	facts[name] == true
	some id in ids
}

exceptions contains {"clause_id": "PRIV-2c", "kind": "REASON_KIND_EXCEPTION"} if {
	stated.subject_is_public_figure == true
	track == "media"
}

# PRIV-6a-d: media that is not a violation.
media_exceptions := {
	"mainstream_media_coverage": ["PRIV-6", "PRIV-6a"],
	"publicly_available_elsewhere": ["PRIV-6", "PRIV-6a"],
	"public_discourse_value": ["PRIV-6", "PRIV-6b"],
	"eyewitness_news": ["PRIV-6", "PRIV-6c"],
	"subject_is_public_figure": ["PRIV-6", "PRIV-6d"],
}

default crisis_or_event := false

crisis_or_event if facts.crisis_help == true

crisis_or_event if facts.public_engagement_event == true

public_business_location if category != "PRIV_CATEGORY_BUSINESS_LOCATION"

public_business_location if public

# METADATA
# title: Exceptions that are open
# description: >-
#   An exception that would hold but for a fact that is not stated: whether
#   the sharing is abusive, or whether the location is live (the person's
#   time zone).
# custom:
#   clauses: [PRIV-1d2, PRIV-1d3, PRIV-3c1, PRIV-5c]
open_exceptions contains {"clause_id": "PRIV-1d3", "kind": "REASON_KIND_NOT_STATED", "missing_facts": missing} if {
	crisis_or_event
	track == "information"
	conditions := [[live, live_path], [negated[abusive], abusive_path]]
	not false in [value | some [value, _] in conditions]
	missing := [path | some [null, path] in conditions]
	count(missing) > 0
}

open_exceptions contains {"clause_id": "PRIV-1d2", "kind": "REASON_KIND_NOT_STATED", "missing_facts": [abusive_path]} if {
	stated.crisis_help == true
	abusive == null
	track == "information"
}

open_exceptions contains {"clause_id": "PRIV-5c", "kind": "REASON_KIND_NOT_STATED", "missing_facts": missing} if {
	stated.publicly_available_elsewhere == true
	not home_address
	track == "information"
	conditions := [[negated[live], live_path], [negated[abusive], abusive_path]]
	not false in [value | some [value, _] in conditions]
	missing := [path | some [null, path] in conditions]
	count(missing) > 0
}

open_exceptions contains {"clause_id": "PRIV-3c1", "kind": "REASON_KIND_NOT_STATED", "missing_facts": [abusive_path]} if {
	stated.regional_id_exception == true
	stated.category == "PRIV_CATEGORY_IDENTITY_DOCUMENT"
	abusive == null
}

# ---------------------------------------------------------------- human review

# METADATA
# title: What leaves the outcome to a human reviewer
# description: >-
#   An exception that is open; PRIV-1c2 against PRIV-5c (a publicly
#   available home address "may" still be actioned); a business location
#   that is not public (PRIV-5d4); a category, a screenshot's content or a
#   posting time that is not stated; a lack of consent not established.
# custom:
#   clauses: [PRIV-0, PRIV-1c1, PRIV-1c2, PRIV-3, PRIV-3a, PRIV-3h, PRIV-5d4, PRIV-5d7]
reviews contains r if some r in open_exceptions

reviews contains {"clause_id": id, "kind": "REASON_KIND_FACTOR"} if {
	stated.publicly_available_elsewhere == true
	home_address
	track == "information"
	abusive != true
	some id in ["PRIV-1c1", "PRIV-1c2"]
}

reviews contains {"clause_id": "PRIV-1c2", "kind": "REASON_KIND_NOT_STATED", "missing_facts": [abusive_path]} if {
	stated.publicly_available_elsewhere == true
	home_address
	track == "information"
	abusive == null
}

reviews contains r if {
	track == "not_private"
	not public_business_location
	some r in [
		{"clause_id": "PRIV-5d4", "kind": "REASON_KIND_FACTOR"},
		{"clause_id": "PRIV-3a", "kind": "REASON_KIND_NOT_ESTABLISHED"},
	]
}

reviews contains {"clause_id": "PRIV-3", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.category"]} if {
	track == "unknown_category"
}

reviews contains {"clause_id": "PRIV-5d7", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.contains_private_information"]} if {
	track == "unknown_screenshot"
}

reviews contains {"clause_id": "PRIV-3h", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.content.posted_at"]} if {
	track == "unknown_posting_time"
}

# PRIV-0: on the information track, lack of consent is established when it
# is stated, when the person or their representative reported it (PRIV-7),
# or when the sharing is abusive (PRIV-1d1).
reviews contains {"clause_id": "PRIV-0", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["case.violation.priv.subject_consented"]} if {
	track == "information"
	consented == null
	not owner_reported
	abusive != true
}

# ---------------------------------------------------------------- violations

default excused := false

excused if count(exceptions) > 0

default held_for_review := false

held_for_review if count(reviews) > 0

# The PRIV-3 clause an information case falls under.
information_clause := "PRIV-3" if {
	category == "PRIV_CATEGORY_MESSAGE_SCREENSHOT"
} else := "PRIV-3b" if {
	live == true
} else := "PRIV-3a" if {
	category in location_categories
} else := information_clauses[category]

# METADATA
# title: The violations the facts establish
# custom:
#   clauses: [PRIV-0, PRIV-1a, PRIV-2, PRIV-2a, PRIV-2b, PRIV-3, PRIV-3a, PRIV-3b, PRIV-3c, PRIV-3d, PRIV-3e, PRIV-3f, PRIV-3g, PRIV-3h, PRIV-4, PRIV-4a, PRIV-4b, PRIV-4c, PRIV-4d]
violations contains {"clause_id": id, "kind": "REASON_KIND_VIOLATION"} if {
	track == "information"
	not excused
	not held_for_review
	some id in ["PRIV-0", "PRIV-3", information_clause]
}

# Whether it is live is not known, and nothing else turned on it: a physical
# location either way (PRIV-3a), live perhaps.
violations contains {"clause_id": "PRIV-1a", "kind": "REASON_KIND_NOT_STATED", "missing_facts": [live_path]} if {
	track == "information"
	not excused
	not held_for_review
	live == null
}

violations contains {"clause_id": id, "kind": "REASON_KIND_VIOLATION"} if {
	track == "media"
	not excused
	count(first_person_reports) > 0
	some id in array.concat(["PRIV-0", "PRIV-2", "PRIV-3", "PRIV-3g"], [x | some x in first_person_reports])
}

violations contains {"clause_id": "PRIV-3h", "kind": "REASON_KIND_VIOLATION"} if track == "pow"

violations contains {"clause_id": id, "kind": "REASON_KIND_VIOLATION"} if {
	track == "conduct"
	some id in ["PRIV-0", "PRIV-4", conduct_clauses[category]]
}

default established := false

established if count(violations) > 0

# ---------------------------------------------------------------- not established

# METADATA
# title: What the facts do not establish
# description: >-
#   PRIV-2, PRIV-7b: without a first-person report it cannot be established
#   that private media was shared without consent. PRIV-3h: prisoner-of-war
#   media that is not by a government or state-affiliated media account, or
#   was posted before the date, is judged as private media.
# custom:
#   clauses: [PRIV-2, PRIV-7b, PRIV-3h]
not_established contains r if {
	track == "media"
	not excused
	count(first_person_reports) == 0
	some r in [{"clause_id": "PRIV-2", "kind": "REASON_KIND_NOT_ESTABLISHED"}, {"clause_id": "PRIV-7b", "kind": "REASON_KIND_PROCESS"}]
}

# Prisoner-of-war media that is not by a government or state-affiliated media
# account, or was posted before config.pow_media_since: judged as private media.
not_established contains {"clause_id": "PRIV-3h", "kind": "REASON_KIND_NOT_ESTABLISHED"} if {
	category == "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"
	track == "media"
}

# ---------------------------------------------------------------- factors (PRIV-1)

# METADATA
# title: The PRIV-1 factors weighed
# custom:
#   clauses: [PRIV-1, PRIV-1a, PRIV-1b, PRIV-1c, PRIV-1c1, PRIV-1c2, PRIV-1d, PRIV-1d1, PRIV-1d2, PRIV-1d3]
weighed contains "PRIV-1a" if {
	# Location and phone numbers carry the most risk; live location.
	track == "information"
	category in {"PRIV_CATEGORY_HOME_ADDRESS", "PRIV_CATEGORY_LIVE_LOCATION", "PRIV_CATEGORY_CONTACT_INFORMATION"}
}

# Who shares it, with whose consent.
weighed contains "PRIV-1b" if {
	stated.shared_by_subject == true
	track in {"information", "media"}
}

weighed contains "PRIV-1b" if {
	stated.subject_consented == true
	track in {"information", "media"}
}

weighed contains "PRIV-1c1" if {
	# Available elsewhere online before (live location: regardless).
	stated.publicly_available_elsewhere == true
	track == "information"
	live == false
	not home_address
}

weighed contains "PRIV-1c2" if {
	stated.publicly_available_elsewhere == true
	track == "information"
	home_address
}

weighed contains "PRIV-1d1" if {
	# Why it is shared.
	stated.abusive_intent == true
	track in {"information", "conduct"}
}

weighed contains "PRIV-1d2" if {
	stated.crisis_help == true
	track == "information"
}

weighed contains "PRIV-1d3" if {
	track == "information"
	live == true
}

factor_groups := {"PRIV-1c1": "PRIV-1c", "PRIV-1c2": "PRIV-1c", "PRIV-1d1": "PRIV-1d", "PRIV-1d2": "PRIV-1d", "PRIV-1d3": "PRIV-1d"}

factors contains {"clause_id": id, "kind": "REASON_KIND_FACTOR"} if {
	some weighed_id in weighed
	some id in {weighed_id, object.get(factor_groups, weighed_id, "PRIV-1"), "PRIV-1"}
}

# ---------------------------------------------------------------- consequences (PRIV-9, PRIV-10)

# METADATA
# title: The PRIV-9 consequence
# description: >-
#   PRIV-9c an account dedicated to sharing someone's live location (an
#   account property in the store, or stated in the case): automatic
#   suspension. PRIV-9b information or conduct again after the first warning:
#   permanent suspension. PRIV-9d private media (PRIV-3g, PRIV-3h): removal,
#   locked until it is removed. PRIV-9a information or conduct, first time:
#   removal and a temporary lock; this is the warning a later violation is a
#   repeat after.
# custom:
#   clauses: [PRIV-9a, PRIV-9b, PRIV-9c, PRIV-9d]
consequence_clause := "PRIV-9c" if {
	stated.account_dedicated_to_live_location == true
} else := "PRIV-9c" if {
	input.account.dedicated_to_live_location == true
} else := "PRIV-9b" if {
	not track in {"media", "pow"}
	history.standing.repeat_after_warning
} else := "PRIV-9d" if {
	track in {"media", "pow"}
} else := "PRIV-9a"

# What the consequence does: [the outcome, the effects, whether it is the
# account's warning].
consequence := ["OUTCOME_PERMANENT_SUSPENSION", {"remove_content": true, "suspend_account": true, "appeal_available": true}, false] if {
	consequence_clause in {"PRIV-9b", "PRIV-9c"}
} else := ["OUTCOME_TEMPORARY_LOCK", {"remove_content": true, "lock": {"until_content_removed": true}, "appeal_available": true}, false] if {
	consequence_clause == "PRIV-9d"
} else := ["OUTCOME_TEMPORARY_LOCK", {"remove_content": true, "lock": history.lock(config.lock_hours), "appeal_available": true}, true]

# ---------------------------------------------------------------- the finding

no_violation(outcome, reasons) := {
	"violation": false,
	"outcome": outcome,
	"effects": {},
	"reasons": [r | some r in reasons],
	"enforcement": {
		"counts_as_violation": false,
		"prior_violations": history.standing.prior_violations,
		"repeat_after_warning": history.standing.repeat_after_warning,
		"warning": false,
	},
}

# The case claims a fact an exception or a review turns on (true).
claims_exception if true in object.filter(facts, [
	"shared_by_subject", "subject_consented", "publicly_available_elsewhere", "crisis_help",
	"public_engagement_event", "regional_id_exception",
])

# The lack of consent is established (PRIV-0): stated, reported by the
# person or their representative (PRIV-7), or shown by abusive sharing
# (PRIV-1d1).
consent_lacking if stated.subject_consented == false

consent_lacking if stated.abusive_intent == true

consent_lacking if owner_reported

# METADATA
# title: A violation with nothing else in play
# description: >-
#   Information (PRIV-3a-f) or conduct (PRIV-4a-d) shared while the case
#   claims none of the facts an exception or a review turns on, with the lack
#   of consent established (stated, reported by the person, or abusive
#   sharing) and whether a location is live known: the violation follows
#   from the category, and the exceptions need not be weighed at all. Every
#   other case takes the general path below, which gives the same answer
#   here.
# custom:
#   clauses: [PRIV-0, PRIV-3, PRIV-3a, PRIV-3b, PRIV-3c, PRIV-3d, PRIV-3e, PRIV-3f, PRIV-4, PRIV-4a, PRIV-4b, PRIV-4c, PRIV-4d]
plain_violation := [
	{"clause_id": "PRIV-0", "kind": "REASON_KIND_VIOLATION"},
	{"clause_id": "PRIV-3", "kind": "REASON_KIND_VIOLATION"},
	{"clause_id": information_clause, "kind": "REASON_KIND_VIOLATION"},
] if {
	information_clauses[category]
	not claims_exception
	consent_lacking
	live != null
} else := [
	{"clause_id": "PRIV-0", "kind": "REASON_KIND_VIOLATION"},
	{"clause_id": "PRIV-4", "kind": "REASON_KIND_VIOLATION"},
	{"clause_id": conduct_clauses[category], "kind": "REASON_KIND_VIOLATION"},
] if {
	conduct_clauses[category]
}

# METADATA
# title: The PRIV finding
# description: >-
#   A violation with its PRIV-9 consequence; an exception that holds, no
#   action; something for people to decide, human review; otherwise nothing
#   is established, no action.
# custom:
#   clauses: [PRIV-9, PRIV-10]
finding := {
	"violation": true,
	"outcome": outcome,
	"effects": effects,
	"reasons": array.concat(
		array.concat(plain_violation, [r | some r in factors]),
		[
			{"clause_id": "PRIV-9", "kind": "REASON_KIND_CONSEQUENCE"},
			{"clause_id": consequence_clause, "kind": "REASON_KIND_CONSEQUENCE"},
			{"clause_id": "PRIV-10", "kind": "REASON_KIND_PROCESS"},
		],
	),
	"enforcement": history.enforcement(consequence_clause, true, warning),
} if {
	plain_violation
	[outcome, effects, warning] := consequence
} else := {
	"violation": true,
	"outcome": outcome,
	"effects": effects,
	"reasons": array.concat(
		[r | some r in (violations | factors) | not_established],
		[
			{"clause_id": "PRIV-9", "kind": "REASON_KIND_CONSEQUENCE"},
			{"clause_id": consequence_clause, "kind": "REASON_KIND_CONSEQUENCE"},
			{"clause_id": "PRIV-10", "kind": "REASON_KIND_PROCESS"},
		],
	),
	"enforcement": history.enforcement(consequence_clause, true, warning),
} if {
	established
	[outcome, effects, warning] := consequence
} else := no_violation("OUTCOME_NO_ACTION", (exceptions | factors) | not_established) if {
	excused
} else := no_violation("OUTCOME_HUMAN_REVIEW", reviews | factors) if {
	held_for_review
} else := no_violation("OUTCOME_NO_ACTION", not_established | factors)
