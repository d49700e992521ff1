"""Step 2 of the decision path, evaluate: ask the policy engine, check the answer is one, keep the revision replayable.

An answer that is no decision (it breaks the policy contract) fails closed
and is never logged; a decision is never made on a revision the policy
archive cannot keep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.db.database import Cursor
from server.decisions.contract import check_result
from server.engine.archive import PolicyArchive
from server.engine.base import Evaluation, PolicyEngine
from server.engine.catalog import Catalog, catalog_of

if TYPE_CHECKING:
    from server.engine.embedded import EmbeddedEngine


class Evaluator:
    def __init__(self, engine: PolicyEngine, archive: PolicyArchive) -> None:
        self.engine = engine
        self.archive = archive

    def evaluate(self, query: str, input_doc: dict[str, Any], cur: Cursor | None = None) -> Evaluation:
        """The served policy's answer; ``cur``: the applying transaction the archiving commits with."""
        evaluation = self.engine.evaluate(query, input_doc)
        check_result(query, evaluation.result)  # an answer that is no decision fails closed, unlogged
        # Never log a decision on a revision that cannot be replayed.
        self.archive.ensure(evaluation.revision, getattr(self.engine, "bundle", None), cur)
        return evaluation

    def catalog(self, revision: str) -> Catalog:
        """The clause catalog of a revision decided on (to put reasons in words)."""
        return self.archive.catalog(revision)

    def try_on(self, engine: EmbeddedEngine, query: str, input_doc: dict[str, Any]) -> tuple[Evaluation, Catalog]:
        """The answer of another revision (archived, or a candidate), and its catalog. Not archived:
        nothing is decided on it."""
        evaluation = engine.evaluate(query, input_doc)
        check_result(query, evaluation.result)
        return evaluation, catalog_of(engine.bundle)
