"""Reads for the Mentor Community. Each takes the viewer and returns only what they may see,
in a number of queries that does not grow with members or meetings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from mentorprogram.models import Membership, Program, User
from mentorprogram.selectors import program_members

from . import permissions
from .models import (
    Acknowledgement,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Challenge,
    Meeting,
    ProcessAgreement,
    Rsvp,
)

ATTENDANCE_WINDOW = dt.timedelta(days=365)
PAST_MEETINGS_SHOWN = 12
UPCOMING_MEETINGS_SHOWN = 6
MEMBERS_PER_PAGE = 50
NEWEST_MEMBERS_SHOWN = 5
FEED_PAST = dt.timedelta(days=92)


# --- programs and communities -------------------------------------------------------------

def _programs_visible_to(user: User) -> QuerySet[Program]:
    ids = permissions.community_program_ids(user)
    return Program.objects.all() if ids is None else Program.objects.filter(pk__in=ids)


def get_program_for_user(*, user: User, slug: str) -> Program:
    """The program whose community pages the user may read, with its community's purpose (when
    written), or 404."""
    try:
        return _programs_visible_to(user).select_related("mentor_community").get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such community.") from None


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("series__program", "presenter", "reading")


def _listed_meetings() -> QuerySet[Meeting]:
    """Meetings with only what lists and cards show of them (a fraction of the columns: their
    cost in building the query and the rows grows with each one)."""
    return _meetings().only(
        "starts_at", "ends_at", "status", "place", "minutes", "series__title", "series__program__name",
        "series__program__slug", "series__program__community_name", "presenter__name", "presenter__role",
        "reading__title", "reading__citation", "reading__url")


def communities_for_user(*, user: User, now: dt.datetime) -> list[dict]:
    """The communities the user belongs to, each with its next meeting."""
    programs = list(_programs_visible_to(user).order_by("community_name"))
    upcoming = _meetings().filter(
        series__program__in=programs, status=Meeting.Status.SCHEDULED, ends_at__gt=now,
    ).order_by("starts_at")
    first: dict[int, Meeting] = {}
    for meeting in upcoming.filter(starts_at__lt=now + dt.timedelta(days=400)):
        first.setdefault(meeting.series.program_id, meeting)
    return [{"program": p, "next_meeting": first.get(p.pk)} for p in programs]


@dataclass(frozen=True)
class Member:
    """A line of a community's member list."""

    pk: int  # the membership's
    name: str
    department: str


@dataclass(frozen=True)
class MemberPage:
    """One page of a community's members, with how many there are in all."""

    members: list[Member]
    total: int
    number: int
    per_page: int = MEMBERS_PER_PAGE

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def member_page(*, program: Program, number: int = 1, search: str = "",
                per_page: int = MEMBERS_PER_PAGE) -> MemberPage:
    """The active mentors of the program by name, ``per_page`` at a time, those whose name as shown
    or department contains ``search`` when given, and how many there are: one query (the total
    rides on each row as a window count). A page past the end gives the first page.

    The address is searched only where it is the name shown (no display name): searching the
    others' would tell which person's private address holds what was typed."""
    number = max(1, number)
    listed = program_members(program=program, role=Membership.Role.MENTOR)
    if search:
        listed = listed.filter(Q(user__display_name__icontains=search) | Q(department__icontains=search)
                               | Q(user__display_name="", user__email__icontains=search))
    start = (number - 1) * per_page
    rows = list(_member_rows(listed)[start:start + per_page])
    if not rows and number > 1:
        return member_page(program=program, number=1, search=search, per_page=per_page)
    return MemberPage(members=_members(rows), total=rows[0][-1] if rows else 0, number=number, per_page=per_page)


def newest_members(*, program: Program, limit: int = NEWEST_MEMBERS_SHOWN) -> tuple[list[Member], int]:
    """The program's most recently joined active mentors, and how many active mentors it has: one
    query (the community page's welcome to new members; the directory lists them all)."""
    listed = program_members(program=program, role=Membership.Role.MENTOR).order_by("-joined_on", "-pk")
    rows = list(_member_rows(listed)[:limit])
    return _members(rows), rows[0][-1] if rows else 0


def _member_rows(memberships: QuerySet[Membership]):
    """Only what a member list shows, with the number of rows in all as a window count."""
    return (memberships.annotate(total=Window(Count("pk")))
            .values_list("pk", "user__display_name", "user__email", "department", "total"))


