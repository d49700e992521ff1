# PRIV — what the facts establish: exceptions, violations, factors.
#
# Precedence: an exception or "not a violation" clause (`exceptions`) beats a
# violation on the information and media tracks; when none applies, a clause
# that leaves the outcome to people (`reviews`) sends the case to a human
# reviewer; otherwise the violation stands. Abusive intent (PRIV-1d1) takes
# away the exceptions that depend on intent (PRIV-1d2, PRIV-1d3, PRIV-3c1,
# PRIV-5c), not the others (PRIV-0 consent, PRIV-5a, PRIV-5b).
package verdict.priv

import data.verdict.lib
import rego.v1

personal_tracks := {"information", "media"}

# ---------------------------------------------------------------- exceptions

# PRIV-5a: sharing your own information or media.
exceptions contains lib.not_a_violation(id) if {
	track in personal_tracks
	fact("shared_by_subject")
	some id in {"PRIV-5", "PRIV-5a"}
}

# PRIV-0, PRIV-1b: the person gave express permission.
exceptions contains lib.not_a_violation("PRIV-0") if {
	track in personal_tracks
	fact("subject_consented")
}

# PRIV-1d3: live location shared during a crisis to help humanitarian efforts,
# or for a public engagement event.
exceptions contains lib.exception("PRIV-1d3") if {
	track == "information"
	live
	not fact("abusive_intent")
	some name in ["crisis_help", "public_engagement_event"]
	fact(name)
}

# PRIV-1d2: shared to help someone in a crisis.
exceptions contains lib.exception("PRIV-1d2") if {
	track == "information"
	fact("crisis_help")
	not fact("abusive_intent")
}

# PRIV-5b: a publicly available location, shared after a reasonable time.
exceptions contains lib.not_a_violation(id) if {
	track == "information"
	reasonable_time_passed
	fact("publicly_available_elsewhere")
	some id in {"PRIV-5", "PRIV-5b"}
}

# PRIV-5c: non-abusive sharing of information publicly available elsewhere,
# except live location and home addresses (PRIV-1c2, see `reviews`).
exceptions contains lib.not_a_violation(id) if {
	track == "information"
	fact("publicly_available_elsewhere")
	not fact("abusive_intent")
	not live
	not home_address
	some id in {"PRIV-5", "PRIV-5c"}
}

# PRIV-3c1: ID numbers where the region does not consider them private.
exceptions contains lib.exception("PRIV-3c1") if {
	category == "PRIV_CATEGORY_IDENTITY_DOCUMENT"
	fact("regional_id_exception")
	not fact("abusive_intent")
}

# PRIV-5d: information that is not private.
exceptions contains lib.not_a_violation(id) if {
	track == "not_private"
	some id in {"PRIV-5", "PRIV-5d", not_private_clauses[category]}
	public_business_location
}

public_business_location if category != "PRIV_CATEGORY_BUSINESS_LOCATION"

public_business_location if fact("publicly_available_elsewhere")

# PRIV-6a..6d: media that is not a violation; PRIV-2c for public figures.
media_exceptions := {
	"mainstream_media_coverage": "PRIV-6a",
	"publicly_available_elsewhere": "PRIV-6a",
	"public_discourse_value": "PRIV-6b",
	"eyewitness_news": "PRIV-6c",
	"subject_is_public_figure": "PRIV-6d",
}

exceptions contains lib.not_a_violation(id) if {
	track == "media"
	some name, clause in media_exceptions
	fact(name)
	some id in {"PRIV-6", clause}
}

exceptions contains lib.exception("PRIV-2c") if {
	track == "media"
	fact("subject_is_public_figure")
}

# ---------------------------------------------------------------- human review

# PRIV-1c2 against PRIV-5c: a publicly available home address, shared without
# abusive intent, "may" still be actioned.
reviews contains lib.factor(id) if {
	track == "information"
	home_address
	fact("publicly_available_elsewhere")
	not fact("abusive_intent")
	some id in ["PRIV-1c1", "PRIV-1c2"]
}

