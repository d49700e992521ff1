# PRIV — private information and media (seed 004_84042b98b2146ae0).
#
# The case's category puts it on one track:
#   information  PRIV-3a..3f (and a screenshot that contains private information)
#   media        PRIV-3g, and prisoner-of-war media that does not meet PRIV-3h
#   pow          PRIV-3h: prisoner-of-war media by a government or state-affiliated
#                media account, posted on or after config.pow_media_since
#   conduct      PRIV-4a..4d
#   not_private  PRIV-5d1..5d7
#   unknown      no category: a human reviewer decides
#
# On the information and media tracks every exception and "not a violation"
# clause is its own rule in `exceptions`; a violation is established only when
# none applies and nothing calls for human review (`reviews`). The
# prisoner-of-war and conduct tracks have no exceptions. The PRIV-1 factors
# weighed are cited either way. A sub-item is cited together with its parent
# clause (PRIV-3a with PRIV-3, PRIV-5c with PRIV-5, ...). The rules are in
# assessment.rego; consequences (PRIV-9) and the appeal (PRIV-10) in
# consequences.rego.
#
# Hashed fields (subject_id, reporter_id, information, location) are only
# compared for equality, never read.
package verdict.priv

import data.verdict.lib
import rego.v1

policy := "POLICY_PRIVATE_INFORMATION"

config := data.verdict.config.priv

facts := object.get(input.case.violation, "priv", {})

category := object.get(facts, "category", "PRIV_CATEGORY_UNSPECIFIED")

account := object.get(input, "account", {})

reporter := object.get(input.case, "reporter", {})

content := object.get(input.case, "content", {})

fact(name) := lib.flag(facts, name)

# ---------------------------------------------------------------- categories

# PRIV-3a..3f. A location is PRIV-3a or PRIV-3b by whether it is live, not by
# the category the caller chose (see `information_clause`).
information_clauses := {
	"PRIV_CATEGORY_HOME_ADDRESS": "PRIV-3a",
	"PRIV_CATEGORY_LIVE_LOCATION": "PRIV-3b",
	"PRIV_CATEGORY_IDENTITY_DOCUMENT": "PRIV-3c",
	"PRIV_CATEGORY_CONTACT_INFORMATION": "PRIV-3d",
	"PRIV_CATEGORY_FINANCIAL": "PRIV-3e",
	"PRIV_CATEGORY_OTHER_PRIVATE": "PRIV-3f",
}

location_categories := {"PRIV_CATEGORY_HOME_ADDRESS", "PRIV_CATEGORY_LIVE_LOCATION"}

# PRIV-4a..4d
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

# PRIV-5d7: a screenshot is not private unless it contains private information.
private_screenshot if {
	category == "PRIV_CATEGORY_MESSAGE_SCREENSHOT"
	fact("contains_private_information")
}

track := "information" if {
	information_clauses[category]
} else := "information" if {
	private_screenshot
} else := "pow" if {
	category == "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"
	pow_rule
} else := "media" if {
	category in {"PRIV_CATEGORY_PRIVATE_MEDIA", "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"}
} else := "conduct" if {
	conduct_clauses[category]
} else := "not_private" if {
	not_private_clauses[category]
} else := "unknown"

# ---------------------------------------------------------------- time (PRIV-1a, PRIV-5b)

location_ns := time.parse_rfc3339_ns(facts.location_time)

# PRIV-1a: live is real time or the same day (UTC) as as_of, so the person may
# still be there. A location_time later than as_of (where someone is going to
# be: a travel route) is live too.
live if {
	category in location_categories
	lib.same_day(location_ns, lib.now_ns)
}

live if {
	category in location_categories
	location_ns > lib.now_ns
}

# A live-location report without a time is taken to be live.
live if {
	category == "PRIV_CATEGORY_LIVE_LOCATION"
	not facts.location_time
}

# PRIV-5b: a reasonable time has passed since the person was there (the
# boundary itself counts as passed).
reasonable_time_passed if {
	category in location_categories
	lib.now_ns - location_ns >= config.past_location_reasonable_days * lib.ns_per_day
}

# A home address is where someone lives, not where they were at some time: a
# HOME_ADDRESS case without a location_time. With a location_time it is a
# physical location the person was at (PRIV-3a, PRIV-5b).
home_address if {
	category == "PRIV_CATEGORY_HOME_ADDRESS"
	not facts.location_time
}

# ---------------------------------------------------------------- PRIV-3h

# Government or state-affiliated media account.
state_account if lib.flag(account, "state_affiliated_media")

state_account if lib.flag(account, "government_or_military")

# When the media was posted; as_of when the case does not say.
posted_ns := time.parse_rfc3339_ns(content.posted_at)

posted_ns := lib.now_ns if not content.posted_at

pow_rule if {
	state_account
	posted_ns >= time.parse_rfc3339_ns(config.pow_media_since)
}

# ---------------------------------------------------------------- PRIV-2: first-person reports

reporter_id := object.get(reporter, "reporter_id", "")

# The person depicted reported it: by role, or the reporter is the subject.
first_person_reports contains "PRIV-2a" if reporter.role == "REPORTER_ROLE_SUBJECT"

first_person_reports contains "PRIV-2a" if {
	reporter_id != ""
	reporter_id == object.get(facts, "subject_id", "")
}

# An authorised representative: a parent or legal guardian, lawyer or legal
# representative; the kind must be given.
first_person_reports contains "PRIV-2b" if {
	reporter.role == "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"
	object.get(reporter, "representative_kind", "REPRESENTATIVE_KIND_UNSPECIFIED") != "REPRESENTATIVE_KIND_UNSPECIFIED"
}