def _members(rows) -> list[Member]:
    return [Member(pk=pk, name=User.shown_name(display_name, email), department=department)
            for pk, display_name, email, department, _ in rows]


def community_page(*, program: Program, user: User, now: dt.datetime) -> dict:
    """Name, purpose, the newest members, next and past meetings of one community, with the
    viewer's own answers on the coming ones."""
    base = _listed_meetings().filter(series__program=program)
    newest, member_total = newest_members(program=program)
    upcoming = list(base.filter(ends_at__gt=now).exclude(status=Meeting.Status.HELD)
                    .annotate(my_rsvp=_my_answer(user))
                    .order_by("starts_at")[:UPCOMING_MEETINGS_SHOWN])
    next_meeting = next((m for m in upcoming if m.status == Meeting.Status.SCHEDULED), None)
    return {
        "program": program,
        "community": getattr(program, "mentor_community", None),
        "newest_members": newest,
        "member_total": member_total,
        "next_meeting": next_meeting,
        "upcoming": upcoming,
        "past": list(base.filter(ends_at__lte=now).exclude(status=Meeting.Status.CANCELLED)
                     .annotate(my_presence=_my_presence(user))
                     .order_by("-starts_at")[:PAST_MEETINGS_SHOWN]),
        "is_coordinator": permissions.may_manage(user, program.pk),
    }


# --- meetings -------------------------------------------------------------------------------

def get_meeting_for_user(*, user: User, pk: int) -> Meeting:
    """A meeting of a program the user may see, or 404."""
    qs = _meetings()
    ids = permissions.community_program_ids(user)
    if ids is not None:
        qs = qs.filter(series__program_id__in=ids)
    try:
        return qs.get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting.") from None


@dataclass(frozen=True)
class ChallengeView:
    """A challenge as one viewer may see it: ``author`` is None when hidden from them."""

    pk: int
    text: str
    author: User | None
    anonymous: bool
    status: str
    status_label: str
    submitted_at: dt.datetime
    meeting: Meeting | None = None


def _challenge_view(challenge: Challenge, viewer: User) -> ChallengeView:
    visible = permissions.may_see_author(viewer, author_id=challenge.author_id, program_id=challenge.program_id)
    return ChallengeView(
        pk=challenge.pk, text=challenge.text,
        author=challenge.author if (visible or not challenge.anonymous) else None,
        anonymous=challenge.anonymous, status=challenge.status, status_label=challenge.get_status_display(),
        submitted_at=challenge.submitted_at, meeting=challenge.meeting,
    )


def agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.agenda_items.select_related("topic"))


def meeting_page(*, meeting: Meeting, user: User, now: dt.datetime) -> dict:
    """Everything the meeting page shows this viewer."""
    program_id = meeting.series.program_id
    manager = permissions.may_manage(user, program_id)
    counts = Counter(dict(meeting.rsvps.values_list("answer").annotate(n=Count("pk")).values_list("answer", "n")))
    my_rsvp = meeting.rsvps.filter(user=user).values_list("answer", flat=True).first()
    challenges = [
        _challenge_view(c, user)
        for c in meeting.challenges.select_related("author").order_by("submitted_at")
    ]
    is_past = meeting.ends_at <= now or meeting.status == Meeting.Status.HELD
    context = {
        "is_past": is_past,
        "is_open": not is_past and meeting.status != Meeting.Status.CANCELLED,
        # True: attended, False: recorded absent, None: not recorded (only asked once it is over)
        "my_presence": (meeting.attendance.filter(user=user).values_list("present", flat=True).first()
                        if is_past else None),
        "meeting": meeting,
        "program": meeting.series.program,
        "agenda": agenda(meeting),
        "rsvp_counts": {a: counts.get(a, 0) for a in Rsvp.Answer.values},
        "my_rsvp": my_rsvp,
        "can_rsvp": (
            permissions.may_take_part(user, program_id)
            and meeting.status == Meeting.Status.SCHEDULED and meeting.ends_at > now
        ),
        "challenges": challenges,
        "is_coordinator": manager,
        "show_minutes": is_past and bool(meeting.minutes.strip()),
    }
    if manager:
        context["rsvps"] = list(meeting.rsvps.select_related("user").order_by("answer", "user__display_name"))
        context["attendance"] = list(meeting.attendance.select_related("user").order_by("user__display_name"))
    return context


