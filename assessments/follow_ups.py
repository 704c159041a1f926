"""Follow-ups that come round: when a person's follow-up self-assessment is due, the email that
invites them (once per due date), and who is overdue (README, "Follow-ups").

A program sets a :class:`~assessments.models.FollowUpCadence` per instrument: some months after
each person's baseline ("6, 12"), or once each academic year (on the first day of every academic
year after the baseline's, as ``toolbox.periods`` counts them). A due date is met by any response
the person submits on or after it; the person's *open* follow-up is their latest due date that
has come and is not met. It is overdue once the cadence's days to answer have passed.

Every read here is a fixed number of queries whatever the number of people: the cadences, and
one aggregate of the submitted responses per person and instrument (a person's own dashboard
reads theirs from the statuses it shows anyway); the dates are worked out from those rows.
"""

from __future__ import annotations

import calendar
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.models import Membership, OutboundEmail, Program, User
from mentorprogram.outbox import Composed, Skip, outbox_enqueue, outbox_queue
from toolbox.periods import academic_year_named, academic_year_of, local_today

from . import permissions
from .models import FollowUpCadence, Instrument, Response
from .selectors import REPLACEABLE_KINDS, InstrumentStatus

KIND = OutboundEmail.Kind.FOLLOW_UP


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the last day of the month when that month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due_dates(cadence: FollowUpCadence, baseline_on: date, today: date, start_month: int) -> list[date]:
    """The follow-up dates of a person whose baseline was on ``baseline_on``, up to ``today``."""
    if cadence.rule == FollowUpCadence.Rule.ACADEMIC_YEAR:
        first = academic_year_of(baseline_on, start_month) + 1
        return [academic_year_named(year, start_month).start
                for year in range(first, academic_year_of(today, start_month) + 1)]
    return [d for d in (add_months(baseline_on, m) for m in cadence.month_list) if d <= today]


def open_due_date(cadence: FollowUpCadence, baseline_on: date, last_on: date, today: date,
                  start_month: int) -> date | None:
    """The latest due date that has come and that no response since has met, or None."""
    dates = due_dates(cadence, baseline_on, today, start_month)
    if not dates or last_on >= dates[-1]:
        return None
    return dates[-1]


@dataclass(frozen=True)
class FollowUp:
    """One person's open follow-up of one instrument in one program."""

    program: Program
    instrument: Instrument
    user_id: int
    name: str
    email: str
    due_on: date
    overdue_on: date
    baseline_on: date
    last_on: date
    invitable: bool = True
    """The account is active (a follow-up is the program's own request, sent once per due date, like an
    invitation: the reminder and nudge opt-outs do not cover it)."""

    def is_overdue(self, today: date) -> bool:
        return today >= self.overdue_on

    @property
    def dedupe_key(self) -> str:
        return f"follow-up:{self.program.pk}:{self.instrument.pk}:{self.user_id}:{self.due_on:%Y-%m-%d}"


