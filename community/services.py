"""Writes for the Mentor Community. Views, the admin, tasks and the demo seeder call these."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mentorprogram.models import Program, User

from . import recurrence
from .models import (
    Acknowledgement,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Challenge,
    Meeting,
    MeetingSeries,
    ProcessAgreement,
    Rsvp,
)

HORIZON_MONTHS = 12


@dataclass(frozen=True)
class MaterialiseResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0


@transaction.atomic
def series_materialise(
    *, series: MeetingSeries, now: dt.datetime | None = None, months: int = HORIZON_MONTHS,
    since: dt.datetime | None = None,
) -> MaterialiseResult:
    """Make the series' meetings from ``since`` (default now) up to ``months`` ahead.

    Existing occurrences are never recreated. Future scheduled meetings that nobody moved
    follow the series' place, link and duration; those the rule no longer produces are
    cancelled (so calendars hear of it) rather than deleted. Running it twice changes nothing."""
    now = now or timezone.now()
    since = since or now
    until = now + relativedelta(months=months)
    series = MeetingSeries.objects.select_for_update().select_related("program").get(pk=series.pk)
    starts = (
        recurrence.occurrences(
            series.rrule, first_date=series.first_date, start_time=series.start_time,
            last_date=series.last_date, zone=series.zone, since=since, until=until,
        )
        if series.is_active
        else []
    )
    duration = dt.timedelta(minutes=series.duration_minutes)
    existing = {m.occurrence_start: m for m in series.meetings.filter(occurrence_start__gte=min(since, now))}
    new = [
        Meeting(
            series=series, occurrence_start=start, starts_at=start, ends_at=start + duration,
            place=series.place, video_url=series.video_url,
        )
        for start in starts
        if start not in existing
    ]
    Meeting.objects.bulk_create(new)

    wanted = set(starts)
    updated = cancelled = 0
    for occurrence, meeting in existing.items():
        if meeting.is_exception or meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= now:
            continue
        if series.is_active and occurrence not in wanted and occurrence < until:
            meeting.status = Meeting.Status.CANCELLED
            _save_schedule_change(meeting, ["status"])
            cancelled += 1
            continue
        changes = {"place": series.place, "video_url": series.video_url, "ends_at": meeting.starts_at + duration}
        changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
        if changed:
            for name in changed:
                setattr(meeting, name, changes[name])
            _save_schedule_change(meeting, changed)
            updated += 1
    return MaterialiseResult(created=len(new), updated=updated, cancelled=cancelled)


def _save_schedule_change(meeting: Meeting, changed: list[str]) -> None:
    if set(changed) & set(Meeting.SCHEDULE_FIELDS):
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()


def meeting_save(*, meeting: Meeting, changed_fields: list[str]) -> Meeting:
    """Save a coordinator's edit of one meeting. A change of time, place or status raises
    the calendar SEQUENCE and detaches the meeting from later series changes."""
    if set(changed_fields) & set(Meeting.SCHEDULE_FIELDS) - {"status"} or (
        "status" in changed_fields and meeting.status == Meeting.Status.CANCELLED
    ):
        meeting.is_exception = True
    if meeting.pk is None:
        meeting.full_clean()
        meeting.save()
    else:
        _save_schedule_change(meeting, changed_fields)
    return meeting


def meeting_check_extra(*, series: MeetingSeries, starts_at: dt.datetime) -> None:
    """An extra meeting may not take the very start of another meeting of the series."""
    if series.meetings.filter(occurrence_start=starts_at).exists():
        raise ValidationError("The series already has a meeting starting then; move or edit that one instead.")


def meeting_add_extra(*, meeting: Meeting) -> Meeting:
    """Add a meeting outside the series' rule. It stands on its own (an exception), so later
    changes to the series neither move nor cancel it; reminders and calendars treat it as any
    other meeting."""
    meeting_check_extra(series=meeting.series, starts_at=meeting.starts_at)
    meeting.occurrence_start = meeting.starts_at
    meeting.is_exception = True
    meeting.full_clean()
    meeting.save()
    return meeting


def meeting_move(*, meeting: Meeting, starts_at: dt.datetime, ends_at: dt.datetime | None = None) -> Meeting:
    """Move one occurrence; it keeps its UID and its place in the series."""
    ends_at = ends_at or starts_at + (meeting.ends_at - meeting.starts_at)
    changed = [name for name, value in (("starts_at", starts_at), ("ends_at", ends_at))
               if getattr(meeting, name) != value]
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    return meeting_save(meeting=meeting, changed_fields=changed)


def meeting_cancel(*, meeting: Meeting) -> Meeting:
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    meeting.status = Meeting.Status.CANCELLED
    return meeting_save(meeting=meeting, changed_fields=["status"])


def meeting_hold_refusal(meeting: Meeting, now: dt.datetime) -> str | None:
    """Why the meeting cannot be marked held now, or None: a meeting is held once it has started,
    and a cancelled one never."""
    if meeting.status == Meeting.Status.CANCELLED:
        return "it was cancelled"
    if meeting.starts_at > now:
        local = meeting.starts_at.astimezone(meeting.series.zone)
        return f"it has not started yet (it starts {local:%A %-d %B %Y at %H:%M}); mark it held once it has"
    return None


def meeting_mark_held(*, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Mark a meeting held; refused (ValidationError) before it has started or when cancelled."""
    if meeting.status == Meeting.Status.HELD:
        return meeting
    reason = meeting_hold_refusal(meeting, now or timezone.now())
    if reason:
        raise ValidationError(f"This meeting cannot be marked held: {reason}.")
    meeting.status = Meeting.Status.HELD
    return meeting_save(meeting=meeting, changed_fields=["status"])


