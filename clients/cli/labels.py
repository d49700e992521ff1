"""The words of `verdict decide` output in English and Dutch (`--lang nl`).

The reasons come in both languages from the server; the labels around them
(headings, outcomes, effects, enum names) are translated here.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "decision": {"en": "Decision", "nl": "Beslissing"},
    "assessment": {"en": "Assessment", "nl": "Beoordeling"},
    "policy": {"en": "policy", "nl": "beleid"},
    "as_of": {"en": "as of", "nl": "per"},
    "revision": {"en": "revision", "nl": "revisie"},
    "policy_revision": {"en": "policy revision", "nl": "beleidsrevisie"},
    "outcome": {"en": "Outcome", "nl": "Uitkomst"},
    "effects": {"en": "Effects", "nl": "Gevolgen"},
    "none": {"en": "none", "nl": "geen"},
    "history": {"en": "History", "nl": "Geschiedenis"},
    "earlier": {"en": "{n} earlier violation(s) of this policy", "nl": "{n} eerdere schending(en) van dit beleid"},
    "repeat": {"en": "; repeat after a warning", "nl": "; herhaling na een waarschuwing"},
    "warning": {"en": "; this decision is the account's warning", "nl": "; deze beslissing is de waarschuwing voor het account"},
    "recorded": {"en": " (recorded)", "nl": " (vastgelegd)"},
    "reasons": {"en": "Reasons", "nl": "Redenen"},
    "pi": {"en": "Public-interest exception", "nl": "Uitzondering in verband met het algemeen belang"},
    "eligible": {"en": "ELIGIBLE", "nl": "KOMT IN AANMERKING"},
    "not_eligible": {"en": "not eligible", "nl": "komt niet in aanmerking"},
    "likelihood": {"en": "likelihood (PI-5)", "nl": "kans (PI-5)"},
    "never": {"en": "never eligible", "nl": "nooit in aanmerking"},
    "factor": {"en": "factor", "nl": "factor"},
    "toward_notice": {"en": "toward notice", "nl": "richting mededeling"},
    "toward_removal": {"en": "toward removal", "nl": "richting verwijdering"},
    "recommendation": {"en": "recommendation", "nl": "aanbeveling"},
    "route": {"en": "route (PI-3)", "nl": "route (PI-3)"},
    "removal": {"en": "content removal required", "nl": "verwijdering van de content vereist"},
    "suspended": {"en": "account permanently suspended", "nl": "account permanent opgeschort"},
    "locked_until_removed": {"en": "account locked until the content is removed",
                             "nl": "account vergrendeld tot de content is verwijderd"},
    "locked_for": {"en": "account locked for {hours} h, until {until}", "nl": "account {hours} uur vergrendeld, tot {until}"},
    "behind_notice": {"en": "behind a public-interest notice", "nl": "achter een mededeling in verband met het algemeen belang"},
    "disabled": {"en": "disabled", "nl": "uitgeschakeld"},
    "limited_in": {"en": "limited in", "nl": "beperkt in"},
    "limits_expire": {"en": "visibility limits expire {at}", "nl": "zichtbaarheidsbeperkingen vervallen op {at}"},
    "withheld_in": {"en": "withheld in", "nl": "achtergehouden in"},
    "appeal": {"en": "appeal available", "nl": "bezwaar mogelijk"},
    "not_stated": {"en": "not stated", "nl": "niet vermeld"},
}

# Enum values, by their proto name without the prefix.
ENUMS: dict[str, dict[str, str]] = {
    "NO_ACTION": {"en": "no action", "nl": "geen actie"},
    "PUBLIC_INTEREST_REVIEW": {"en": "public interest review", "nl": "beoordeling algemeen belang"},
    "REQUIRE_REMOVAL": {"en": "require removal", "nl": "verwijdering vereist"},
    "TEMPORARY_LOCK": {"en": "temporary lock", "nl": "tijdelijke vergrendeling"},
    "PERMANENT_SUSPENSION": {"en": "permanent suspension", "nl": "permanente opschorting"},
    "LIMIT_VISIBILITY": {"en": "limit visibility", "nl": "zichtbaarheid beperkt"},
    "HUMAN_REVIEW": {"en": "human review", "nl": "menselijke beoordeling"},
    # reason kinds
    "VIOLATION": {"en": "violation", "nl": "schending"},
    "NOT_A_VIOLATION": {"en": "not a violation", "nl": "geen schending"},
    "EXCEPTION": {"en": "exception", "nl": "uitzondering"},
    "NOT_ESTABLISHED": {"en": "not established", "nl": "niet vastgesteld"},
    "CONSEQUENCE": {"en": "consequence", "nl": "gevolg"},
    "CRITERION_MET": {"en": "criterion met", "nl": "criterium voldaan"},
    "CRITERION_NOT_MET": {"en": "criterion not met", "nl": "criterium niet voldaan"},
    "FACTOR": {"en": "factor", "nl": "factor"},
    "PROCESS": {"en": "process", "nl": "proces"},
    "NOT_STATED": {"en": "not stated", "nl": "niet vermeld"},
    # likelihood bands
    "NEVER": {"en": "never", "nl": "nooit"},
    "VERY_SMALL": {"en": "very small", "nl": "zeer klein"},
    "UNLIKELY": {"en": "unlikely", "nl": "onwaarschijnlijk"},
    "RARE": {"en": "rare", "nl": "zeldzaam"},
    "MORE_LIKELY": {"en": "more likely", "nl": "waarschijnlijker"},
    # recommendations
    "NOTICE": {"en": "notice", "nl": "mededeling"},
    "NOTICE_WITHOUT_PRIVATE_INFORMATION": {"en": "notice without the private information",
                                           "nl": "mededeling zonder de privégegevens"},
    "REMOVAL": {"en": "removal", "nl": "verwijdering"},
    # engagements and surfaces
    "LIKE": {"en": "like", "nl": "vind-ik-leuk"},
    "REPOST": {"en": "repost", "nl": "repost"},
    "REPLY": {"en": "reply", "nl": "antwoord"},
    "SHARE": {"en": "share", "nl": "delen"},
    "SEARCH": {"en": "search", "nl": "zoeken"},
    "REPLIES": {"en": "replies", "nl": "antwoorden"},
    "TIMELINES": {"en": "timelines", "nl": "tijdlijnen"},
    "EMAIL_RECOMMENDATIONS": {"en": "e-mail recommendations", "nl": "aanbevelingen per e-mail"},
    "IN_PRODUCT_RECOMMENDATIONS": {"en": "in-product recommendations", "nl": "aanbevelingen in het product"},
    "TRENDS": {"en": "trends", "nl": "trends"},
    "ALGORITHMIC_RECOMMENDATIONS": {"en": "algorithmic recommendations", "nl": "algoritmische aanbevelingen"},
    # policies
    "TERRORISM_VIOLENT_EXTREMISM": {"en": "terrorism and violent extremism", "nl": "terrorisme en gewelddadig extremisme"},
    "ELECTION_INTEGRITY": {"en": "election integrity", "nl": "integriteit van verkiezingen"},
    "COORDINATED_HARMFUL_ACTIVITY": {"en": "coordinated harmful activity", "nl": "gecoördineerde schadelijke activiteit"},
    "PRIVATE_INFORMATION": {"en": "private information", "nl": "privégegevens"},
    "VIOLENCE": {"en": "violence", "nl": "geweld"},
    "ILLEGAL_GOODS": {"en": "illegal goods", "nl": "illegale goederen"},
    "SUICIDE_SELF_HARM": {"en": "suicide or self-harm", "nl": "zelfdoding of zelfverwonding"},
    "HATEFUL_CONDUCT": {"en": "hateful conduct", "nl": "haatdragend gedrag"},
    "ABUSE_HARASSMENT": {"en": "abuse and harassment", "nl": "misbruik en intimidatie"},
    "SENSITIVE_MEDIA": {"en": "sensitive media", "nl": "gevoelige media"},
    "CHILD_SEXUAL_EXPLOITATION": {"en": "child sexual exploitation", "nl": "seksuele uitbuiting van kinderen"},
    "NON_CONSENSUAL_NUDITY": {"en": "non-consensual nudity", "nl": "naaktheid zonder toestemming"},
    "SEXUAL_VIOLENCE": {"en": "sexual violence", "nl": "seksueel geweld"},
    "COPYRIGHT": {"en": "copyright", "nl": "auteursrecht"},
}


def label(key: str, lang: str, **values: object) -> str:
    return LABELS[key]["nl" if lang == "nl" else "en"].format(**values)


def enum_words(enum_type: object, value: int, prefix: str, lang: str) -> str:
    """An enum value in words: OUTCOME_HUMAN_REVIEW -> "human review" / "menselijke beoordeling"."""
    name = enum_type.Name(value).removeprefix(prefix)  # type: ignore[attr-defined]
    words = ENUMS.get(name)
    return words["nl" if lang == "nl" else "en"] if words else name.replace("_", " ").lower()
