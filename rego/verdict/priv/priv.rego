# METADATA
# title: PRIV, private information and media
# description: >-
#   Seed 004 (December 2022). The case's category puts it on one track:
#   information (PRIV-3a-f, and a screenshot that contains private
#   information), media (PRIV-3g, and prisoner-of-war media that does not
#   meet PRIV-3h), pow (PRIV-3h: by a government or state-affiliated media
#   account, posted on or after config.pow_media_since), conduct (PRIV-4a-d)
#   or not_private (PRIV-5d1-7). A category, a screenshot's content or a
#   posting time that is not stated where it decides: human review.
#
#   On the information and media tracks every exception and "not a
#   violation" clause is an entry of its own (finding.rego); each may hold,
#   not hold, or be open because a fact it turns on is not stated (then a
#   human decides). A violation also needs the lack of consent established
#   (PRIV-0): stated, or shown by a report of the person or their
#   representative (PRIV-2, PRIV-7) or by abusive sharing (PRIV-1d1).
#   Hashed fields (subject_id, reporter_id, information, location) are only
#   compared for equality, never read.
# custom:
#   seed: 004_84042b98b2146ae0
package verdict.priv

import data.verdict.lib
import rego.v1

config := data.verdict.config.priv

facts := object.get(input.case.violation, "priv", {})

category := object.get(facts, "category", "PRIV_CATEGORY_UNSPECIFIED")

account := object.get(input, "account", {})

reporter := object.get(input.case, "reporter", {})

# ---------------------------------------------------------------- categories

# PRIV-3a-f. A location is PRIV-3a or PRIV-3b by whether it is live, not by
# the category the caller chose (see information_clause in finding.rego).
information_clauses := {
	"PRIV_CATEGORY_HOME_ADDRESS": "PRIV-3a",
	"PRIV_CATEGORY_LIVE_LOCATION": "PRIV-3b",
	"PRIV_CATEGORY_IDENTITY_DOCUMENT": "PRIV-3c",
	"PRIV_CATEGORY_CONTACT_INFORMATION": "PRIV-3d",
	"PRIV_CATEGORY_FINANCIAL": "PRIV-3e",
	"PRIV_CATEGORY_OTHER_PRIVATE": "PRIV-3f",
}

location_categories := {"PRIV_CATEGORY_HOME_ADDRESS", "PRIV_CATEGORY_LIVE_LOCATION"}

# PRIV-4a-d.
conduct_clauses := {
	"PRIV_CATEGORY_THREAT_TO_EXPOSE": "PRIV-4a",
	"PRIV_CATEGORY_HACKING_ACCESS": "PRIV-4b",
	"PRIV_CATEGORY_BOUNTY": "PRIV-4c",
	"PRIV_CATEGORY_EXTORTION": "PRIV-4d",
}

# PRIV-5d: information that is not private.
not_private_clauses := {
	"PRIV_CATEGORY_NAME": "PRIV-5d1",
	"PRIV_CATEGORY_BIRTH_DATE_OR_AGE": "PRIV-5d2",
	"PRIV_CATEGORY_SCHOOL_OR_WORK_ADDRESS": "PRIV-5d3",
	"PRIV_CATEGORY_BUSINESS_LOCATION": "PRIV-5d4",
	"PRIV_CATEGORY_APPEARANCE": "PRIV-5d5",
	"PRIV_CATEGORY_GOSSIP_OR_ALLEGATIONS": "PRIV-5d6",
	"PRIV_CATEGORY_MESSAGE_SCREENSHOT": "PRIV-5d7",
}

# METADATA
# title: The track a case takes
# description: >-
#   information, media, pow, conduct, not_private, or a review track when a
#   fact that decides the track is not stated: unknown_category,
#   unknown_screenshot (PRIV-5d7), unknown_posting_time (PRIV-3h).
track := "information" if {
	information_clauses[category]
} else := "unknown_category" if {
	category == "PRIV_CATEGORY_UNSPECIFIED"
} else := "information" if {
	# PRIV-5d7: a screenshot is not private unless it contains private information.
	category == "PRIV_CATEGORY_MESSAGE_SCREENSHOT"
	facts.contains_private_information == true
} else := "unknown_screenshot" if {
	category == "PRIV_CATEGORY_MESSAGE_SCREENSHOT"
	lib.fact(facts, "contains_private_information") == null
} else := pow_track if {
	category == "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"
} else := "media" if {
	category == "PRIV_CATEGORY_PRIVATE_MEDIA"
} else := "conduct" if {
	conduct_clauses[category]
} else := "not_private"