def _zone(program: Program):
    try:
        return zoneinfo.ZoneInfo(program.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def active_cadences(*, program_ids: Iterable[int] | None = None, now: datetime | None = None) -> list[FollowUpCadence]:
    """The cadences that are on, with their program and instrument (one query), for instruments
    their program uses now: a shared one that the program's own instrument of its kind replaces
    (``selectors.current_versions``) asks for nothing more."""
    now = now or timezone.now()
    replacing = Instrument.objects.filter(
        program=OuterRef("program"), kind=OuterRef("instrument__kind"), kind__in=REPLACEABLE_KINDS, is_active=True,
        versions__published_at__lte=now)
    qs = (FollowUpCadence.objects.filter(is_active=True, instrument__is_active=True)
          .exclude(Q(instrument__program__isnull=True) & Exists(replacing))
          .select_related("program", "instrument"))
    if program_ids is not None:
        qs = qs.filter(program_id__in=set(program_ids))
    return list(qs.order_by("program_id", "instrument__name", "pk"))


def open_follow_ups(*, cadences: list[FollowUpCadence], now: datetime) -> list[FollowUp]:
    """Every open follow-up under ``cadences``, of active mentors and faculty members of each
    cadence's program. One query (none without cadences), ordered by due date."""
    if not cadences:
        return []
    by_pair = {(c.program_id, c.instrument_id): c for c in cadences}
    taking = Membership.objects.filter(permissions.asked_for_follow_ups_q(), program=OuterRef("program"),
                                       user=OuterRef("user"))
    pairs = Q()
    for program_id, instrument_id in by_pair:
        pairs |= Q(program_id=program_id, instrument_id=instrument_id)
    rows = (Response.objects.filter(pairs, status=Response.Status.SUBMITTED).filter(Exists(taking))
            .values("program_id", "instrument_id", "user_id", "user__display_name", "user__email",
                    "user__is_active")
            .annotate(baseline=Min("submitted_at", filter=Q(occasion=Response.Occasion.BASELINE)),
                      last=Max("submitted_at"))
            .order_by())
    found = [
        follow_up for row in rows
        if (follow_up := _open(by_pair[(row["program_id"], row["instrument_id"])], user_id=row["user_id"],
                               name=User.shown_name(row["user__display_name"], row["user__email"]),
                               email=row["user__email"],
                               invitable=row["user__is_active"], baseline=row["baseline"], last=row["last"], now=now))
    ]
    return sorted(found, key=lambda f: (f.due_on, f.name, f.user_id, f.instrument.pk))


def _open(cadence: FollowUpCadence, *, user_id: int, name: str, email: str, invitable: bool,
          baseline: datetime | None, last: datetime, now: datetime) -> FollowUp | None:
    """The person's open follow-up under ``cadence``, from the times of their baseline and of their
    latest submission, or None."""
    if baseline is None:
        return None
    program, zone = cadence.program, _zone(cadence.program)
    baseline_on = timezone.localtime(baseline, zone).date()
    last_on = timezone.localtime(last, zone).date()
    due = open_due_date(cadence, baseline_on, last_on, local_today(program.time_zone, now),
                        program.academic_year_start_month)
    if due is None:
        return None
    return FollowUp(program=program, instrument=cadence.instrument, user_id=user_id, name=name, email=email,
                    due_on=due, overdue_on=due + timedelta(days=cadence.overdue_after_days),
                    baseline_on=baseline_on, last_on=last_on, invitable=invitable)


def overdue_follow_ups(*, program: Program, now: datetime | None = None, limit: int = 5) -> tuple[int, list[FollowUp]]:
    """For the coordinators' home: how many follow-ups of the program are overdue, and the longest
    overdue up to ``limit``. Two queries."""
    now = now or timezone.now()
    today = local_today(program.time_zone, now)
    overdue = [f for f in open_follow_ups(cadences=active_cadences(program_ids=[program.pk], now=now), now=now)
               if f.is_overdue(today)]
    return len(overdue), overdue[:limit]


def follow_ups_due_for(*, user: User, memberships: Iterable[Membership], statuses: Iterable[InstrumentStatus],
                       now: datetime) -> list[FollowUp]:
    """The person's own open follow-ups (their dashboard), worked out from their statuses
    (``selectors.statuses_for_taker``: the instruments their programs use now, each with their
    baseline and latest submission) where they take part as an active mentor or faculty member.
    One query, the cadences; none before a first baseline."""
    taking = {m.program_id for m in memberships if permissions.is_asked_for_follow_ups(m)}
    taken = {(s.program.pk, s.instrument.pk): s for s in statuses if s.program.pk in taking and s.baseline}
    if not taken:
        return []
    found = []
    for cadence in active_cadences(program_ids={program_id for program_id, _ in taken}, now=now):
        status = taken.get((cadence.program_id, cadence.instrument_id))
        if status is None:
            continue
        follow_up = _open(cadence, user_id=user.pk, name=str(user), email=user.email,
                          invitable=user.is_active, baseline=status.baseline.response.submitted_at,
                          last=status.latest.response.submitted_at, now=now)
        if follow_up is not None:
            found.append(follow_up)
    return sorted(found, key=lambda f: (f.due_on, f.instrument.name, f.instrument.pk))


# --- Invitations -------------------------------------------------------------------------------


def follow_up_invitations_dispatch(*, now: datetime | None = None) -> list[int]:
    """Record an invitation in the outbox for every open follow-up not invited yet, and queue them
    (after commit). The dedupe key names the person, program, instrument and due date, so running
    this again (the next day, or twice at once) records nothing new: one email per due date.
    Returns the outbox ids queued."""
    now = now or timezone.now()
    due = [f for f in open_follow_ups(cadences=active_cadences(now=now), now=now) if f.invitable]
    token = uuid.uuid4().hex
    with transaction.atomic():
        outbox_enqueue([
            OutboundEmail(kind=KIND, dedupe_key=f.dedupe_key, program=f.program, user_id=f.user_id,
                          to_address=f.email, context={"instrument": f.instrument.pk, "due_on": f.due_on.isoformat()})
            for f in due
        ], now=now, dispatch_token=token)
        return outbox_queue(dispatch_token=token)


class FollowUpComposer:
    """Builds each invitation when the outbox sends it; skips one whose follow-up was taken meanwhile."""

    def prepare(self, emails: list[OutboundEmail], now: datetime):
        users = User.objects.in_bulk({e.user_id for e in emails if e.user_id})
        programs = Program.objects.in_bulk({e.program_id for e in emails if e.program_id})
        instruments = Instrument.objects.in_bulk({e.context.get("instrument") for e in emails})
        latest = {
            (r["user_id"], r["program_id"], r["instrument_id"]): r["last"]
            for r in Response.objects.filter(user_id__in=users, program_id__in=programs,
                                             instrument_id__in=instruments, status=Response.Status.SUBMITTED)
            .values("user_id", "program_id", "instrument_id").annotate(last=Max("submitted_at")).order_by()
        }

        def build(email: OutboundEmail) -> Composed:
            person, program = users.get(email.user_id), programs.get(email.program_id)
            instrument = instruments.get(email.context.get("instrument"))
            if person is None or program is None or instrument is None:
                raise Skip("The person, program or instrument was removed.")
            if not person.is_active:
                raise Skip("The account is deactivated.")
            due_on = date.fromisoformat(email.context["due_on"])
            last = latest.get((person.pk, program.pk, instrument.pk))
            if last is not None and timezone.localtime(last, _zone(program)).date() >= due_on:
                raise Skip("The follow-up was taken meanwhile.")
            return Composed(_message(person, program, instrument, due_on))

        return build


def _message(person: User, program: Program, instrument: Instrument, due_on: date) -> EmailMultiAlternatives:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {"person": person, "program": program, "instrument": instrument, "due_on": due_on,
               "url": f"{base}{reverse('assessments:list')}",
               "site_name": getattr(settings, "SITE_NAME", "mentorprogram")}
    template = "emails/follow_up_due"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{template}.txt", context), to=[person.email])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
