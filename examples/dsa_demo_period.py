"""Fill a running server (`make run`) with a period of decisions to report on.

    .venv/bin/python examples/dsa_demo_period.py            # 120 decisions on the demo accounts
    verdict report transparency --from 2026-01-01 --to 2027-01-01 --out var/reports/demo

The cases are fixed (no randomness): removals, locks, suspensions, visibility
limits need group designations and are left out; public-interest cases of
two years; sources, automation and the time a notice arrived vary.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from clients.client import VerdictClient

SOURCES = ["article_16_notice", "trusted_flagger", "other_notification", "own_initiative", "unspecified"]
RULES = ["violence", "hateful_conduct", "abuse_harassment", "illegal_goods", "sensitive_media", "copyright"]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def cases(now: datetime) -> list[dict]:
    out = []
    for i in range(120):
        as_of = now - timedelta(minutes=i)
        case: dict = {"content": {"kind": "post", "post_id": f"demo-post-{i}", "author_account_id": "acc-citizen"},
                      "as_of": stamp(as_of), "automated_detection": i % 3 == 0, "human_reviewed": i % 4 == 0,
                      "received_at": stamp(as_of - timedelta(hours=1 + i % 7))}
        if SOURCES[i % 5] != "unspecified":
            case["source_type"] = SOURCES[i % 5]
        kind = i % 8
        if kind == 0:
            case["violation"] = {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}}
        elif kind == 1:
            case["violation"] = {"policy": "terrorism_violent_extremism",
                                 "tve": {"category": "promotion", "group": {"on_terrorism_list": True}}}
        elif kind == 2:
            case["violation"] = {"policy": "private_information",
                                 "priv": {"category": "home_address", "location": "a street", "abusive_intent": True}}
        elif kind == 3:  # an official's post: the public-interest exception, some withheld under local law
            case["content"]["author_account_id"] = "acc-candidate-250k"
            earlier = (i // 8) % 3 == 0  # a third of them from an earlier year
            if earlier:
                case["as_of"] = stamp(as_of.replace(year=as_of.year - 1))
                del case["received_at"]
            case["violation"] = {"policy": "hateful_conduct", "rule": {"confirmed": True}}
            case["public_interest"] = {"political_statement": i % 3 != 0, "explicit_call_to_harm": i % 3 == 0,
                                       **({"local_law_withhold_countries": ["DE", "TR"]} if (i // 8) % 2 else {})}
        elif kind == 4:
            case["violation"] = {"policy": "hateful_conduct", "rule": {"confirmed": False}}
        else:
            case["violation"] = {"policy": RULES[i % len(RULES)], "rule": {"confirmed": True}}
        out.append(case)
    return out


def main() -> None:
    target = os.environ.get("VERDICT_SERVER", "127.0.0.1:50051")
    with VerdictClient(target, token=os.environ.get("VERDICT_TOKEN", "verdict-demo-token")) as client:
        decisions = client.decide_batch(cases(datetime.now(timezone.utc)))
    print(f"{len(decisions)} decisions recorded on {target}")


if __name__ == "__main__":
    main()
