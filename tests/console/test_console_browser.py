"""The console in a real browser: Debian's Chromium, headless, driven by Playwright.

One browser for the whole module (one new context per test); each page the
tests reach is written to var/screenshots/. Any error in the browser's
console, such as a Content-Security-Policy violation, fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ROOT
from tests.console.conftest import candidate_bundle

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "var" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, console) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP, base_url=console.url.rstrip("/"))
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
    assert errors == [], f"errors in the browser's console: {errors}"


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def sign_in(page: Page, name: str, then: str = "/") -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("Caller token").fill(f"token-{name}")
    page.keyboard.press("Enter")  # the form works from the keyboard
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def api_decision(console, decision_id: str):
    from clients.client import VerdictClient

    with VerdictClient(f"127.0.0.1:{console.app.port}", token="token-auditor") as client:
        return client.get_decision(decision_id).decision


def test_an_auditor_signs_in_searches_opens_a_decision_and_reads_it_in_dutch(console, page):
    page.goto("/decisions")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "sign-in")
    sign_in(page, "auditor", "/decisions")
    expect(page).to_have_url(re.compile(r"/decisions"))

    page.get_by_label("Account").fill("acc-candidate-250k")
    page.get_by_label("Policy").select_option("POLICY_HATEFUL_CONDUCT")
    page.get_by_role("button", name="Search").click()
    results = page.locator("table.results tbody tr")
    expect(results).to_have_count(4)
    for row in results.all():
        expect(row.locator("td").nth(3)).to_have_text("acc-candidate-250k")
    expect(page.get_by_role("columnheader", name="Caller")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Applied")).to_be_visible()
    shot(page, "search")

    newest = results.first.locator("a").inner_text()
    results.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(newest)
    decision = api_decision(console, newest)
    expect(page.locator("p.summary")).to_have_text(decision.summary_en)
    expect(page.get_by_role("heading", name=re.compile("Public-interest exception: eligible"))).to_be_visible()
    expect(page.get_by_text("The account has 250,000 followers, more than 100,000.").first).to_be_visible()
    expect(page.get_by_text("unaltered")).to_be_visible()  # its proof of inclusion checks out
    shot(page, "decision")

    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("p.summary")).to_have_text(decision.summary_nl)
    for reason in decision.reasons:
        expect(page.locator("table.reasons").get_by_text(reason.text_nl, exact=True).first).to_be_visible()
    shot(page, "decision-nl")

    page.get_by_role("link", name=re.compile("Show the rules that fired")).click()
    rules = page.get_by_role("table", name=re.compile("The rules that fired"))
    expect(rules).to_be_visible()
    expect(rules.get_by_text("data.verdict.decision.result")).to_be_visible()
    shot(page, "explain")

    page.reload()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_replay_against_a_candidate_and_open_a_cell_of_the_matrix(console, page):
    sign_in(page, "auditor", "/replay")
    page.get_by_label("or a bundle (.tar.gz)").set_input_files(
        {"name": "lower-threshold.tar.gz", "mimeType": "application/gzip", "buffer": candidate_bundle()})
    page.get_by_role("button", name="Add candidate").click()
    expect(page.get_by_role("status")).to_contain_text("added")
    against = page.get_by_label("Replay against")
    value = against.locator("option", has_text="upload lower-threshold.tar.gz").get_attribute("value")
    against.select_option(value)
    page.get_by_label("Kind").select_option("decide")
    page.get_by_role("button", name="Replay", exact=True).click()
    matrix = page.locator("table#matrix")
    expect(matrix).to_be_visible(timeout=60_000)
    expect(page.locator("figure.chart svg")).to_be_visible()
    expect(page.locator("table#by-clause")).to_be_visible()
    shot(page, "impact")

    cell = matrix.get_by_role("link", name=re.compile("require removal to public interest review"))
    count = int(cell.inner_text().replace(",", ""))
    cell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OUTCOME_REQUIRE_REMOVAL → OUTCOME_PUBLIC_INTEREST_REVIEW")
    examples = page.locator("table#examples tbody a")
    assert 1 <= examples.count() <= min(count, 5)
    expect(page.locator("table#examples")).to_contain_text("outcome OUTCOME_REQUIRE_REMOVAL -> OUTCOME_PUBLIC_INTEREST_REVIEW")
    shot(page, "impact-cell")
    first = examples.first.inner_text()
    examples.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)


def test_the_playground_decides_a_case_and_compares_two_revisions(console, page):
    sign_in(page, "engineer", "/playground")
    page.get_by_label("Example case").select_option("candidate_hateful_conduct")
    page.get_by_role("button", name="Load").click()
    editor = page.get_by_label("Case (JSON)")
    expect(editor).to_contain_text("CONTENT_KIND_POST")
    page.get_by_role("button", name="Decide", exact=True).click()
    answer = page.locator("article.tried")
    expect(answer).to_have_count(1)
    expect(answer.locator(".outcome").first).to_have_text("public interest review")
    shot(page, "playground")

    editor.fill('{"content": {"kind": "post"}}')
    expect(page.locator("#case-check")).to_contain_text("case.content.kind: 'post' is not one of")  # checked as it is typed

    page.get_by_label("or a bundle (.tar.gz)").set_input_files(
        {"name": "lower-threshold.tar.gz", "mimeType": "application/gzip", "buffer": candidate_bundle()})
    page.get_by_role("button", name="Add candidate").click()
    expect(page.get_by_role("status")).to_contain_text("added")
    editor = page.get_by_label("Case (JSON)")
    editor.fill(editor.input_value().replace("acc-candidate-250k", "acc-candidate-100k"))
    page.get_by_label("Decide on revision").select_option("current")
    compare = page.get_by_label("Compare with")
    compare.select_option(compare.locator("option", has_text="upload lower-threshold.tar.gz").get_attribute("value"))
    page.get_by_role("button", name="Decide", exact=True).click()
    expect(page.locator("article.tried")).to_have_count(2)
    differences = page.locator("#differences")
    expect(differences).to_contain_text("outcome: OUTCOME_REQUIRE_REMOVAL → OUTCOME_PUBLIC_INTEREST_REVIEW")
    expect(differences).to_contain_text("now cites PI-3.1")
    shot(page, "playground-compare")

    tests = page.get_by_label("Run the Rego tests of")
    tests.select_option(tests.locator("option", has_text="upload lower-threshold.tar.gz").get_attribute("value"))
    page.get_by_role("button", name="Run the tests").click()
    status = page.locator("#job [role=status]")
    expect(status).to_contain_text("passed", timeout=120_000)
    expect(status).to_contain_text("policy line coverage")
    expect(page.get_by_role("table", name="Failures")).to_contain_text("data.verdict.pi")  # 100,000 is a PI test's boundary
    expect(page.get_by_role("table", name="Line coverage by file")).to_contain_text("verdict/pi/pi.rego")
    shot(page, "rego-tests")


def test_a_caller_without_audit_read_sees_nothing_of_the_log(console, page):
    sign_in(page, "engineer", "/")
    expect(page).to_have_url(re.compile(r"/playground"))
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Decisions")).to_have_count(0)
    expect(nav.get_by_role("link", name="Log integrity")).to_have_count(0)
    for path in ("/decisions", f"/decisions/{console.seeded.ids[0]}", "/integrity"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.locator("table")).to_have_count(0)
        assert "dec_" not in page.locator("main").inner_text() and "acc-" not in page.content()
    shot(page, "not-allowed")
    assert set(page.console_errors) == {"Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"}
    page.console_errors.clear()  # the pages refused, as they should


def test_log_integrity_shows_the_checkpoint_and_verifies_the_log(console, page):
    sign_in(page, "reader", "/integrity")
    expect(page.get_by_role("heading", name="The signed tree head")).to_be_visible()
    expect(page.get_by_text("verdict.test/decision-log").first).to_be_visible()
    shot(page, "integrity")
    page.get_by_role("button", name="Verify now").click()
    expect(page.get_by_role("status")).to_contain_text("The log verifies", timeout=60_000)
    shot(page, "verify")
