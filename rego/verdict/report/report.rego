# METADATA
# title: Report admissibility
# description: >-
#   May a report be taken into review? TVE-6: anyone, with or without an
#   account, for at most config.max_posts_per_report posts. EI-5: only where
#   reporting is enabled in the reporter's country (config); selected
#   partners have their own channels and expedited review. PRIV-7: private
#   information, anyone for clearly abusive sharing, else the subject or an
#   authorised representative; private media, a first-person report only
#   (the person depicted or a named kind of representative). PRIV-8: at most
#   config.max_posts_per_report posts. Every report must name at least one
#   post. Reports under the other policies are admissible from anyone; no
#   clause limits them, so none is cited.
package verdict.report

import data.verdict.lib
import rego.v1

config := data.verdict.config.report

report := input.report

policy := object.get(report, "policy", "POLICY_UNSPECIFIED")

reporter := object.get(report, "reporter", {})

role := object.get(reporter, "role", "REPORTER_ROLE_UNSPECIFIED")

posts := object.get(report, "post_ids", [])

# TVE-6, PRIV-8: at least one and at most config.max_posts_per_report posts.
default within_post_limit := false

within_post_limit if {
	count(posts) > 0
	count(posts) <= config.max_posts_per_report
}

post_values := {"posts": format_int(count(posts), 10), "max_posts": format_int(config.max_posts_per_report, 10)}

# ---------------------------------------------------------------- EI-5

country := upper(object.get(reporter, "country", ""))

default reporting_enabled := false

reporting_enabled if country in {c | some c in config.ei_reporting_countries}

# Partners report through their own channels, whatever the country.
default ei_may_report := false

ei_may_report if role == "REPORTER_ROLE_PARTNER"

ei_may_report if reporting_enabled

# ---------------------------------------------------------------- PRIV-7

# The person the information or media is about. The IDs are keyed hashes:
# equal values have equal hashes; an empty reporter ID never matches.
default subject := false

subject if role == "REPORTER_ROLE_SUBJECT"

subject if {
	reporter_id := object.get(reporter, "reporter_id", "")
	reporter_id != ""
	reporter_id == object.get(report, "subject_id", "")
}

default representative := false

representative if role == "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"

# Private media: a parent or legal guardian, lawyer or legal representative.
default named_representative := false

named_representative if {
	representative
	object.get(reporter, "representative_kind", "REPRESENTATIVE_KIND_UNSPECIFIED") != "REPRESENTATIVE_KIND_UNSPECIFIED"
}

# Private information: anyone for clearly abusive sharing, otherwise the
# owner of the information or an authorised representative (e.g. a lawyer).
default information_may_report := false

information_may_report if lib.flag(report, "clearly_abusive")

information_may_report if subject

information_may_report if representative

# Private media: a first-person report only.
default media_may_report := false

media_may_report if subject

media_may_report if named_representative

priv_category := object.get(report, "priv_category", "PRIV_CATEGORY_UNSPECIFIED")

# PRIV-7 for the kind reported; a kind not stated settles it only when
# either kind would give the same answer.
priv_may_report := media_may_report if {
	priv_category == "PRIV_CATEGORY_PRIVATE_MEDIA"
} else := information_may_report if {
	priv_category != "PRIV_CATEGORY_UNSPECIFIED"
} else := media_may_report if {
	media_may_report == information_may_report
} else := null

# ---------------------------------------------------------------- per policy

criterion_kinds := {true: "REASON_KIND_CRITERION_MET", false: "REASON_KIND_CRITERION_NOT_MET"}

limit_reason(id) := {"clause_id": id, "kind": criterion_kinds[within_post_limit], "values": post_values}

# METADATA
# title: The clauses a report is checked against
# description: '[reason, met] for each: met is true, false, or null when a fact it turns on is not stated.'
# custom:
#   clauses: [TVE-6, EI-5, PRIV-7, PRIV-8]
checks := [[limit_reason("TVE-6"), within_post_limit]] if {
	policy == "POLICY_TERRORISM_VIOLENT_EXTREMISM"
} else := [[
	{"clause_id": "EI-5", "kind": criterion_kinds[ei_may_report]},
	ei_may_report,
]] if {
	policy == "POLICY_ELECTION_INTEGRITY"
} else := [[priv_7_reason, priv_may_report], [limit_reason("PRIV-8"), within_post_limit]] if {
	policy == "POLICY_PRIVATE_INFORMATION"
} else := []

priv_7_reason := {"clause_id": "PRIV-7", "kind": criterion_kinds[priv_may_report]} if {
	priv_may_report != null
} else := {"clause_id": "PRIV-7", "kind": "REASON_KIND_NOT_STATED", "missing_facts": ["report.priv_category"]}

# METADATA
# title: Admissible
# description: >-
#   The report names a post and meets every check; a check that is open (a
#   fact not stated) does not admit it.
default admissible := false

admissible if {
	count(posts) > 0
	every check in checks {
		check[1] == true
	}
}

# EI-5: partners get expedited review.
default expedited_review := false

expedited_review if {
	admissible
	policy == "POLICY_ELECTION_INTEGRITY"
	role == "REPORTER_ROLE_PARTNER"
}

# METADATA
# title: The report assessment
# description: POST /v1/data/verdict/report/result answers AssessReport.
# entrypoint: true
result := {
	"admissible": admissible,
	"expedited_review": expedited_review,
	"reasons": array.concat(
		[r | some [r, _] in checks],
		[{"clause_id": "EI-5", "kind": "REASON_KIND_PROCESS"} | expedited_review],
	),
}