def rsvp_answer(*, meeting: Meeting, user: User, answer: str, now: dt.datetime | None = None) -> Rsvp:
    """Record a member's answer. Only a scheduled meeting that has not ended takes answers."""
    now = now or timezone.now()
    if answer not in Rsvp.Answer.values:
        raise ValidationError({"answer": "Answer yes, no or maybe."})
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError({"answer": f"This meeting is {meeting.get_status_display().lower()}."})
    if meeting.ends_at <= now:
        raise ValidationError({"answer": "This meeting is over."})
    rsvp, _ = Rsvp.objects.update_or_create(
        meeting=meeting, user=user, defaults={"answer": answer, "answered_at": now},
    )
    return rsvp


@transaction.atomic
def attendance_record(*, meeting: Meeting, present: list[int], absent: tuple[int, ...] | list[int] = ()) -> int:
    """Record who came. Existing records for these people are overwritten."""
    rows = [Attendance(meeting=meeting, user_id=uid, present=True) for uid in present]
    rows += [Attendance(meeting=meeting, user_id=uid, present=False) for uid in absent if uid not in present]
    Attendance.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["meeting", "user"], update_fields=["present"],
    )
    return len(rows)


def attendance_refusal(meeting: Meeting, now: dt.datetime) -> str | None:
    """Why attendance cannot be taken now, or None: only once the meeting has started, never for
    a cancelled one."""
    if meeting.status == Meeting.Status.CANCELLED:
        return "This meeting was cancelled: there is no attendance to take."
    if meeting.starts_at > now:
        local = meeting.starts_at.astimezone(meeting.series.zone)
        return f"This meeting starts {local:%A %-d %B %Y at %H:%M}; take attendance once it has started."
    return None


def meeting_take_attendance(
    *, meeting: Meeting, present: set[int], listed: set[int], minutes: str | None = None,
    mark_held: bool = False, now: dt.datetime | None = None,
) -> int:
    """Record a whole meeting's attendance in one go: everyone ``listed`` is present if in
    ``present``, else absent (earlier records overwritten); optionally save the minutes and mark
    the meeting held. Refused (ValidationError) before it has started and for a cancelled one."""
    now = now or timezone.now()
    reason = attendance_refusal(meeting, now)
    if reason:
        raise ValidationError(reason)
    if not present <= listed:
        raise ValidationError("Only the people on the attendance sheet can be marked present.")
    with transaction.atomic():
        recorded = attendance_record(meeting=meeting, present=sorted(present), absent=sorted(listed - present))
        if minutes is not None and minutes != meeting.minutes:
            meeting.minutes = minutes
            meeting.save(update_fields=["minutes", "updated_at"])
        if mark_held:
            meeting_mark_held(meeting=meeting, now=now)
    return recorded


def attendance_from_rsvps(*, meeting: Meeting, now: dt.datetime | None = None) -> int:
    """Mark the meeting held and everyone who answered yes present (a starting point the
    coordinator then corrects). Refused before the meeting has started."""
    yes = list(meeting.rsvps.filter(answer=Rsvp.Answer.YES).values_list("user_id", flat=True))
    with transaction.atomic():
        meeting_mark_held(meeting=meeting, now=now)
        return attendance_record(meeting=meeting, present=yes)


