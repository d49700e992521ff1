"""What a decision restricts, read from its effects.

A decision needs a statement of reasons when it restricts the content or
the account (DSA Art. 17(1)): removal, a withholding in some countries,
limited visibility, restricted interaction, a notice in front of it, a lock
or a suspension. No action and human review restrict nothing; a decision
under public-interest review restricts only where PI-7 withholds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.timestamp_pb2 import Timestamp

from verdict.v1 import decision_pb2


def date_of(ts: Timestamp) -> str:
    """YYYY-MM-DD of a timestamp, in UTC."""
    return ts.ToDatetime().strftime("%Y-%m-%d")


def time_of(ts: Timestamp) -> str:
    return ts.ToDatetime().strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Restriction:
    removed: bool = False
    withheld_in: tuple[str, ...] = ()        # PI-7: countries whose law requires withholding
    demoted: bool = False                    # CHA-9 limits, PI-2: not recommended
    demoted_until: str = ""                  # YYYY-MM-DD (CHA-11); empty: no set end
    limited_surfaces: tuple[str, ...] = ()
    interaction_restricted: bool = False     # PI-2: engagements disabled
    labelled: bool = False                   # PI-2: behind a click-through notice
    locked: bool = False
    lock_until: str = ""                     # YYYY-MM-DD HH:MM UTC; empty with until_removed
    lock_until_date: str = ""
    lock_until_removed: bool = False         # PRIV-9 media
    suspended: bool = False                  # permanent suspension: no end

    @property
    def on_terms(self) -> bool:
        """Anything restricted under the terms (everything but a PI-7 withholding)."""
        return any((self.removed, self.demoted, self.interaction_restricted, self.labelled, self.locked, self.suspended))

    def restricts_in(self, territory: tuple[str, ...] | list[str]) -> bool:
        """Whether the decision restricts anything in these countries."""
        return self.on_terms or any(c in territory for c in self.withheld_in)


def restriction_of(effects: decision_pb2.Effects) -> Restriction:
    lock = effects.lock if effects.HasField("lock") else None
    demoted = bool(effects.limited_surfaces) or effects.HasField("visibility_limit_expires_at")
    return Restriction(
        removed=effects.remove_content,
        withheld_in=tuple(sorted(set(effects.withheld_in_countries))),
        demoted=demoted,
        demoted_until=date_of(effects.visibility_limit_expires_at) if effects.HasField("visibility_limit_expires_at") else "",
        limited_surfaces=tuple(decision_pb2.Surface.Name(s) for s in effects.limited_surfaces),
        interaction_restricted=bool(effects.disabled_engagements),
        labelled=effects.behind_notice,
        locked=lock is not None,
        lock_until=time_of(lock.ends_at) if lock is not None and lock.HasField("ends_at") else "",
        lock_until_date=date_of(lock.ends_at) if lock is not None and lock.HasField("ends_at") else "",
        lock_until_removed=lock is not None and lock.until_content_removed,
        suspended=effects.suspend_account,
    )
