"""The assessment domains a course can address, by their stable keys.

Assessment domains belong to an instrument version, but each carries a ``key`` shared by
every version; courses store those keys so their tags survive a new version of an instrument.
The keys and names are the instruments' own (``assessments.constants``), so the two never drift.
"""

from __future__ import annotations

from assessments.constants import DOMAIN_NAMES, READINESS_DOMAIN_KEYS, SKILLS_DOMAIN_KEYS

SKILLS_DOMAINS: dict[str, str] = {key: DOMAIN_NAMES[key] for key in SKILLS_DOMAIN_KEYS}

READINESS_DOMAINS: dict[str, str] = {key: DOMAIN_NAMES[key] for key in READINESS_DOMAIN_KEYS}

DOMAIN_LABELS: dict[str, str] = {**SKILLS_DOMAINS, **READINESS_DOMAINS}

DOMAIN_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Skills inventory", list(SKILLS_DOMAINS.items())),
    ("Readiness checklist", list(READINESS_DOMAINS.items())),
]


def domain_label(key: str) -> str:
    return DOMAIN_LABELS.get(key, key.replace("-", " ").capitalize())
