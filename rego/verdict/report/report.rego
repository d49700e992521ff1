# Report admissibility: may a report be taken into review?
# POST /v1/data/verdict/report/result answers AssessReport with protobuf JSON
# of verdict.v1.ReportAssessment {admissible, expedited_review, reasons}.
#
#   TVE-6   anyone, with or without an account; at most 5 posts.
#   EI-5    only where reporting is enabled in the reporter's country;
#           selected partners have extra channels and expedited review.
#   PRIV-7  private information: anyone for clearly abusive sharing, else the
#           subject or an authorised representative; private media: a
#           first-person report only (the depicted person or a named kind of
#           authorised representative).
#   PRIV-8  at most 5 posts.
# Every report must name at least one post. Reports under the other
# policies are admissible from anyone; no clause limits them, so none is cited.
package verdict.report

import data.verdict.lib
import rego.v1

config := data.verdict.config.report

report := input.report

policy := object.get(report, "policy", "POLICY_UNSPECIFIED")

reporter := object.get(report, "reporter", {})

role := object.get(reporter, "role", "REPORTER_ROLE_UNSPECIFIED")

posts := object.get(report, "post_ids", [])

# A report names at least one post.
names_posts if count(posts) > 0

# TVE-6, PRIV-8: at least one and at most max_posts_per_report posts.
default within_post_limit := false

within_post_limit if {
	names_posts
	count(posts) <= config.max_posts_per_report
}

# ---------------------------------------------------------------- EI-5

partner if role == "REPORTER_ROLE_PARTNER"

reporting_enabled if upper(object.get(reporter, "country", "")) in {c | some c in config.ei_reporting_countries}

# Partners report through their own channels, whatever the country.
default ei_may_report := false

ei_may_report if partner

ei_may_report if reporting_enabled

# ---------------------------------------------------------------- PRIV-7

private_media if report.priv_category == "PRIV_CATEGORY_PRIVATE_MEDIA"

# The person the information or media is about. The IDs are keyed hashes:
# equal values have equal hashes; an empty reporter ID never matches.
subject if role == "REPORTER_ROLE_SUBJECT"

subject if {
	reporter_id := object.get(reporter, "reporter_id", "")
	reporter_id != ""
	reporter_id == object.get(report, "subject_id", "")
}

representative if role == "REPORTER_ROLE_AUTHORIZED_REPRESENTATIVE"

# Private media: a parent or legal guardian, lawyer or legal representative.
named_representative if {
	representative
	object.get(reporter, "representative_kind", "REPRESENTATIVE_KIND_UNSPECIFIED") != "REPRESENTATIVE_KIND_UNSPECIFIED"
}

default priv_may_report := false

# Private information shared in a clearly abusive way: anyone.
priv_may_report if {
	not private_media
	lib.flag(report, "clearly_abusive")
}

# Otherwise the owner of the information ...
priv_may_report if {
	not private_media
	subject
}

# ... or an authorised representative (e.g. a lawyer).
priv_may_report if {
	not private_media
	representative
}

# Private media: a first-person report only.
priv_may_report if {
	private_media
	subject
}

priv_may_report if {
	private_media
	named_representative
}

# ---------------------------------------------------------------- per policy

# The clauses a report is checked against, each met or not.
checks := {"TVE-6": within_post_limit} if policy == "POLICY_TERRORISM_VIOLENT_EXTREMISM"

checks := {"EI-5": ei_may_report} if policy == "POLICY_ELECTION_INTEGRITY"

checks := {"PRIV-7": priv_may_report, "PRIV-8": within_post_limit} if policy == "POLICY_PRIVATE_INFORMATION"

checks := {} if not policy in {
	"POLICY_TERRORISM_VIOLENT_EXTREMISM",
	"POLICY_ELECTION_INTEGRITY",
	"POLICY_PRIVATE_INFORMATION",
}

default admissible := false

admissible if {
	names_posts
	every _, met in checks {
		met
	}
}

# EI-5: partners get expedited review.
default expedited_review := false

expedited_review if {
	admissible
	policy == "POLICY_ELECTION_INTEGRITY"
	partner
}

reasons contains lib.criterion(id, met) if some id, met in checks

reasons contains lib.process("EI-5") if expedited_review

result := {
	"admissible": admissible,
	"expedited_review": expedited_review,
	"reasons": reasons,
}
