"""The transparency report over a generated period, on SQLite and PostgreSQL:
every figure is counted from decisions made for the test, and the CLI writes
it as JSON, CSV and an HTML page with charts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from clients.client import VerdictClient
from shared.protojson import to_plain_dict

from tests.conftest import import_accounts, start_server
from tests.integration.test_cli import verdict


def _rfc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _case(account: str, post: str, violation: dict, as_of: str, **extra) -> dict:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": account}, "violation": violation,
            "as_of": as_of, **extra}


@pytest.fixture
def period(db_url, opa_url, tmp_path):
    """A server and a period holding known decisions: 7 restrictions among 11 decisions."""
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path)
    started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    now = _rfc(datetime.now(timezone.utc))
    hours_before = lambda h: _rfc(datetime.now(timezone.utc) - timedelta(hours=h))  # noqa: E731
    violence = {"policy": "violence", "rule": {"confirmed": True}}
    terror = {"policy": "terrorism_violent_extremism", "tve": {"category": "promotion", "group": {"on_terrorism_list": True}}}
    hateful = {"policy": "hateful_conduct", "rule": {"confirmed": True}}
    cases = [
        _case("acc-citizen", "r-1", violence, now, source_type="SOURCE_TYPE_ARTICLE_16_NOTICE", automated_detection=True, received_at=hours_before(1)),
        _case("acc-citizen", "r-2", violence, now, source_type="SOURCE_TYPE_ARTICLE_16_NOTICE", automated_detection=True, received_at=hours_before(2)),
        _case("acc-citizen", "r-3", violence, now, source_type="SOURCE_TYPE_ARTICLE_16_NOTICE", automated_detection=False,
              human_reviewed=True, received_at=hours_before(3)),
        _case("acc-citizen", "r-4", terror, now, received_at=hours_before(4)),
        _case("acc-citizen", "r-5", terror, now),
        _case("acc-citizen", "r-6", {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}}, now,
              source_type="SOURCE_TYPE_TRUSTED_FLAGGER", received_at=hours_before(5)),
        _case("acc-candidate-250k", "pi-withheld", hateful, now, received_at=hours_before(6),
              public_interest={"political_statement": True, "local_law_withhold_countries": ["DE"]}),
        _case("acc-citizen", "n-1", {"policy": "hateful_conduct", "rule": {"confirmed": False}}, now),
        _case("acc-citizen", "n-2", {"policy": "hateful_conduct", "rule": {"confirmed": False}}, now),
        _case("acc-candidate-250k", "pi-2023", hateful, "2023-06-01T10:00:00Z", public_interest={"political_statement": True}),
        _case("acc-candidate-250k", "pi-2024", hateful, "2024-03-01T10:00:00Z", public_interest={"explicit_call_to_harm": True}),
    ]
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        for case in cases:
            client.decide(case)
        client.check_public_interest(_case("acc-candidate-250k", "pi-check", hateful, "2024-03-02T10:00:00Z",
                                           public_interest={"political_statement": True}))
        yield client, app, _rfc(started), _rfc(datetime.now(timezone.utc) + timedelta(hours=1))
    app.stop()


def test_report_counts_every_figure_of_the_period(period):
    client, _, start, end = period
    report = to_plain_dict(client.transparency_report(start, end))
    assert report["decisions"] == 11
    assert report["decisions_by_outcome"] == {"OUTCOME_NO_ACTION": 2, "OUTCOME_PERMANENT_SUSPENSION": 2,
                                              "OUTCOME_PUBLIC_INTEREST_REVIEW": 3, "OUTCOME_REQUIRE_REMOVAL": 3,
                                              "OUTCOME_TEMPORARY_LOCK": 1}
    assert report["restrictions"] == 7
    assert report["by_policy"] == {"POLICY_ELECTION_INTEGRITY": 1, "POLICY_HATEFUL_CONDUCT": 1,
                                   "POLICY_TERRORISM_VIOLENT_EXTREMISM": 2, "POLICY_VIOLENCE": 3}
    assert report["by_outcome"] == {"OUTCOME_PERMANENT_SUSPENSION": 2, "OUTCOME_PUBLIC_INTEREST_REVIEW": 1,
                                    "OUTCOME_REQUIRE_REMOVAL": 3, "OUTCOME_TEMPORARY_LOCK": 1}
    assert report["by_clause"]["PI-0"] == 3 and report["by_clause"]["TVE-7"] == 2 and report["by_clause"]["EI-6a"] == 1
    assert report["by_clause"]["PI-7"] == 1 and "PI-1" not in report["by_clause"]  # a withholding rests on local law
    assert report["by_source_type"] == {"SOURCE_ARTICLE_16": 3, "SOURCE_TRUSTED_FLAGGER": 1, "SOURCE_VOLUNTARY (not stated)": 3}
    assert report["by_automated_detection"] == {"No": 1, "No (not stated)": 4, "Yes": 2}
    assert report["by_automated_decision"] == {"AUTOMATED_DECISION_FULLY": 6, "AUTOMATED_DECISION_PARTIALLY": 1}
    assert report["by_decision_ground"] == {"DECISION_GROUND_ILLEGAL_CONTENT": 1, "DECISION_GROUND_INCOMPATIBLE_CONTENT": 6}
    assert report["by_category"] == {"STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": 1,
                                     "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": 1,
                                     "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": 2, "STATEMENT_CATEGORY_VIOLENCE": 3}
    wait = report["time_to_decision"]
    assert (wait["measured"], wait["from_received_at"], wait["from_as_of"]) == (7, 6, 1)
    assert 3 * 3600 <= wait["median_seconds"] < 3 * 3600 + 120   # the middle of 0, 1, 2, 3, 4, 5, 6 hours
    assert report["suspensions"] == {"total": 2, "by_policy": {"POLICY_TERRORISM_VIOLENT_EXTREMISM": 2}}
    complaints = report["complaints"]
    assert complaints["available"] is False and "appeals" in complaints["note"]
    assert not {"received", "upheld", "overturned", "modified", "median_days_to_resolve"} & set(complaints)
    this_year = datetime.now(timezone.utc).year
    assert report["public_interest"] == [
        {"year": 2023, "eligible_posts": 1, "notice_recommended": 1, "removal_recommended": 0},
        {"year": 2024, "eligible_posts": 2, "notice_recommended": 1, "removal_recommended": 1},
        {"year": this_year, "eligible_posts": 1, "notice_recommended": 1, "removal_recommended": 0},
    ]
    assert all("kept_behind_notice" not in year for year in report["public_interest"])
    assert report["statement_errors"] == 0


def test_an_empty_period_has_zeros_not_errors(period):
    client, *_ = period
    report = to_plain_dict(client.transparency_report("2019-01-01T00:00:00Z", "2019-02-01T00:00:00Z"))
    assert (report["decisions"], report["restrictions"], report["public_interest"]) == (0, 0, [])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_writes_json_csv_and_a_chart_page(period, tmp_path):
    _, app, start, end = period
    out = tmp_path / "report"
    result = verdict("report", "transparency", "--from", start, "--to", end, "--out", str(out),
                     env={"VERDICT_SERVER": f"127.0.0.1:{app.port}"})
    assert result.returncode == 0, result.stderr
    assert "11 decisions, 7 restrictions, 2 suspensions" in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["restrictions"] == 7 and report["from"] == start
    rows = list(csv.reader(io.StringIO((out / "report.csv").read_text())))
    assert rows[0] == ["section", "key", "value"]
    assert ["by_policy", "POLICY_VIOLENCE", "3"] in rows
    assert ["suspensions", "total", "2"] in rows
    assert ["complaints", "available", "False"] in rows and ["complaints", "received", ""] in rows
    assert ["public_interest_2023", "eligible_posts", "1"] in rows
    page = (out / "report.html").read_text()
    assert page.count("<svg") == 5 and "Restrictions by policy" in page and "POLICY_VIOLENCE" in page
    assert "not recorded" in page and "not available" in page


def test_cli_refuses_a_bad_date(period):
    _, app, *_ = period
    result = verdict("report", "transparency", "--from", "May 2024", "--to", "2024-06-01",
                     env={"VERDICT_SERVER": f"127.0.0.1:{app.port}"})
    assert result.returncode == 2 and "--from: expected a day like 2024-05-01" in result.stderr
