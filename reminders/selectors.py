"""Reads for reminders: who receives them, and what an RSVP link may answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from community import permissions as community_permissions
from community.models import Meeting, Rsvp
from mentorprogram.models import Membership, User
from mentorprogram.permissions import LIVE_STATUSES

from . import tokens
from .models import ReminderDelivery

RECIPIENT_ROLES = (Membership.Role.MENTOR, Membership.Role.COORDINATOR)
"""The Mentor Community's people: its mentors (prospective ones too, who join a meeting before
taking a mentee) and the coordinators who run the meetings."""


def recipient_memberships(program_ids: Iterable[int]) -> QuerySet[Membership]:
    """Memberships whose holders get a program's meeting reminders (opted-out people excluded)."""
    return Membership.objects.filter(
        program_id__in=list(program_ids), role__in=RECIPIENT_ROLES, status__in=LIVE_STATUSES,
        user__is_active=True, user__reminders_opt_out=False,
    )


def recipients_by_program(program_ids: Iterable[int]) -> dict[int, dict[int, dt.date]]:
    """program id → {user id: the earliest day they joined it}, in one query."""
    result: dict[int, dict[int, dt.date]] = {}
    rows = recipient_memberships(program_ids).values_list("program_id", "user_id", "joined_on")
    for program_id, user_id, joined_on in rows:
        people = result.setdefault(program_id, {})
        people[user_id] = min(joined_on, people.get(user_id, joined_on))
    return result


def send_now_recipients(*, meeting: Meeting, now: dt.datetime | None = None) -> list[User]:
    """Who "send reminders now" would email: the meeting's reminder recipients not yet sent one
    with the button. Raises ValidationError for a meeting that takes no reminders (cancelled,
    held, or already started)."""
    now = now or timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}; no reminders go out.")
    if meeting.starts_at <= now:
        raise ValidationError("This meeting has already started; no reminders go out.")
    already = ReminderDelivery.objects.filter(meeting=meeting, kind=ReminderDelivery.Kind.REMINDER,
                                              lead_days=ReminderDelivery.MANUAL_LEAD).values("user_id")
    ids = recipient_memberships([meeting.series.program_id]).exclude(user_id__in=already).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("display_name", "email"))


@dataclass(frozen=True)
class RsvpInvitation:
    meeting: Meeting
    user: User
    answer: str
    current: str | None

    @property
    def answer_label(self) -> str:
        return Rsvp.Answer(self.answer).label


def get_rsvp_invitation(*, token: str, answer: str) -> RsvpInvitation:
    """What an RSVP link may record, or 404 for a bad token, an unknown answer, or a person
    who no longer takes part. An expired genuine token raises ``tokens.ExpiredToken``."""
    if answer not in Rsvp.Answer.values:
        raise Http404("No such answer.")
    try:
        meeting_id, user_id = tokens.read_rsvp_token(token)
    except tokens.InvalidToken:
        raise Http404("No such invitation.") from None
    meeting = Meeting.objects.select_related("series__program", "presenter").filter(pk=meeting_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if meeting is None or user is None or not community_permissions.may_take_part(user, meeting.series.program_id):
        raise Http404("No such invitation.")
    current = Rsvp.objects.filter(meeting=meeting, user=user).values_list("answer", flat=True).first()
    return RsvpInvitation(meeting=meeting, user=user, answer=answer, current=current)
