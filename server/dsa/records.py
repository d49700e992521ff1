"""Statements and notices from the decision log, for one decision or a period.

Reads decisions through the log reader and each decision's revision through
the policy archive (its catalog and its data.verdict.dsa), so what is
derived depends on the log alone. Plain functions and one small class:
the gRPC service, the CLI and later the console call the same code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator

from verdict.v1 import decision_pb2

from server.engine.archive import PolicyArchive
from shared.tlog.record import LogRecord
from server.decisionlog.reader import Filter, LogReader
from server.dsa.decided import DecidedCase, DsaPolicy, NoDsaPolicy, decided_case
from server.dsa.notice import notice_of
from server.dsa.schema import FieldError, validate
from server.dsa.statement import PersonalDataError, statement_of


@dataclass
class Derived:
    """What the DSA asks for one restrictive decision."""

    decided: DecidedCase
    statement: dict[str, Any] | None      # None when it breaks a rule (see errors)
    errors: list[FieldError] = field(default_factory=list)
    policy: DsaPolicy | None = None       # None when the revision has no DSA data

    @cached_property
    def notice(self) -> dict[str, Any] | None:
        """The notice to the user (made when asked for: the report does not need it)."""
        return notice_of(self.decided, self.policy) if self.policy is not None else None

    @property
    def decision_id(self) -> str:
        return self.decided.decision_id

    @property
    def outcome(self) -> str:
        return decision_pb2.Outcome.Name(self.decided.decision.outcome)


class DsaRecords:
    def __init__(self, reader: LogReader, archive: PolicyArchive) -> None:
        self.reader = reader
        self.archive = archive
        self._policies: dict[str, DsaPolicy] = {}
        self._lock = threading.Lock()

    def policy(self, revision: str) -> DsaPolicy:
        """The DSA data of a revision (cached: an archived revision never changes)."""
        with self._lock:
            if revision not in self._policies:
                bundle = self.archive.load(revision)
                self._policies[revision] = DsaPolicy.from_bundle_data(bundle.data, self.archive.catalog(revision), revision)
            return self._policies[revision]

    def decided(self, record: LogRecord) -> DecidedCase:
        return decided_case(record, self.archive.catalog(record.revision))

    def derive(self, decided: DecidedCase) -> Derived:
        """Statement and notice; NoStatement when the decision restricts nothing."""
        policy = self.policy(decided.revision)
        try:
            statement: dict[str, Any] | None = statement_of(decided, policy)
            errors = validate(statement)
        except PersonalDataError as exc:
            statement, errors = None, [FieldError(exc.field, exc.message)]
        except NoDsaPolicy as exc:  # a policy the revision does not classify
            statement, errors = None, [FieldError("category", str(exc))]
        return Derived(decided, None if errors else statement, errors, policy)

    def for_decision(self, decision_id: str) -> Derived:
        return self.derive(self.decided(self.reader.get(decision_id)))

    def decisions(self, since: str, until: str, kind: str = "decide") -> Iterator[LogRecord]:
        """Records of one kind recorded in [since, until), oldest first."""
        return self.reader.scan(Filter(kind=kind, since=since, until=until))

    def restrictive(self, since: str, until: str) -> Iterator[Derived]:
        """Every decision in the period that restricts, with its statement or its errors."""
        for record in self.decisions(since, until):
            decided = self.decided(record)
            try:
                territory = self.policy(decided.revision).territory
            except NoDsaPolicy as exc:
                if decided.restriction.on_terms or decided.restriction.withheld_in:
                    yield Derived(decided, None, [FieldError("policy_revision", str(exc))])
                continue
            if decided.restriction.restricts_in(territory):
                yield self.derive(decided)
