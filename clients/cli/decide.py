"""`verdict decide`: ask the server what the policies say about a case."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from clients.cli.labels import enum_words, label
from shared.terminal import fail, print_json
from shared.timeutil import rfc3339, utcnow

POLICY_ALIASES = {
    "tve": "terrorism_violent_extremism",
    "ei": "election_integrity",
    "cha": "coordinated_harmful_activity",
    "priv": "private_information",
}
FACTS_FIELD = {
    "terrorism_violent_extremism": "tve",
    "election_integrity": "ei",
    "coordinated_harmful_activity": "cha",
    "private_information": "priv",
}

EXAMPLES = """\
examples:
  # a verified candidate with 250,000 followers posts hateful conduct
  verdict decide --account acc-candidate-250k --post post-1 --policy hateful_conduct

  # the same from a JSON file (a Case in protobuf JSON; short enum names allowed)
  verdict decide examples/cases/candidate_hateful_conduct.json

  # election integrity, with facts of the policy
  verdict decide --account acc-citizen --post post-9 --policy ei --category how_to_vote --fact confirmed=true

  # machine-readable
  verdict decide examples/cases/candidate_hateful_conduct.json --json
"""


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "decide",
        help="ask the server for a decision on a case",
        description=(
            "Send a case to the verdict server and print the decision: the outcome, its effects, the\n"
            "public-interest assessment and the clauses it rests on. The case comes from a JSON file\n"
            "(a verdict.v1.Case, or {\"case\": ...}) or is built from the flags below; flags override\n"
            "the file. The server enriches it with the author's account from its account store."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="JSON file with the case ('-' for standard input)")
    p.add_argument("--account", help="author's account ID (case.content.author_account_id)")
    p.add_argument("--post", help="post ID (the content is a post)")
    p.add_argument("--profile", action="store_true", help="the content is the account's profile, not a post")
    p.add_argument("--policy", help="the rule alleged: tve, ei, cha, priv, hateful_conduct, abuse_harassment, violence, ...")
    p.add_argument("--category", help="the policy's category, e.g. how_to_vote (EI), recruitment (TVE), live_location (PRIV)")
    p.add_argument("--fact", action="append", default=[], metavar="NAME=VALUE",
                   help="a fact of the policy (repeatable), e.g. confirmed=true, group_id=g-1. A fact left out is "
                        "not stated: where it decides, the case goes to human review (state false to say no). For "
                        "other rules (hateful_conduct, ...) confirmed=true is the default")
    p.add_argument("--pi", action="append", default=[], metavar="FACTOR",
                   help="a public-interest fact that holds (repeatable), e.g. political_statement, explicit_call_to_harm")
    p.add_argument("--withhold-in", action="append", default=[], metavar="CC", help="country whose law requires withholding (PI-7)")
    p.add_argument("--country", help="ISO country of the case, e.g. NL (also where the person is, for \"the same day\")")
    p.add_argument("--time-zone", help="IANA time zone where the person is, e.g. Europe/Amsterdam (PRIV-1a \"the same day\")")
    p.add_argument("--as-of", help="RFC 3339 time to decide for (default: now)")
    p.add_argument("--apply", action="store_true", help="also record the decision in the account's history")
    p.add_argument("--public-interest-only", action="store_true", help="only the public-interest assessment (CheckPublicInterest)")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the output, labels and reasons (default en)")
    p.add_argument("--json", action="store_true", help="print the decision as protobuf JSON")
    add_connection_args(p)
    p.set_defaults(handler=run)


def add_connection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", default=os.environ.get("VERDICT_SERVER", "127.0.0.1:50051"),
                   help="server address (default 127.0.0.1:50051; VERDICT_SERVER)")
    p.add_argument("--token", default=os.environ.get("VERDICT_TOKEN"), help="caller token (VERDICT_TOKEN)")
    p.add_argument("--ca", default=os.environ.get("VERDICT_CA"), help="CA certificate for TLS (VERDICT_CA)")
    p.add_argument("--cert", default=os.environ.get("VERDICT_CLIENT_CERT"), help="client certificate for mTLS")
    p.add_argument("--key", default=os.environ.get("VERDICT_CLIENT_KEY"), help="client private key for mTLS")


def connect(args: argparse.Namespace):
    from clients.client import VerdictClient

    def read(path: str | None) -> bytes | None:
        return open(path, "rb").read() if path else None

    return VerdictClient(args.server, token=args.token, root_certificates=read(args.ca),
                         certificate_chain=read(args.cert), private_key=read(args.key))


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    return text


def build_case(args: argparse.Namespace) -> dict[str, Any]:
    """The case as protobuf JSON, from the file and then the flags."""
    case: dict[str, Any] = {}
    if args.file:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        doc = json.loads(text)
        case = doc.get("case", doc) if isinstance(doc, dict) else doc
    content = case.setdefault("content", {})
    if args.account:
        content["author_account_id"] = args.account
    if args.post:
        content["post_id"] = args.post
        content.setdefault("kind", "post")
    if args.profile:
        content["kind"] = "profile"
    violation = case.setdefault("violation", {})
    if args.policy:
        violation["policy"] = POLICY_ALIASES.get(args.policy.lower(), args.policy.lower())
    policy = str(violation.get("policy", "")).lower().removeprefix("policy_")
    facts_field = FACTS_FIELD.get(policy, "rule")
    if args.category or args.fact or (args.policy and facts_field == "rule"):
        facts = violation.setdefault(facts_field, {})
        if facts_field == "rule":
            facts.setdefault("confirmed", True)
        if args.category:
            facts["category"] = args.category
        for item in args.fact:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--fact {item!r}: expected NAME=VALUE")
            facts[name.strip()] = _value(value.strip())
    if args.pi or args.withhold_in:
        pi = case.setdefault("public_interest", {})
        for name in args.pi:
            pi[name] = True
        if args.withhold_in:
            pi["local_law_withhold_countries"] = [c.upper() for c in args.withhold_in]
    if args.country:
        case["country"] = args.country
    if args.time_zone:
        case["time_zone"] = args.time_zone
    if args.as_of:
        case["as_of"] = args.as_of
    case.setdefault("as_of", rfc3339(utcnow().replace(microsecond=0)))
    return case


def run(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.protojson import ProtoJsonError, to_dict

    try:
        case = build_case(args)
    except (OSError, ValueError) as exc:
        return fail(str(exc))
    try:
        with connect(args) as client:
            if args.public_interest_only:
                response = client.check_public_interest(case)
                if args.json:
                    print_json(to_dict(response))
                else:
                    print(f"{label('assessment', args.lang)} {response.decision_id}  "
                          f"({label('policy_revision', args.lang)} {response.policy_revision[:12]})")
                    print_public_interest(response.assessment, args.lang)
                return 0
            decision = client.decide(case, apply=args.apply)
    except ProtoJsonError as exc:
        return fail(f"the case does not fit verdict.v1.Case: {exc}")
    except VerdictError as exc:
        return fail(f"{exc.code.name}: {exc.details}", 1)
    except OSError as exc:
        return fail(str(exc))
    if args.json:
        print_json(to_dict(decision))
    else:
        print_decision(decision, args.lang)
    return 0


# ---------------------------------------------------------------- readable output

def _text(item: Any, lang: str) -> str:
    return item.text_nl if lang == "nl" else item.text_en


def print_decision(decision: Any, lang: str = "en") -> None:
    from verdict.v1 import case_pb2, decision_pb2

    outcome = enum_words(decision_pb2.Outcome, decision.outcome, "OUTCOME_", lang).upper()
    print(f"{label('decision', lang)} {decision.decision_id}")
    print(f"  {label('policy', lang) + ':':<9} {enum_words(case_pb2.Policy, decision.policy, 'POLICY_', lang)}")
    print(f"  {label('as_of', lang) + ':':<9} {decision.as_of.ToJsonString()}   {label('revision', lang)} {decision.policy_revision[:12]}")
    print(f"\n{label('outcome', lang)}: {outcome}")
    print(f"  {decision.summary_nl if lang == 'nl' else decision.summary_en}")
    print_effects(decision.effects, lang)
    if decision.enforcement.counts_as_violation or decision.enforcement.prior_violations:
        e = decision.enforcement
        print(f"\n{label('history', lang)}: {label('earlier', lang, n=e.prior_violations)}"
              + (label("repeat", lang) if e.repeat_after_warning else "")
              + (label("warning", lang) if e.warning else "")
              + (label("recorded", lang) if decision.applied else ""))
    if decision.HasField("public_interest") and decision.public_interest.criteria:
        print()
        print_public_interest(decision.public_interest, lang)
    print(f"\n{label('reasons', lang)}:")
    for r in decision.reasons:
        kind = enum_words(decision_pb2.ReasonKind, r.kind, "REASON_KIND_", lang)
        print(f"  {r.clause_id:<9} {kind:<20} {_text(r, lang)}")


def print_effects(effects: Any, lang: str = "en") -> None:
    from verdict.v1 import decision_pb2

    lines = []
    if effects.remove_content:
        lines.append(label("removal", lang))
    if effects.suspend_account:
        lines.append(label("suspended", lang))
    if effects.HasField("lock"):
        lock = effects.lock
        if lock.until_content_removed:
            lines.append(label("locked_until_removed", lang))
        else:
            lines.append(label("locked_for", lang, hours=lock.duration.seconds // 3600, until=lock.ends_at.ToJsonString()))
    if effects.behind_notice:
        lines.append(label("behind_notice", lang))
    if effects.disabled_engagements:
        lines.append(f"{label('disabled', lang)}: "
                     + ", ".join(enum_words(decision_pb2.Engagement, e, "ENGAGEMENT_", lang) for e in effects.disabled_engagements))
    if effects.limited_surfaces:
        lines.append(f"{label('limited_in', lang)}: "
                     + ", ".join(enum_words(decision_pb2.Surface, s, "SURFACE_", lang) for s in effects.limited_surfaces))
    if effects.HasField("visibility_limit_expires_at"):
        lines.append(label("limits_expire", lang, at=effects.visibility_limit_expires_at.ToJsonString()))
    if effects.withheld_in_countries:
        lines.append(f"{label('withheld_in', lang)}: " + ", ".join(effects.withheld_in_countries))
    if effects.appeal_available:
        lines.append(label("appeal", lang))
    print(f"{label('effects', lang)}:")
    for line in lines or [label("none", lang)]:
        print(f"  - {line}")


def print_public_interest(assessment: Any, lang: str = "en") -> None:
    from verdict.v1 import decision_pb2

    verdict = label("eligible", lang) if assessment.eligible else label("not_eligible", lang)
    print(f"{label('pi', lang)}: {verdict}")
    for c in assessment.criteria:
        print(f"  [{'x' if c.met else ' '}] {c.clause_id:<7} {_text(c, lang)}")
    print(f"  {label('likelihood', lang)}: {enum_words(decision_pb2.LikelihoodBand, assessment.likelihood, 'LIKELIHOOD_BAND_', lang)}"
          + (f"  — {label('never', lang)}" if assessment.never_eligible else ""))
    for f in assessment.factors:
        direction = label("toward_notice" if f.direction == decision_pb2.FACTOR_DIRECTION_TOWARD_NOTICE else "toward_removal", lang)
        print(f"  {label('factor', lang)} {f.clause_id:<6} {direction}: {_text(f, lang)}")
    if assessment.eligible:
        print(f"  {label('recommendation', lang)}: "
              f"{enum_words(decision_pb2.Recommendation, assessment.recommendation, 'RECOMMENDATION_', lang)}")
        print(f"  {label('route', lang)}: " + " -> ".join(f"{s.clause_id} {s.team}" for s in assessment.route))
