"""The assessment domains a course can address, by their stable keys.

Assessment domains belong to an instrument version, but each carries a ``key`` shared by
every version; courses store those keys so their tags survive a new version of an instrument.
"""

from __future__ import annotations

SKILLS_DOMAINS: dict[str, str] = {
    "effective-communication": "Maintaining effective communication",
    "aligning-expectations": "Aligning expectations",
    "assessing-understanding": "Assessing understanding",
    "fostering-independence": "Fostering independence",
    "equity-inclusion": "Addressing equity and inclusion",
    "professional-development": "Promoting professional development",
}

READINESS_DOMAINS: dict[str, str] = {
    "time-availability": "Time and availability",
    "motivation-purpose": "Motivation and purpose",
    "program-expectations": "Understanding the program's expectations",
    "boundaries-confidentiality": "Boundaries and confidentiality",
    "openness-feedback": "Openness to learning and feedback",
}

DOMAIN_LABELS: dict[str, str] = {**SKILLS_DOMAINS, **READINESS_DOMAINS}

DOMAIN_CHOICES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Skills inventory", list(SKILLS_DOMAINS.items())),
    ("Readiness checklist", list(READINESS_DOMAINS.items())),
]


def domain_label(key: str) -> str:
    return DOMAIN_LABELS.get(key, key.replace("-", " ").capitalize())
