"""A revision's clause catalog: clause ID -> its words, as the bundle's data holds them."""

from __future__ import annotations

from typing import Mapping

from server.engine.bundle import Bundle

Catalog = Mapping[str, Mapping[str, str]]


def catalog_of(bundle: Bundle) -> dict[str, Mapping[str, str]]:
    """Clause ID -> catalog entry, over every policy's catalog in the bundle."""
    flat: dict[str, Mapping[str, str]] = {}
    for entries in (bundle.data.get("verdict", {}).get("catalog") or {}).values():
        flat.update(entries)
    return flat
