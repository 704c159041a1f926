"""The coordinator's pages judge a thousand mentors in SQL (accountability/standing.py); a mentor's
own page judges them in Python (progress._progress). Both must say the same of everyone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability import coordinators, progress
from accountability.models import Mentorship, ReportingRequirement
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.accountability import (
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    ReportingRequirementFactory,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import AttendanceFactory, MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import CompletionFactory

M = ReportingRequirement.Metric
TODAY = dt.date(2026, 3, 20)  # three weeks into a monthly period, in the academic year 2025–26
LONG_AGO = dt.date(2020, 1, 1)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def mentors(program):
    """Mentors with every kind of record, short and over each target, one of them new."""
    for metric, target, period in ((M.MENTEE_MEETINGS, 2, "month"), (M.MENTEE_GOALS, 1, "academic_year"),
                                   (M.TRAINING_CREDIT, Decimal("2.5"), "quarter"),
                                   (M.REASSESSMENT, 1, "academic_year")):
        ReportingRequirementFactory(program=program, metric=metric, target=target, period=period)
    series = MeetingSeriesFactory(program=program)
    held = [MeetingFactory(series=series, starts_at=_at(dt.date(2025, 9, 1) + dt.timedelta(days=20 * i)),
                           status="held") for i in range(8)]
    version = make_instrument(program, domains=1, items_per_domain=1)
    people = {name: make_member(program, display_name=name) for name in
              ("Dr. Nothing", "Dr. Keen", "Dr. New", "Dr. Halfway", "dr. paused", "Dr. Eighth", "Dr. Steady")}
    Membership.objects.filter(program=program).update(joined_on=LONG_AGO)
    Membership.objects.filter(program=program, user=people["Dr. New"]).update(joined_on=dt.date(2026, 3, 2))
    keen = MenteeFactory(program=program, mentor=people["Dr. Keen"])
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 9)):
        MenteeMeetingFactory(mentee=keen, held_on=day)
    MenteeGoalFactory(mentee=keen, set_on=dt.date(2025, 10, 1))
    for meeting in held:
        AttendanceFactory(meeting=meeting, user=people["Dr. Keen"])
    CompletionFactory(user=people["Dr. Keen"], completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("2.5"))
    make_response(people["Dr. Keen"], program, version, now=_at(dt.date(2025, 11, 1)))
    for i, name in enumerate(("Dr. Halfway", "Dr. Halfway", "dr. paused")):
        mentee = MenteeFactory(program=program, mentor=people[name])
        if i == 0:
            MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2026, 3, 3))
    MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=people["Dr. Steady"]),
                         held_on=dt.date(2026, 3, 5))  # one of two by the 20th: on track
    Mentorship.objects.filter(mentee__mentor=people["dr. paused"]).update(status=Mentorship.Status.PAUSED)
    for meeting in held[:4]:
        AttendanceFactory(meeting=meeting, user=people["Dr. Halfway"])
    AttendanceFactory(meeting=held[0], user=people["Dr. Eighth"])  # 12.5%: rounded to 12, half to even
    CompletionFactory(user=people["Dr. Halfway"], completed_on=dt.date(2026, 1, 10), credit_hours=Decimal("1.25"))
    return people


def _python(program, people) -> dict:
    return {person: [(c.status, c.actual, c.expected)
                     for c in progress.progress_for_mentor(user=person, program=program, today=TODAY)]
            for person in people.values()}


@pytest.mark.parametrize("attendance_target", [75, 50, 13, 12])
def test_the_table_says_what_each_mentors_own_page_says(program, mentors, attendance_target):
    ReportingRequirementFactory(program=program, metric=M.COMMUNITY_ATTENDANCE, target=attendance_target,
                                period="academic_year")
    _, rows = coordinators.compliance_table(program=program, today=TODAY)
    python = _python(program, mentors)
    assert {r.mentor: [(c.status, c.actual, c.expected) for c in r.cells] for r in rows} == python
    assert {s for cells in python.values() for s, *_ in cells} >= {
        progress.MET, progress.ON_TRACK, progress.BEHIND, progress.NOT_APPLICABLE, progress.GETTING_STARTED}
    behind = [sum(1 for s, *_ in python[r.mentor] if s == progress.BEHIND) for r in rows]
    assert behind == sorted(behind, reverse=True)  # the most requirements behind first
    summary = coordinators.requirement_compliance_summary(program=program, today=TODAY)
    for i, row in enumerate(summary):
        statuses = [cells[i][0] for cells in python.values()]
        assert (row["on_track"], row["behind"]) == (
            sum(s in (progress.MET, progress.ON_TRACK) for s in statuses), statuses.count(progress.BEHIND))


def test_the_home_names_those_furthest_behind_as_the_table_would(program, mentors):
    ReportingRequirementFactory(program=program, metric=M.COMMUNITY_ATTENDANCE, target=75, period="academic_year")
    python = _python(program, mentors)
    for i, found in enumerate(coordinators.behind_by_requirement(program=program, today=TODAY, limit=2)):
        behind = sorted(((person, cells[i]) for person, cells in python.items() if cells[i][0] == progress.BEHIND),
                        key=lambda pair: (pair[1][1] - pair[1][2], str(pair[0]).lower()))
        assert found.count == len(behind)
        assert [(person, cell.actual, cell.expected) for person, cell in found.furthest] == [
            (person, actual, expected) for person, (_, actual, expected) in behind[:2]]
