"""The time zone names a person is offered: the current IANA names, without the deprecated ones.

``zoneinfo.available_timezones()`` also lists the old names kept for compatibility (the tz
database's ``backward`` file: ``America/Godthab``, ``Asia/Calcutta``, ``US/Pacific``) and the
``Etc/…`` zones. The database's ``zone.tab`` lists each country's zones by their current names,
which is what a person looks for; it ships both with the system's tz data and with the
``tzdata`` package. Old names stay valid in the data (``validate_time_zone``) but are not offered.
"""

from __future__ import annotations

import functools
import importlib.resources
import zoneinfo
from pathlib import Path

ALWAYS = ("UTC",)


def _zone_tab() -> str | None:
    for root in zoneinfo.TZPATH:
        path = Path(root) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def _listed(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        columns = line.split("\t")
        if line.startswith("#") or len(columns) < 3:
            continue
        names.add(columns[2].strip())
    return names


REGIONS = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
           "Pacific"}


@functools.cache
def current_time_zones() -> tuple[str, ...]:
    """Current IANA names, sorted; without a zone.tab, those of a geographic region."""
    available = zoneinfo.available_timezones()
    text = _zone_tab()
    # Without zone.tab, a rule of thumb: region/city names (old aliases of this form are rare).
    names = _listed(text) & available if text is not None else {n for n in available if n.split("/")[0] in REGIONS}
    return tuple(sorted(names | (set(ALWAYS) & available)))


def time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """(name, label) choices for a select, e.g. ("America/New_York", "America/New York"). A
    ``current`` value that is an old name is offered too, so a form showing it saves unchanged."""
    names = list(current_time_zones())
    if current and current not in names and current in zoneinfo.available_timezones():
        names.append(current)
    return [(name, name.replace("_", " ")) for name in sorted(names)]