def upcoming_meetings_for_user(
    *, user: User, now: dt.datetime | None = None, limit: int = 3, program_ids: Iterable[int] | None = None,
) -> list[Meeting]:
    """The user's coming scheduled meetings across their programs, soonest first, each with
    ``my_rsvp`` (the user's answer or None). ``program_ids`` saves a query when known."""
    now = now or timezone.now()
    if program_ids is None:
        ids = permissions.community_program_ids(user)
        program_ids = ids if ids is not None else Program.objects.values_list("pk", flat=True)
    return list(
        _listed_meetings().filter(series__program_id__in=list(program_ids), status=Meeting.Status.SCHEDULED,
                                  ends_at__gt=now)
        .annotate(my_rsvp=_my_answer(user)).order_by("starts_at")[:limit]
    )


def _count(qs: QuerySet) -> Subquery:
    """How many rows ``qs`` (correlated to the outer row) has, as a subquery."""
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


def _my_presence(user: User) -> Subquery:
    """Whether ``user`` was recorded present at the outer meeting (None when not recorded)."""
    return Subquery(Attendance.objects.filter(meeting=OuterRef("pk"), user=user).values("present")[:1],
                    output_field=BooleanField())


def _my_answer(user: User) -> Subquery:
    """The user's RSVP answer to the meeting of the row (None if they have not answered)."""
    return Subquery(Rsvp.objects.filter(meeting=OuterRef("pk"), user=user).values("answer")[:1])


# --- attendance -----------------------------------------------------------------------------

ATTENDEE_ROLES = (Membership.Role.MENTOR, Membership.Role.COORDINATOR)
"""Who is on a meeting's attendance sheet: the community's mentors (prospective ones too) and its
coordinators, and anyone else who answered or was recorded (a member who has since left)."""


@dataclass(frozen=True)
class AttendanceRow:
    user: User
    rsvp: str | None
    recorded: bool | None
    """Present (True) or absent (False) as recorded, None when nothing is recorded yet."""

    @property
    def rsvp_label(self) -> str:
        return Rsvp.Answer(self.rsvp).label if self.rsvp else "no answer"


@dataclass(frozen=True)
class AttendanceSheet:
    meeting: Meeting
    rows: list[AttendanceRow]

    @property
    def taken(self) -> bool:
        """Whether attendance has been recorded (then the ticks show it, else the yes answers)."""
        return any(r.recorded is not None for r in self.rows)

    def ticked(self) -> set[int]:
        if self.taken:
            return {r.user.pk for r in self.rows if r.recorded}
        return {r.user.pk for r in self.rows if r.rsvp == Rsvp.Answer.YES}


def attendance_sheet(*, meeting: Meeting) -> AttendanceSheet:
    """Everyone a coordinator may mark present at the meeting, by name, with their answer and what
    is recorded, in four queries whatever the number of members."""
    program_id = meeting.series.program_id
    member_ids = set(Membership.objects.filter(program_id=program_id, role__in=ATTENDEE_ROLES,
                                               status__in=permissions.LIVE_STATUSES).values_list("user_id", flat=True))
    answers = dict(meeting.rsvps.values_list("user_id", "answer"))
    recorded = dict(meeting.attendance.values_list("user_id", "present"))
    people = User.objects.filter(pk__in=member_ids | set(answers) | set(recorded)).order_by("display_name", "email")
    return AttendanceSheet(meeting=meeting, rows=[
        AttendanceRow(user=u, rsvp=answers.get(u.pk), recorded=recorded.get(u.pk)) for u in people
    ])


@dataclass(frozen=True)
class AttendanceRate:
    """Held meetings a person attended out of those held while they were a member."""

    attended: int
    held: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.held if self.held else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def attendance_rates(
    *, users: Iterable[User | int], program: Program, now: dt.datetime | None = None,
) -> dict[int, AttendanceRate]:
    """Attendance rate over the last 12 months for many people at once, in three queries.

    Only meetings marked held count, and only those on or after the day the person joined
    the program."""
    now = now or timezone.now()
    user_ids = [u if isinstance(u, int) else u.pk for u in users]
    zone = zoneinfo.ZoneInfo(program.time_zone)
    held = list(
        Meeting.objects.filter(
            series__program=program, status=Meeting.Status.HELD, starts_at__gte=now - ATTENDANCE_WINDOW,
            starts_at__lte=now,
        ).values_list("pk", "starts_at")
    )
    joined: dict[int, dt.date] = {}
    for user_id, joined_on in Membership.objects.filter(program=program, user_id__in=user_ids).values_list(
        "user_id", "joined_on"
    ):
        joined[user_id] = min(joined_on, joined.get(user_id, joined_on))
    present: dict[int, set[int]] = {}
    if held:
        for user_id, meeting_id in Attendance.objects.filter(
            meeting_id__in=[pk for pk, _ in held], user_id__in=user_ids, present=True,
        ).values_list("user_id", "meeting_id"):
            present.setdefault(user_id, set()).add(meeting_id)
    result = {}
    for user_id in user_ids:
        since = joined.get(user_id)
        eligible = {pk for pk, starts in held if since is None or starts.astimezone(zone).date() >= since}
        attended = len(present.get(user_id, set()) & eligible)
        result[user_id] = AttendanceRate(attended=attended, held=len(eligible))
    return result


