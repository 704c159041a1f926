"""The site's main sections, in one place for the navigation bar."""

from __future__ import annotations

from .models import Membership
from .permissions import program_ids_with_role

Role = Membership.Role
# (path, label, roles that use the section; None: every signed-in person)
SECTIONS = [
    ("/assessments/", "Assessments", (Role.MENTOR, Role.FACULTY, Role.COORDINATOR)),
    ("/community/", "Community", (Role.MENTOR, Role.FACULTY, Role.COORDINATOR)),
    ("/accountability/", "Accountability", (Role.MENTOR, Role.COORDINATOR)),
    ("/courses/", "Courses", None),
]


def nav_sections(request) -> dict:
    """The sections the signed-in person has a use for: a faculty member keeps no accountability
    plan, so that link is left out (the pages themselves still answer, and say so)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_sections": [
            {"url": url, "label": label, "active": request.path.startswith(url)}
            for url, label, roles in SECTIONS
            if roles is None or user.is_superuser or program_ids_with_role(user, roles)
        ]
    }