def next_meeting(program: Program | int, now: dt.datetime) -> Meeting | None:
    program_id = program if isinstance(program, int) else program.pk
    return (
        Meeting.objects.filter(series__program_id=program_id, status=Meeting.Status.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def challenge_submit(
    *, program: Program, author: User, text: str, anonymous: bool, now: dt.datetime | None = None,
) -> Challenge:
    """A member raises a challenge or question for the program's next meeting."""
    now = now or timezone.now()
    challenge = Challenge(
        program=program, author=author, text=text.strip(), anonymous=anonymous, submitted_at=now,
        meeting=next_meeting(program, now),
    )
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_add_to_agenda(
    *, challenge: Challenge, meeting: Meeting | None = None, now: dt.datetime | None = None,
) -> AgendaItem:
    """Turn an open challenge into the last item on a meeting's agenda (the meeting it was
    raised for if still ahead, else the next one). The item never names the author."""
    now = now or timezone.now()
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != Challenge.Status.OPEN:
        raise ValidationError("This challenge is already on an agenda or closed.")
    if meeting is None:
        raised_for = challenge.meeting
        usable = raised_for and raised_for.status == Meeting.Status.SCHEDULED and raised_for.starts_at > now
        meeting = raised_for if usable else next_meeting(challenge.program_id, now)
    if meeting is None:
        raise ValidationError("There is no coming meeting to put it on.")
    if meeting.series.program_id != challenge.program_id:
        raise ValidationError("That meeting belongs to another program.")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = AgendaItem(meeting=meeting, position=(last or 0) + 1, text=challenge.text)
    item.full_clean()
    item.save()
    challenge.agenda_item, challenge.meeting, challenge.status = item, meeting, Challenge.Status.ON_AGENDA
    challenge.save(update_fields=["agenda_item", "meeting", "status"])
    return item


def agreement_save_draft(*, agreement: ProcessAgreement) -> ProcessAgreement:
    """Save a draft; a new one gets the program's next version number. Published text is frozen."""
    if agreement.pk is not None and ProcessAgreement.objects.filter(
        pk=agreement.pk, published_at__isnull=False,
    ).exists():
        raise ValidationError("A published version cannot change; start a new version instead.")
    with transaction.atomic():
        if agreement.pk is None:
            last = ProcessAgreement.objects.filter(program=agreement.program).aggregate(v=Max("version"))["v"]
            agreement.version = (last or 0) + 1
        agreement.full_clean()
        agreement.save()
    return agreement


def agreement_new_version(
    *, program: Program, based_on: ProcessAgreement | None = None, **sections: str,
) -> ProcessAgreement:
    """A draft with the next version number, copying ``based_on``'s text unless given."""
    values = {name: getattr(based_on, name) if based_on else "" for name, _ in ProcessAgreement.SECTIONS}
    values.update(sections)
    return agreement_save_draft(agreement=ProcessAgreement(program=program, **values))


def agreement_publish(*, agreement: ProcessAgreement, now: dt.datetime | None = None) -> ProcessAgreement:
    """Publishing freezes the text; from then on mentors are asked to acknowledge it."""
    if agreement.published_at is None:
        agreement.full_clean()
        agreement.published_at = now or timezone.now()
        agreement.save(update_fields=["published_at"])
    return agreement


def agreement_acknowledge(
    *, agreement: ProcessAgreement, user: User, now: dt.datetime | None = None,
) -> Acknowledgement:
    """Acknowledge a published version. Doing it twice keeps the first date."""
    now = now or timezone.now()
    if agreement.published_at is None or agreement.published_at > now:
        raise ValidationError("This version has not been published.")
    ack, _ = Acknowledgement.objects.get_or_create(agreement=agreement, user=user, defaults={"acknowledged_at": now})
    return ack


def calendar_feed_regenerate(*, user: User, now: dt.datetime | None = None) -> CalendarFeed:
    """Give the person a new private feed token; any earlier link stops working."""
    now = now or timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic():
                feed, _ = CalendarFeed.objects.update_or_create(
                    user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": now},
                )
                return feed
        except IntegrityError:  # a token collision: astronomically rare, try again
            continue
    raise RuntimeError("Could not make a unique calendar token.")


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
