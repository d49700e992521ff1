"""The console's forms: each field labelled, validated, and refused with a message
that says what is wrong before anything is read, stored or started."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError

from verdict.v1 import case_pb2, decision_pb2

from server.api.validation import ID
from server.decisionlog.reader import MAX_SEQ, Filter

KINDS = ("decide", "check_public_interest", "assess_report", "assess_group", "apply", "audit_read", "policy_archive",
         "account_import")
OUTCOMES = [name for name in decision_pb2.Outcome.keys() if name != "OUTCOME_UNSPECIFIED"] + [
    "ELIGIBLE", "NOT_ELIGIBLE", "ADMISSIBLE", "INADMISSIBLE"]
POLICIES = [name for name in case_pb2.Policy.keys() if name != "POLICY_UNSPECIFIED"]
CLAUSE = r"^[A-Z]{2,5}-[0-9A-Za-z.]{1,16}$"


def words(name: str, prefix: str = "") -> str:
    """OUTCOME_HUMAN_REVIEW -> "human review"."""
    return name.removeprefix(prefix).replace("_", " ").lower()


def options(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as a select's choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def label_of(field: SelectField) -> str:
    """The label of the chosen option."""
    return next((c.label for c in field.choices if c.value == field.data), field.data or "")


def _id_field(label: str, description: str) -> StringField:
    return StringField(label, validators=[Optional(), Regexp(ID.pattern, message=(
        "Use 1-128 letters, digits and _.:@/- , starting with a letter or digit."))], description=description)


def _bound(moment: datetime | None) -> str:
    """A bound the log's RFC 3339 text compares right with: 12:00:00.000000Z sorts before 12:00:00.1Z."""
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else ""


class FilterForm(FlaskForm):
    """The filters of `verdict audit query`."""

    account = _id_field("Account", "The author's account ID, e.g. acc-candidate-250k")
    post = _id_field("Post", "The post ID")
    policy = SelectField("Policy", choices=options([("", "any policy")] + [(p, words(p, "POLICY_")) for p in POLICIES]),
                         default="")
    outcome = SelectField("Outcome", choices=options([("", "any outcome")] + [(o, words(o, "OUTCOME_")) for o in OUTCOMES]),
                          default="")
    clause = StringField("Clause cited", validators=[Optional(), Regexp(CLAUSE, message=(
        "A clause ID is like PI-1.3, EI-6b or PRIV-1a."))], description="e.g. PI-1.3")
    caller = StringField("Caller", validators=[Optional(), Regexp(r"^[^\x00-\x1f]{1,128}$", message=(
        "At most 128 characters, no control characters."))], description="Who asked, as in the callers file")
    kind = SelectField("Kind", choices=options([("", "all but audit reads")] + [(k, words(k)) for k in KINDS]), default="")
    since = DateTimeLocalField("Recorded from (UTC)", validators=[Optional()])
    until = DateTimeLocalField("Recorded before (UTC)", validators=[Optional()])

    class Meta:
        csrf = False  # a search changes nothing; forms that do (replay) set it back on

    def validate_until(self, field: Any) -> None:
        if field.data and self.since.data and field.data <= self.since.data:
            raise ValidationError("Must be after the start of the range.")

    def to_filter(self) -> Filter:
        return Filter(account_id=self.account.data or "", post_id=self.post.data or "", policy=self.policy.data or "",
                      outcome=self.outcome.data or "", clause_id=self.clause.data or "", caller=self.caller.data or "",
                      kind=self.kind.data or "", since=_bound(self.since.data), until=_bound(self.until.data),
                      without_audit_reads=True)

    def filter_args(self) -> dict[str, str]:
        """The filter as query arguments (links to the next page, to a replay of the same selection)."""
        return {name: request_value for name in ("account", "post", "policy", "outcome", "clause", "caller", "kind",
                                                 "since", "until")
                if (request_value := self[name].raw_data[0] if self[name].raw_data else "")}


class SearchForm(FilterForm):
    before = IntegerField("Older than record", validators=[Optional(), NumberRange(1, MAX_SEQ)])
    after = IntegerField("Newer than record", validators=[Optional(), NumberRange(1, MAX_SEQ)])
