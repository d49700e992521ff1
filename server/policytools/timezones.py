"""The time zones of each country, as policy data (`make time-zones`).

"The same day" in PRIV-1a is the calendar day where the person is: a time
zone the case states, else the zones of the case's country. Which zones a
country has is data of the policy (rego/verdict/config/time/data.json),
taken from zone.tab of the IANA time zone database that the pinned tzdata
package ships; the policy evaluates the day in each and sends the case to
human review when they disagree.
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "rego" / "verdict" / "config" / "time" / "data.json"


def country_zones() -> dict[str, list[str]]:
    zones: dict[str, list[str]] = {}
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone, *_ = line.split("\t")
        zones.setdefault(country, []).append(zone)
    return {country: sorted(names) for country, names in sorted(zones.items())}


def document() -> str:
    doc = {
        "source": f"zone.tab of the IANA time zone database, tzdata {metadata.version('tzdata')} (make time-zones)",
        "country_zones": country_zones(),
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(document(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
