"""Demo Mentor Community: a monthly series with held meetings (minutes, attendance) behind it
and prepared ones (agenda, presenter, reading) ahead, a challenge and the process agreements."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from community import services
from community.models import (
    AgendaItem,
    Attendance,
    Challenge,
    Meeting,
    MeetingSeries,
    MentorCommunity,
    ProcessAgreement,
    ResourcePerson,
    Rsvp,
    Topic,
)
from courses.models import Reading
from mentorprogram.models import Membership

ORDER = 30

PURPOSE = (
    "Mentoring can be lonely work. Once a month the mentors of the department meet for an hour to talk "
    "through what is going well and what is not, to practise a skill together, to discuss a short "
    "reading and to hear from people across the school who can help our mentees.\n\n"
    "Bring a challenge, a question or a success. What is said in the room stays in the room."
)

RESOURCE_PEOPLE = [
    ("Dr. Miriam Alvarez", "Associate Dean for Faculty Development", "Office of Academic Affairs"),
    ("Jordan Pike", "Research Funding Librarian", "Medical Library"),
    ("Dr. Thomas Greene", "Director, Faculty Wellness Program", "Office of Faculty Wellbeing"),
]

MINUTES = (
    "- We went round the table: each mentor shared one thing that worked with a mentee this month.\n"
    "- Discussion of the reading: most of us agreed that writing expectations down in the first meeting "
    "saves trouble later.\n"
    "- Two mentors will try a shared goals document with their mentees and report back.\n\n"
    "*Next time:* bring one example of feedback you gave and how it landed."
)

AGREEMENT = {
    "difficult_situations": (
        "If a mentoring relationship runs into trouble — missed meetings, conflict, or a concern about a "
        "mentee's wellbeing — talk to the program coordinator first. Either side may end a pairing without "
        "giving a reason; the coordinator helps find a new match."
    ),
    "confidentiality": (
        "What a mentee shares stays between mentor and mentee, except where someone's safety is at risk or "
        "the law requires a report. Cases discussed in the Mentor Community are described without names."
    ),
    "meeting_frequency": (
        "Mentors meet each mentee at least once a month, in person or by video, and log the meeting. "
        "Mentors attend at least three in four (75%) of the monthly Mentor Community meetings."
    ),
    "new_mentors": (
        "A faculty member who wishes to mentor completes the readiness checklist and the skills inventory, "
        "acknowledges these agreements and joins a Mentor Community meeting before taking a first mentee."
    ),
    "activities": (
        "Twice a year the program holds a social gathering for mentors and mentees, and once a year a "
        "half-day of talks where mentees present their work."
    ),
}


def _first_of_month(moment: dt.datetime, months_back: int) -> dt.date:
    day = (moment - relativedelta(months=months_back)).date()
    return day.replace(day=1)


@transaction.atomic
def seed(*, program, people, mentors) -> str:
    now = timezone.now()
    MentorCommunity.objects.get_or_create(program=program, defaults={"purpose": PURPOSE})
    presenters = [
        ResourcePerson.objects.get_or_create(program=program, name=name, defaults={"role": role, "affiliation": aff})[0]
        for name, role, aff in RESOURCE_PEOPLE
    ]
    series, _ = MeetingSeries.objects.get_or_create(
        program=program, title="Monthly Mentor Circle",
        defaults={
            "rrule": "FREQ=MONTHLY;BYDAY=2TU", "first_date": _first_of_month(now, 6), "start_time": dt.time(12),
            "duration_minutes": 60, "place": "Medical School Office Building, room X303",
            "video_url": "https://video.example.org/j/5550123",
        },
    )
    since = dt.datetime.combine(series.first_date, dt.time.min, tzinfo=series.zone)
    made = services.series_materialise(series=series, now=now, since=since)

    topics = list(Topic.objects.order_by("position"))
    # The catalog's readings (the shared ones the courses migration seeds), taken in turn.
    readings = list(Reading.objects.filter(Q(program__isnull=True) | Q(program=program)).order_by("pk"))
    meetings = list(series.meetings.order_by("starts_at"))
    past = [m for m in meetings if m.ends_at <= now and m.status != Meeting.Status.CANCELLED]
    upcoming = [m for m in meetings if m.starts_at > now and m.status == Meeting.Status.SCHEDULED]
    attendees = [people["mentor"], *mentors]
    # The demo mentors have belonged since the community began, so their attendance counts.
    Membership.objects.filter(program=program, user__in=attendees, joined_on__gt=series.first_date).update(
        joined_on=series.first_date
    )
    with_agenda = set(AgendaItem.objects.filter(meeting__series=series).values_list("meeting_id", flat=True))

    prepared = past + upcoming[:3]
    for i, meeting in enumerate(prepared):
        if meeting.pk not in with_agenda and topics:
            AgendaItem.objects.bulk_create([
                AgendaItem(meeting=meeting, position=1, topic=topics[i % len(topics)]),
                AgendaItem(meeting=meeting, position=2, text="Discussion of the month's reading."),
            ])
        if not meeting.reading_id and readings:
            meeting.reading = readings[i % len(readings)]
            if i % 2 == 0 or meeting in upcoming:
                meeting.presenter = presenters[i % len(presenters)]
            meeting.save(update_fields=["reading", "presenter", "updated_at"])

    for i, meeting in enumerate(past):
        if meeting.status == Meeting.Status.SCHEDULED:
            meeting.minutes = meeting.minutes or MINUTES
            meeting.save(update_fields=["minutes", "updated_at"])
            services.meeting_mark_held(meeting=meeting)
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, user=person, present=(i + j) % 4 != 3)
                for j, person in enumerate(attendees)
            ],
            ignore_conflicts=True, batch_size=1000,
        )

    if upcoming and mentors:
        Rsvp.objects.bulk_create(
            [
                Rsvp(meeting=upcoming[0], user=person, answer=("yes", "yes", "maybe", "no")[j % 4], answered_at=now)
                for j, person in enumerate(mentors)
            ],
            ignore_conflicts=True, batch_size=1000,
        )
    if mentors and not Challenge.objects.filter(program=program).exists():
        services.challenge_submit(
            program=program, author=mentors[0], anonymous=False, now=now,
            text="My mentee wants to apply for a large grant far too early. How do I say so without discouraging her?",
        )

    if not ProcessAgreement.objects.filter(program=program).exists():
        agreement = services.agreement_new_version(program=program, **AGREEMENT)
        services.agreement_publish(agreement=agreement, now=now)

    return (
        f"Community “{program.community_name}”: {len(past)} past and {len(upcoming)} coming meetings "
        f"({made.created} new), {len(attendees)} members recorded."
    )