# PRIV-5d4: a business location is only not private when it is public.
reviews contains reason if {
	track == "not_private"
	not public_business_location
	some reason in {lib.factor("PRIV-5d4"), lib.not_established("PRIV-3a")}
}

# No category: nothing says which clause the case is about.
reviews contains lib.not_established("PRIV-3") if track == "unknown"

# ---------------------------------------------------------------- violations

excused if count(exceptions) > 0

held_for_review if count(reviews) > 0

# The PRIV-3 clause an information case falls under.
information_clause := "PRIV-3b" if live

information_clause := "PRIV-3a" if {
	category in location_categories
	not live
}

information_clause := information_clauses[category] if not category in location_categories

information_clause := "PRIV-3" if private_screenshot

violations contains lib.violation(id) if {
	track == "information"
	not excused
	not held_for_review
	some id in {"PRIV-0", "PRIV-3", information_clause}
}

violations contains lib.violation(id) if {
	track == "media"
	not excused
	count(first_person_reports) > 0
	some id in {"PRIV-0", "PRIV-3", "PRIV-3g"}
}

violations contains lib.violation("PRIV-3h") if track == "pow"

violations contains lib.violation(id) if {
	track == "conduct"
	some id in {"PRIV-0", "PRIV-4", conduct_clauses[category]}
}

# PRIV-2: the first-person report the private-media violation rests on.
violations contains lib.violation(id) if {
	track == "media"
	not excused
	count(first_person_reports) > 0
	some id in first_person_reports | {"PRIV-2"}
}

established := count(violations) > 0

# ---------------------------------------------------------------- not established

# PRIV-2, PRIV-7b: without a report by the person depicted or an authorised
# representative, it cannot be established that the media was shared without
# consent.
not_established contains reason if {
	track == "media"
	not excused
	count(first_person_reports) == 0
	some reason in {lib.not_established("PRIV-2"), lib.process("PRIV-7b")}
}

# Prisoner-of-war media that is not by a government or state-affiliated media
# account, or was posted before config.pow_media_since: judged as private media.
not_established contains lib.not_established("PRIV-3h") if {
	category == "PRIV_CATEGORY_PRISONER_OF_WAR_MEDIA"
	track == "media"
}

# ---------------------------------------------------------------- factors (PRIV-1)

# The factors weighed, with the PRIV-1 groups they belong to.
factors := (weighed | weighed_groups) | {lib.factor("PRIV-1") | count(weighed) > 0}

weighed_groups contains lib.factor(group) if {
	some group, ids in factor_groups
	some r in weighed
	r.clause_id in ids
}

factor_groups := {"PRIV-1c": {"PRIV-1c1", "PRIV-1c2"}, "PRIV-1d": {"PRIV-1d1", "PRIV-1d2", "PRIV-1d3"}}

# PRIV-1a: location and phone numbers carry the most risk; live location.
weighed contains lib.factor("PRIV-1a") if {
	track == "information"
	category in (location_categories | {"PRIV_CATEGORY_CONTACT_INFORMATION"})
}

# PRIV-1b: who shares it, with whose consent.
weighed contains lib.factor("PRIV-1b") if {
	track in personal_tracks
	some name in ["shared_by_subject", "subject_consented"]
	fact(name)
}

# PRIV-1c: available elsewhere online before (live location: regardless).
weighed contains lib.factor("PRIV-1c1") if {
	track == "information"
	fact("publicly_available_elsewhere")
	not live
	not home_address
}

weighed contains lib.factor("PRIV-1c2") if {
	track == "information"
	home_address
	fact("publicly_available_elsewhere")
}

# PRIV-1d: why it is shared.
weighed contains lib.factor("PRIV-1d1") if {
	track in {"information", "conduct"}
	fact("abusive_intent")
}

weighed contains lib.factor("PRIV-1d2") if {
	track == "information"
	fact("crisis_help")
}

weighed contains lib.factor("PRIV-1d3") if {
	track == "information"
	live
}
