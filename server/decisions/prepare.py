"""Step 1 of the decision path, prepare: a request masked, and enriched with its account and groups, as the policy's input.

Requests arrive validated (the API checks them first, so a bad request is
INVALID_ARGUMENT before any permission check). Inside a transaction
(applying) the account is read fresh; otherwise it may come from the
short-lived enrichment cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from google.protobuf.message import Message

from verdict.v1 import policy_service_pb2 as ps

from server.db.database import Cursor
from server.decisions.masking import Masker
from server.enrichment.cache import EnrichmentCache
from server.enrichment.store import AccountReader
from shared.protojson import to_dict
from shared.timeutil import parse_rfc3339


@dataclass
class Prepared:
    """A case made ready for OPA: its input and where the enrichment came from."""

    input: dict[str, Any]
    request: dict[str, Any]
    enrichment: dict[str, Any]
    enrich_ms: float


class Preparer:
    def __init__(self, accounts: AccountReader, cache: EnrichmentCache, masker: Masker, clock: Callable) -> None:
        self.accounts = accounts
        self.cache = cache
        self.masker = masker
        self.clock = clock

    def masked(self, message: Message) -> dict[str, Any]:
        """The request as it may be logged and evaluated: private values masked."""
        return self.masker.mask(to_dict(message), message.DESCRIPTOR)

    def case(self, request: ps.DecideRequest | ps.CheckPublicInterestRequest, cur: Cursor | None = None) -> Prepared:
        """The OPA input for a case, and what its enrichment was made of."""
        started = time.perf_counter()
        request_doc = self.masked(request)
        case_doc = request_doc["case"]
        account_id = request.case.content.author_account_id
        if cur is None:
            account, cache_age = self.cache.snapshot(account_id)
        else:
            account, cache_age = self.accounts.snapshot(account_id, cur), 0.0
        facts = request.case.violation
        group_ids = [g["group_id"] for g in account.doc["groups"]]
        for kind in ("tve", "cha"):
            if facts.HasField(kind) and getattr(facts, kind).group_id:
                group_ids.append(getattr(facts, kind).group_id)
        groups = self.cache.designations(group_ids) if cur is None else self.accounts.designations(group_ids, cur)
        read_at = self.clock()
        source = self.accounts.source
        enrichment = {
            "account": {
                "source": source,
                "written_by": account.source,
                "written_at": account.updated_at,
                # how old the values are: since the account was last written, and since it was read
                "age_seconds": round((read_at - parse_rfc3339(account.updated_at)).total_seconds(), 3),
                "read_seconds_ago": round(cache_age, 3),
                "history_version": account.history_version,
            },
            "groups": {gid: {"source": source, "assessed_at": g.get("assessed_at")} for gid, g in groups.items()},
        }
        input_doc = {"as_of": case_doc["as_of"], "case": case_doc, "account": account.doc, "groups": groups}
        return Prepared(input_doc, request_doc, enrichment, (time.perf_counter() - started) * 1000)
