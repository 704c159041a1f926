"""The site's main sections, in one place for the navigation bar."""

from __future__ import annotations

SECTIONS = [
    ("/assessments/", "Assessments"),
    ("/community/", "Community"),
    ("/accountability/", "Accountability"),
    ("/courses/", "Courses"),
]


def nav_sections(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {
        "nav_sections": [
            {"url": url, "label": label, "active": request.path.startswith(url)} for url, label in SECTIONS
        ]
    }