def attendance_by_month(*, program: Program, months: list[dt.date]) -> dict[dt.date, dict]:
    """For the program report: per month (first day, in the program's zone) the held meetings,
    the attendances recorded, the attendances expected (mentors who had joined by each meeting)
    and the people those figures rest on (the most mentors expected at one of the month's
    meetings; two meetings with three mentors are six attendances but only three people).
    One query, one row per meeting held, whatever the number of mentors."""
    if not months:
        return {}
    zone = zoneinfo.ZoneInfo(program.time_zone)
    start = dt.datetime.combine(min(months), dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(max(months), dt.time.min, tzinfo=zone) + dt.timedelta(days=32)
    present = Attendance.objects.filter(meeting=OuterRef("pk"), present=True)
    joined = Membership.objects.filter(permissions.asked_to_acknowledge_q(), program=program,
                                       joined_on__lte=OuterRef("day"))
    held = (
        Meeting.objects.filter(series__program=program, status=Meeting.Status.HELD, starts_at__gte=start,
                               starts_at__lt=end)
        .annotate(day=TruncDate("starts_at", tzinfo=zone), n_present=_count(present), expected=_count(joined))
        .values_list("day", "n_present", "expected")
    )
    wanted = set(months)
    result: dict[dt.date, dict] = {}
    for day, n_present, expected in held:
        month = day.replace(day=1)
        if month not in wanted:
            continue
        row = result.setdefault(month, {"meetings": 0, "attended": 0, "expected": 0, "people": 0})
        row["meetings"] += 1
        row["attended"] += n_present
        row["expected"] += expected
        row["people"] = max(row["people"], expected)
    return result


# --- challenges -----------------------------------------------------------------------------

def own_challenges(*, user: User, program: Program) -> list[ChallengeView]:
    return [
        _challenge_view(c, user)
        for c in Challenge.objects.filter(program=program, author=user).select_related("author", "meeting")
    ]


def open_challenges(*, program: Program, user: User) -> list[ChallengeView]:
    """Open challenges of a program, for its coordinators (authors shown)."""
    if not permissions.may_manage(user, program.pk):
        return []
    qs = Challenge.objects.filter(program=program, status=Challenge.Status.OPEN).select_related("author", "meeting")
    return [_challenge_view(c, user) for c in qs.order_by("submitted_at")]


# --- agreements -----------------------------------------------------------------------------

def current_agreement(*, program: Program, now: dt.datetime | None = None) -> ProcessAgreement | None:
    now = now or timezone.now()
    return (
        ProcessAgreement.objects.filter(program=program, published_at__lte=now).order_by("-version").first()
    )


def agreements_to_acknowledge(
    *, user: User, now: dt.datetime | None = None, memberships: Iterable[Membership] | None = None,
) -> list[ProcessAgreement]:
    """The current agreement of each program where the user is asked and has not acknowledged it,
    each with its program from the memberships (one query; two when they are not given)."""
    now = now or timezone.now()
    if memberships is None:
        memberships = (Membership.objects.filter(permissions.asked_to_acknowledge_q(), user=user)
                       .select_related("program"))
    else:
        memberships = [m for m in memberships if permissions.is_asked_membership(m)]
    programs = {m.program_id: m.program for m in memberships}
    if not programs:
        return []
    current: dict[int, ProcessAgreement] = {}
    for agreement in ProcessAgreement.objects.filter(
        program_id__in=programs, published_at__lte=now,
    ).order_by("program_id", "-version").only("pk", "version", "program_id", "published_at").annotate(
        acknowledged=Exists(Acknowledgement.objects.filter(agreement=OuterRef("pk"), user=user)),
    ):
        current.setdefault(agreement.program_id, agreement)
    for agreement in current.values():
        agreement.program = programs[agreement.program_id]
    return [a for a in current.values() if not a.acknowledged]


@dataclass
class AcknowledgementRow:
    membership: Membership
    acknowledged_at: dt.datetime | None = None


@dataclass
class AcknowledgementStatus:
    agreement: ProcessAgreement
    rows: list[AcknowledgementRow] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return sum(1 for r in self.rows if r.acknowledged_at)

    @property
    def pending(self) -> int:
        return len(self.rows) - self.acknowledged


def acknowledgement_status(*, agreement: ProcessAgreement) -> AcknowledgementStatus:
    """Who among the mentors asked has and has not acknowledged this version (two queries)."""
    memberships = (
        Membership.objects.filter(permissions.asked_to_acknowledge_q(), program_id=agreement.program_id)
        .select_related("user").order_by("user__display_name", "user__email")
    )
    acks = dict(agreement.acknowledgements.values_list("user_id", "acknowledged_at"))
    return AcknowledgementStatus(
        agreement=agreement,
        rows=[AcknowledgementRow(membership=m, acknowledged_at=acks.get(m.user_id)) for m in memberships],
    )


def agreement_page(*, program: Program, user: User, now: dt.datetime) -> dict:
    agreement = current_agreement(program=program, now=now)
    context = {"program": program, "agreement": agreement, "acknowledged_at": None, "status": None,
               "is_coordinator": permissions.may_manage(user, program.pk)}
    if agreement is None:
        return context
    context["acknowledged_at"] = (
        agreement.acknowledgements.filter(user=user).values_list("acknowledged_at", flat=True).first()
    )
    context["asked"] = permissions.is_asked_to_acknowledge(user, program)
    if context["is_coordinator"]:
        context["status"] = acknowledgement_status(agreement=agreement)
        context["versions"] = list(program.process_agreements.filter(published_at__isnull=False)
                                   .annotate(n_acks=Count("acknowledgements")).order_by("-version"))
    return context


def get_agreement_for_user(*, user: User, pk: int) -> ProcessAgreement:
    qs = ProcessAgreement.objects.select_related("program").filter(published_at__isnull=False)
    ids = permissions.community_program_ids(user)
    if ids is not None:
        qs = qs.filter(program_id__in=ids)
    try:
        return qs.get(pk=pk)
    except ProcessAgreement.DoesNotExist:
        raise Http404("No such agreement.") from None


# --- calendar feed --------------------------------------------------------------------------

def calendar_feed_for_user(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def get_feed_user(*, token: str) -> User:
    """The active person whose feed token this is, or 404 (wrong, revoked or inactive)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar.")
    return feed.user


def feed_meetings(*, user: User, now: dt.datetime | None = None) -> list[Meeting]:
    """The person's programs' meetings from three months back on, with their agendas."""
    now = now or timezone.now()
    ids = permissions.community_program_ids(user)
    qs = _meetings()
    if ids is not None:
        qs = qs.filter(series__program_id__in=ids)
    return list(
        qs.filter(Q(starts_at__gte=now - FEED_PAST))
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("topic")))
        .order_by("starts_at")
    )


# --- the coordinator's home -----------------------------------------------------------------

def next_meeting_with_rsvps(*, program: Program, now: dt.datetime | None = None) -> Meeting | None:
    """The program's next scheduled meeting (or the one under way), with its RSVPs counted by
    the database as ``rsvp_yes``, ``rsvp_maybe`` and ``rsvp_no``. One query, for its coordinators."""
    now = now or timezone.now()
    answers = {f"rsvp_{a}": Count("rsvps", filter=Q(rsvps__answer=a)) for a in Rsvp.Answer.values}
    return (
        Meeting.objects.select_related("series").filter(
            series__program=program, status=Meeting.Status.SCHEDULED, ends_at__gt=now,
        ).annotate(**answers).order_by("starts_at", "pk").first()
    )


def new_challenges(*, program: Program, limit: int = 5) -> tuple[int, list[Challenge]]:
    """Open challenges waiting to be put on an agenda, oldest first (the ``limit`` first), and how
    many there are in all, counted by the same query; coordinators see their authors."""
    shown = list(Challenge.objects.filter(program=program, status=Challenge.Status.OPEN)
                 .select_related("author", "meeting").annotate(total=Window(Count("pk")))
                 .order_by("submitted_at", "pk")[:limit])
    return (shown[0].total if shown else 0), shown
