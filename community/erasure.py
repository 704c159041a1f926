"""What erasing a person does to the community's records beyond the registry's one update
(mentorprogram/personal_data.py names this handler)."""

from __future__ import annotations

from .models import AgendaItem

ERASED_AGENDA_TEXT = "A member's challenge (its words were removed when its author's data was erased)."


def challenge_agenda_items(erasure) -> None:
    """An agenda item made from the person's challenge (its text copied) stays on its meeting's
    agenda, without their words."""
    AgendaItem.objects.filter(challenge__author_id=erasure.person_id).update(text=ERASED_AGENDA_TEXT)
