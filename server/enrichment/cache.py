"""A short-lived cache of account snapshots and group designations.

Follower counts, verification and office change slowly, and reading an
account costs several queries, so decisions that are not applied may use
an account read up to ``ttl`` seconds ago (VERDICT_ACCOUNT_CACHE_TTL,
default 5; 0 turns the cache off). The age of what was used is recorded
with every decision. Applied decisions never use the cache: they read the
account fresh, under its lock. Applying or assessing in this process drops
the entries it changed; changes made by other processes are seen once the
entry expires.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable

from server.enrichment.store import AccountSnapshot, AccountStore


class EnrichmentCache:
    def __init__(self, store: AccountStore, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.ttl = ttl
        self._clock = clock
        self._accounts: dict[str, tuple[float, AccountSnapshot]] = {}
        self._groups: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    def snapshot(self, account_id: str) -> tuple[AccountSnapshot, float]:
        """The account and how many seconds ago it was read from the store."""
        now = self._clock()
        hit = self._accounts.get(account_id)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1], now - hit[0]
        snapshot = self.store.snapshot(account_id)
        with self._lock:
            self._accounts[account_id] = (now, snapshot)
        return snapshot, 0.0

    def designations(self, group_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        now = self._clock()
        wanted = {g for g in group_ids if g}
        fresh = {g: self._groups[g] for g in wanted if g in self._groups and now - self._groups[g][0] < self.ttl}
        missing = wanted - set(fresh)
        if missing:
            loaded = self.store.designations(missing)
            with self._lock:
                for g in missing:
                    self._groups[g] = (now, loaded.get(g))
                    fresh[g] = self._groups[g]
        return {g: doc for g, (_, doc) in fresh.items() if doc is not None}

    def forget(self, account_ids: Iterable[str] = (), group_ids: Iterable[str] = ()) -> None:
        with self._lock:
            for a in account_ids:
                self._accounts.pop(a, None)
            for g in group_ids:
                self._groups.pop(g, None)
