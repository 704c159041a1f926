"""Stable names other apps may import: instrument slugs and domain keys.

Domain keys stay the same in every version of an instrument, so courses, plans and reports
refer to a domain by its key rather than by a row that a new version replaces.
"""

from __future__ import annotations

READINESS_CHECKLIST_SLUG = "mentor-readiness-checklist"
SKILLS_INVENTORY_SLUG = "mentor-skills-inventory"
MENTEE_FEEDBACK_SLUG = "mentee-feedback-on-mentor"
"""Mentees' feedback on their mentor: the skills inventory's six domain keys, from the mentee's side."""

# Readiness checklist domains (DESIGN §3).
TIME_AVAILABILITY = "time-availability"
MOTIVATION_PURPOSE = "motivation-purpose"
PROGRAM_EXPECTATIONS = "program-expectations"
BOUNDARIES_CONFIDENTIALITY = "boundaries-confidentiality"
OPENNESS_FEEDBACK = "openness-feedback"

READINESS_DOMAIN_KEYS = (
    TIME_AVAILABILITY,
    MOTIVATION_PURPOSE,
    PROGRAM_EXPECTATIONS,
    BOUNDARIES_CONFIDENTIALITY,
    OPENNESS_FEEDBACK,
)

# Skills inventory domains: the six competencies of research-mentor training.
EFFECTIVE_COMMUNICATION = "effective-communication"
ALIGNING_EXPECTATIONS = "aligning-expectations"
ASSESSING_UNDERSTANDING = "assessing-understanding"
FOSTERING_INDEPENDENCE = "fostering-independence"
EQUITY_INCLUSION = "equity-inclusion"
PROFESSIONAL_DEVELOPMENT = "professional-development"

SKILLS_DOMAIN_KEYS = (
    EFFECTIVE_COMMUNICATION,
    ALIGNING_EXPECTATIONS,
    ASSESSING_UNDERSTANDING,
    FOSTERING_INDEPENDENCE,
    EQUITY_INCLUSION,
    PROFESSIONAL_DEVELOPMENT,
)

DOMAIN_NAMES = {
    TIME_AVAILABILITY: "Time and availability",
    MOTIVATION_PURPOSE: "Motivation and purpose",
    PROGRAM_EXPECTATIONS: "Understanding the program's expectations",
    BOUNDARIES_CONFIDENTIALITY: "Boundaries and confidentiality",
    OPENNESS_FEEDBACK: "Openness to learning and feedback",
    EFFECTIVE_COMMUNICATION: "Maintaining effective communication",
    ALIGNING_EXPECTATIONS: "Aligning expectations",
    ASSESSING_UNDERSTANDING: "Assessing understanding",
    FOSTERING_INDEPENDENCE: "Fostering independence",
    EQUITY_INCLUSION: "Addressing equity and inclusion",
    PROFESSIONAL_DEVELOPMENT: "Promoting professional development",
}
