"""The notice to the affected user (DSA Art. 17(3)), in English and Dutch.

It says what was restricted, where and for how long; the facts and the
rules (or the law) it rests on; whether automated means detected the
content and took the decision; and the redress open to the user: an
internal complaint within the revision's complaint window (at least six
months, Art. 20), out-of-court dispute settlement (Art. 21), the courts.
It is built from the same decision and revision as the statement.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from verdict.v1 import case_pb2

from server.dsa.decided import DecidedCase, DsaPolicy
from server.dsa.restriction import Restriction
from server.dsa.statement import (
    LOCAL_LAW,
    automated_decision,
    automated_detection,
    ground_reasons,
    source_type,
)

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "post": "post ({post_id}) of {date}", "profile": "profile",
        "subject.suspended": "Your account has been suspended",
        "subject.locked": "Your content was removed and your account is locked",
        "subject.removed": "Your content was removed",
        "subject.withheld": "Your content is withheld in some countries",
        "subject.demoted": "The visibility of your content is limited",
        "subject.labelled": "Your content is shown behind a notice",
        "heading.restriction": "What we did", "heading.scope_and_duration": "Where and for how long",
        "heading.facts": "Why", "heading.grounds": "The rules we applied", "heading.automation": "Automated means",
        "heading.redress": "What you can do",
        "removed": "We removed your {content}.",
        "withheld": "Your {content} is not shown in {countries}, because the law there requires it.",
        "demoted": "Your {content} and your account are shown less: not in search, replies or timelines, and not recommended.",
        "interaction": "Likes, reposts and sharing of your {content} are turned off.",
        "labelled": "Your {content} is shown behind a notice that explains the rule it breaks.",
        "locked": "Your account is locked: you cannot post until {until}.",
        "locked_until_removed": "Your account is locked: you cannot post until you remove the content.",
        "suspended": "Your account is permanently suspended.",
        "scope.everywhere": "This applies wherever our service is offered, including the whole EU and EEA.",
        "scope.only": "This applies only in {countries}.",
        "starts": "It takes effect on {date}.",
        "end.removed": "The removal is permanent.", "end.withheld": "Withholding the content has no end date.",
        "end.demoted": "The limit ends on {date}.", "end.demoted_open": "The limit has no set end date.",
        "end.locked": "The lock ends on {until}.", "end.locked_until_removed": "The lock ends when you remove the content.",
        "end.suspended": "The suspension has no end date.",
        "end.labelled": "The notice stays in front of the content.",
        "source.SOURCE_ARTICLE_16": "We acted on a notice that the content is illegal (Article 16 DSA).",
        "source.SOURCE_TRUSTED_FLAGGER": "We acted on a notice from a trusted flagger (Article 22 DSA).",
        "source.SOURCE_TYPE_OTHER_NOTIFICATION": "We acted on a report about your content.",
        "source.SOURCE_VOLUNTARY": "We acted on our own initiative.",
        "established": "What we established:",
        "rules": "Your content breaks these rules of our terms of service ({policy} policy):",
        "also_illegal": "It is also illegal under: {law}.",
        "legal_ground": "The legal ground: {law}.",
        "default_law": "the national law of {countries}, which requires the content to be withheld there",
        "detected.Yes": "Your content was detected by automated means.",
        "detected.No": "Your content was not detected by automated means.",
        "decided.AUTOMATED_DECISION_FULLY": "The decision was taken by automated means: our rules were applied to the established facts without human review.",
        "decided.AUTOMATED_DECISION_PARTIALLY": "A person reviewed the facts; our rules were then applied to them by automated means.",
        "redress": "If you disagree, you can:",
        "redress.complaint": "1. file a complaint with us until {deadline} (internal complaint handling, Article 20 DSA);",
        "redress.settlement": "2. turn to a certified out-of-court dispute settlement body (Article 21 DSA);",
        "redress.court": "3. go to court.",
    },
    "nl": {
        "post": "post ({post_id}) van {date}", "profile": "profiel",
        "subject.suspended": "Je account is opgeschort",
        "subject.locked": "Je content is verwijderd en je account is vergrendeld",
        "subject.removed": "Je content is verwijderd",
        "subject.withheld": "Je content wordt in sommige landen niet weergegeven",
        "subject.demoted": "De zichtbaarheid van je content is beperkt",
        "subject.labelled": "Je content wordt achter een mededeling getoond",
        "heading.restriction": "Wat we hebben gedaan", "heading.scope_and_duration": "Waar en hoe lang",
        "heading.facts": "Waarom", "heading.grounds": "De regels die we hebben toegepast",
        "heading.automation": "Geautomatiseerde middelen", "heading.redress": "Wat je kunt doen",
        "removed": "We hebben je {content} verwijderd.",
        "withheld": "Je {content} wordt niet weergegeven in {countries}, omdat het recht daar dat vereist.",
        "demoted": "Je {content} en je account worden minder getoond: niet in zoekresultaten, reacties of tijdlijnen, en ze worden niet aanbevolen.",
        "interaction": "Vind-ik-leuks, reposts en delen van je {content} zijn uitgeschakeld.",
        "labelled": "Je {content} wordt getoond achter een mededeling die uitlegt welke regel wordt geschonden.",
        "locked": "Je account is vergrendeld: je kunt tot {until} niets plaatsen.",
        "locked_until_removed": "Je account is vergrendeld: je kunt niets plaatsen totdat je de content verwijdert.",
        "suspended": "Je account is permanent opgeschort.",
        "scope.everywhere": "Dit geldt overal waar onze dienst wordt aangeboden, ook in de hele EU en EER.",
        "scope.only": "Dit geldt alleen in {countries}.",
        "starts": "Het gaat in op {date}.",
        "end.removed": "De verwijdering is blijvend.", "end.withheld": "Het niet weergeven heeft geen einddatum.",
        "end.demoted": "De beperking eindigt op {date}.", "end.demoted_open": "De beperking heeft geen vaste einddatum.",
        "end.locked": "De vergrendeling eindigt op {until}.",
        "end.locked_until_removed": "De vergrendeling eindigt als je de content verwijdert.",
        "end.suspended": "De opschorting heeft geen einddatum.",
        "end.labelled": "De mededeling blijft voor de content staan.",
        "source.SOURCE_ARTICLE_16": "We hebben gehandeld na een melding dat de content illegaal is (artikel 16 DSA).",
        "source.SOURCE_TRUSTED_FLAGGER": "We hebben gehandeld na een melding van een betrouwbare flagger (artikel 22 DSA).",
        "source.SOURCE_TYPE_OTHER_NOTIFICATION": "We hebben gehandeld na een melding over je content.",
        "source.SOURCE_VOLUNTARY": "We hebben op eigen initiatief gehandeld.",
        "established": "Wat we hebben vastgesteld:",
        "rules": "Je content schendt deze regels van onze gebruiksvoorwaarden (beleid inzake {policy}):",
        "also_illegal": "De content is ook illegaal op grond van: {law}.",
        "legal_ground": "De wettelijke grondslag: {law}.",
        "default_law": "het nationale recht van {countries}, dat vereist dat de content daar niet wordt weergegeven",
        "detected.Yes": "Je content is met geautomatiseerde middelen opgespoord.",
        "detected.No": "Je content is niet met geautomatiseerde middelen opgespoord.",
        "decided.AUTOMATED_DECISION_FULLY": "Het besluit is met geautomatiseerde middelen genomen: onze regels zijn zonder menselijke beoordeling toegepast op de vastgestelde feiten.",
        "decided.AUTOMATED_DECISION_PARTIALLY": "Een medewerker heeft de feiten beoordeeld; daarna zijn onze regels er met geautomatiseerde middelen op toegepast.",
        "redress": "Ben je het er niet mee eens, dan kun je:",
        "redress.complaint": "1. tot en met {deadline} een klacht bij ons indienen (interne klachtenafhandeling, artikel 20 DSA);",
        "redress.settlement": "2. je wenden tot een gecertificeerde instantie voor buitengerechtelijke geschillenbeslechting (artikel 21 DSA);",
        "redress.court": "3. naar de rechter stappen.",
    },
}
SECTIONS = ("restriction", "scope_and_duration", "facts", "grounds", "automation", "redress")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def complaint_deadline(decided: DecidedCase, policy: DsaPolicy) -> str:
    start = decided.case.as_of.ToDatetime().date()
    return add_months(start, policy.complaint_window_months).isoformat()


def _subject_key(r: Restriction) -> str:
    for key, applies in (("suspended", r.suspended), ("locked", r.locked), ("removed", r.removed),
                         ("withheld", bool(r.withheld_in)), ("demoted", r.demoted), ("labelled", r.labelled)):
        if applies:
            return key
    return "demoted"  # interaction restricted only


def _notice_text(decided: DecidedCase, policy: DsaPolicy, lang: str, deadline: str) -> dict[str, Any]:
    p, r, case, d = PHRASES[lang], decided.restriction, decided.case, decided.decision
    countries = ", ".join(r.withheld_in)  # the user hears of every country, the database of the EU/EEA ones
    start = case.as_of.ToDatetime().strftime("%Y-%m-%d")
    if case.content.kind == case_pb2.CONTENT_KIND_PROFILE:
        content = p["profile"]
    else:
        posted = case.content.posted_at if case.content.HasField("posted_at") else case.as_of
        content = p["post"].format(post_id=case.content.post_id, date=posted.ToDatetime().strftime("%Y-%m-%d"))

    did, ends = [], []
    if r.removed:
        did.append(p["removed"].format(content=content))
        ends.append(p["end.removed"])
    elif r.withheld_in:
        did.append(p["withheld"].format(content=content, countries=countries))
        ends.append(p["end.withheld"])
    if r.demoted:
        did.append(p["demoted"].format(content=content))
        ends.append(p["end.demoted"].format(date=r.demoted_until) if r.demoted_until else p["end.demoted_open"])
    if r.interaction_restricted:
        did.append(p["interaction"].format(content=content))
    if r.labelled:
        did.append(p["labelled"].format(content=content))
        ends.append(p["end.labelled"])
    if r.locked:
        did.append(p["locked_until_removed"] if r.lock_until_removed else p["locked"].format(until=r.lock_until))
        ends.append(p["end.locked_until_removed"] if r.lock_until_removed else p["end.locked"].format(until=r.lock_until))
    if r.suspended:
        did.append(p["suspended"])
        ends.append(p["end.suspended"])

    scope = p["scope.everywhere"] if r.on_terms else p["scope.only"].format(countries=countries)
    text_of = (lambda reason: reason.text_en) if lang == "en" else (lambda reason: reason.text_nl)
    facts = [p[f"source.{source_type(case)}"], p["established"], *(f"- {text_of(x)}" for x in d.reasons)]
    law = case.legal_ground or p["default_law"].format(countries=countries)
    if r.on_terms:
        grounds = [p["rules"].format(policy=policy.policy_name(decided.policy, lang))]
        for reason in dict((x.clause_id, x) for x in ground_reasons(decided, policy)).values():
            title = f" {policy.title(reason.clause_id)}" if lang == "en" and policy.title(reason.clause_id) else ""
            grounds.append(f"- {reason.clause_id}{title}: {text_of(reason)}")
        if case.legal_ground:
            grounds.append(p["also_illegal"].format(law=case.legal_ground))
    else:
        grounds = [p["legal_ground"].format(law=law),
                   *(text_of(x) for x in d.reasons if x.clause_id == LOCAL_LAW)]
    automation = [p[f"detected.{automated_detection(case)}"], p[f"decided.{automated_decision(case)}"]]
    redress = [p["redress"], p["redress.complaint"].format(deadline=deadline), p["redress.settlement"], p["redress.court"]]

    bodies = {
        "restriction": did, "scope_and_duration": [scope, p["starts"].format(date=start), *ends], "facts": facts,
        "grounds": grounds, "automation": automation, "redress": redress,
    }
    sections = [{"key": key, "heading": p[f"heading.{key}"], "body": "\n".join(bodies[key])} for key in SECTIONS]
    subject = p[f"subject.{_subject_key(r)}"]
    text = "\n\n".join([subject, *(f"{s['heading']}\n{s['body']}" for s in sections)])
    return {"language": lang, "subject": subject, "sections": sections, "text": text}


def notice_of(decided: DecidedCase, policy: DsaPolicy) -> dict[str, Any]:
    """The notice in both languages (the UserNotice message as protobuf JSON)."""
    deadline = complaint_deadline(decided, policy)
    return {
        "en": _notice_text(decided, policy, "en", deadline),
        "nl": _notice_text(decided, policy, "nl", deadline),
        "complaint_deadline": deadline,
    }