# ---------------------------------------------------------------- PRIV-3h

# METADATA
# title: Prisoner-of-war media (PRIV-3h)
# description: >-
#   pow when posted on or after config.pow_media_since by a government or
#   state-affiliated media account; media (judged as private media) when not
#   by such an account or posted before. When it was posted is a fact: not
#   stated, it is unknown, never as_of; a post cannot be later than as_of,
#   so a case decided before the date is settled anyway.
pow_track := "media" if {
	not lib.flag(account, "state_affiliated_media")
	not lib.flag(account, "government_or_military")
} else := "pow" if {
	time.parse_rfc3339_ns(input.case.content.posted_at) >= since
} else := "media" if {
	input.case.content.posted_at
} else := "media" if {
	lib.now_ns < since
} else := "unknown_posting_time"

since := time.parse_rfc3339_ns(config.pow_media_since)

# ---------------------------------------------------------------- time (PRIV-1a, PRIV-5b)

# METADATA
# title: Whether a location is live (PRIV-1a)
# description: >-
#   Live is real time or the same day, so the person may still be there: a
#   location_time later than as_of (where someone is going to be: a travel
#   route) is live, and so is one on the same calendar day as as_of where
#   the person is (the case's time_zone, else every zone of its country).
#   When the zones disagree, or none is known and the times are less than a
#   day apart, it is unknown (null). Without a location_time, a live
#   location is live by its category and a home address is not.
live := true if {
	location_ns > lib.now_ns
} else := days_match if {
	location_ns
} else := true if {
	category == "PRIV_CATEGORY_LIVE_LOCATION"
} else := false

location_ns := time.parse_rfc3339_ns(facts.location_time) if category in location_categories

# The zones where the person may be.
zones := [input.case.time_zone] if {
	input.case.time_zone != ""
} else := data.verdict.config.time.country_zones[input.case.country]

# For each zone: is location_time on the same calendar day as as_of there?
zone_days := {same |
	some zone in zones
	same := time.date([location_ns, zone]) == time.date([lib.now_ns, zone])
}

# The same calendar day in every zone (true), in none (false), or it depends
# on where the person is (null). With no zone known, two times a day or more
# apart are never on the same day, and any other two may or may not be.
days_match := [same | some same in zone_days][0] if {
	count(zone_days) == 1
} else := null if {
	zones
} else := false if {
	abs(lib.now_ns - location_ns) >= lib.ns_per_day
} else := true if {
	lib.now_ns == location_ns
} else := null

# PRIV-5b: a reasonable time has passed since the person was there (the
# boundary itself counts as passed).
default reasonable_time_passed := false

reasonable_time_passed if {
	(lib.now_ns - location_ns) >= (config.past_location_reasonable_days * lib.ns_per_day)
}

# A home address is where someone lives, not where they were at some time: a
# HOME_ADDRESS case without a location_time. With one it is a physical
# location the person was at (PRIV-3a, PRIV-5b).
default home_address := false

home_address if {
	category == "PRIV_CATEGORY_HOME_ADDRESS"
	not facts.location_time
}

# ---------------------------------------------------------------- PRIV-2, PRIV-7: reports by the person

reporter_id := object.get(reporter, "reporter_id", "")

# The person the information or media is about reported it: by role, or
# the reporter is the subject (the IDs are keyed hashes; equal values have
# equal hashes, and an empty reporter ID never matches).
first_person_reports contains "PRIV-2a" if input.case.reporter.role == "REPORTER_ROLE_SUBJECT"

first_person_reports contains "PRIV-2a" if {
	reporter_id != ""
	reporter_id == object.get(facts, "subject_id", "")
}

# An authorised representative: a parent or legal guardian, lawyer or legal
# representative; for media the kind must be given.
first_person_reports contains "PRIV-2b" if {
	input.case.reporter.role == "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"
	object.get(reporter, "representative_kind", "REPRESENTATIVE_KIND_UNSPECIFIED") != "REPRESENTATIVE_KIND_UNSPECIFIED"
}

# PRIV-7: for information any authorised representative (e.g. a lawyer) is the owner's voice.
default owner_reported := false

owner_reported if count(first_person_reports) > 0

owner_reported if input.case.reporter.role == "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"
