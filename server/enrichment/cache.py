"""A short-lived, bounded cache of account snapshots and group designations.

Follower counts, verification and office change slowly, and reading an
account costs several queries, so decisions that are not applied may use
an account read up to ``ttl`` seconds ago (VERDICT_ACCOUNT_CACHE_TTL,
default 5; 0 turns the cache off). The age of what was used is recorded
with every decision. Applied decisions never use the cache: they read the
account fresh, under its lock. Applying or assessing in this process drops
the entries it changed; changes made by other processes are seen once the
entry expires.

Each of the two caches holds at most ``size`` entries (cachetools' TTLCache:
expired entries go first, then the least recently used), so callers naming
ever new accounts or groups cannot grow the server's memory.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable

from cachetools import TTLCache

from server.enrichment.store import AccountSnapshot, AccountReader


class EnrichmentCache:
    def __init__(self, store: AccountReader, ttl: float = 5.0, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.ttl = ttl
        self._clock = clock
        on = ttl > 0 and size > 0
        # value: (when it was read, what was read); a TTLCache is not thread-safe on its own
        self._accounts: TTLCache[str, tuple[float, AccountSnapshot]] | None = TTLCache(size, ttl, timer=clock) if on else None
        self._groups: TTLCache[str, tuple[float, dict[str, Any] | None]] | None = TTLCache(size, ttl, timer=clock) if on else None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Entries held now (accounts and groups)."""
        with self._lock:
            return sum(len(c) for c in (self._accounts, self._groups) if c is not None)

    def snapshot(self, account_id: str) -> tuple[AccountSnapshot, float]:
        """The account and how many seconds ago it was read from the store."""
        if self._accounts is None:
            return self.store.snapshot(account_id), 0.0
        with self._lock:
            hit = self._accounts.get(account_id)
        now = self._clock()
        if hit is not None:
            return hit[1], now - hit[0]
        snapshot = self.store.snapshot(account_id)
        with self._lock:
            self._accounts[account_id] = (now, snapshot)
        return snapshot, 0.0

    def designations(self, group_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = {g for g in group_ids if g}
        if self._groups is None:
            return self.store.designations(wanted)
        now = self._clock()
        with self._lock:
            fresh = {g: hit for g in wanted if (hit := self._groups.get(g)) is not None}
        missing = wanted - set(fresh)
        if missing:
            loaded = self.store.designations(missing)
            with self._lock:
                for g in missing:
                    self._groups[g] = fresh[g] = (now, loaded.get(g))
        return {g: doc for g, (_, doc) in fresh.items() if doc is not None}

    def forget(self, account_ids: Iterable[str] = (), group_ids: Iterable[str] = ()) -> None:
        with self._lock:
            for cache, keys in ((self._accounts, account_ids), (self._groups, group_ids)):
                if cache is not None:
                    for key in keys:
                        cache.pop(key, None)
