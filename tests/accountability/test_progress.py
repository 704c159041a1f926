from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accountability import progress as requirement_progress
from accountability.models import ReportingRequirement
from community.models import Attendance
from mentorprogram.models import Membership
from tests.factories import UserFactory
from tests.factories.accountability import (
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    ReportingRequirementFactory,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import AttendanceFactory, MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import CompletionFactory
from toolbox import periods

M = ReportingRequirement.Metric


@pytest.mark.parametrize("kind, day, start_month, expected", [
    ("month", dt.date(2026, 2, 14), 7, (dt.date(2026, 2, 1), dt.date(2026, 3, 1), "February 2026")),
    ("quarter", dt.date(2026, 2, 14), 7, (dt.date(2026, 1, 1), dt.date(2026, 4, 1), "Jan–Mar 2026 (quarter 3)")),
    ("quarter", dt.date(2026, 2, 14), 9, (dt.date(2025, 12, 1), dt.date(2026, 3, 1), "Dec–Feb 2026 (quarter 2)")),
    ("academic_year", dt.date(2026, 2, 14), 7, (dt.date(2025, 7, 1), dt.date(2026, 7, 1), "Academic year 2025–26")),
    ("academic_year", dt.date(2026, 7, 1), 7, (dt.date(2026, 7, 1), dt.date(2027, 7, 1), "Academic year 2026–27")),
    ("academic_year", dt.date(2026, 2, 14), 1, (dt.date(2026, 1, 1), dt.date(2027, 1, 1), "Academic year 2026")),
])
def test_it_finds_the_period_around_a_day(kind, day, start_month, expected):
    period = periods.period_containing(kind, day, start_month)
    assert (period.start, period.end, period.label) == expected


def test_elapsed_fraction_counts_today_as_gone():
    period = periods.period_containing("month", dt.date(2026, 4, 1))
    assert period.elapsed_fraction(dt.date(2026, 3, 31)) == 0
    assert period.elapsed_fraction(dt.date(2026, 4, 15)) == 0.5
    assert period.elapsed_fraction(dt.date(2026, 5, 3)) == 1


@pytest.fixture
def meetings_requirement(program):
    return ReportingRequirementFactory(program=program, metric=M.MENTEE_MEETINGS, target=2, period="month")


def only(progress, metric):
    return next(p for p in progress if p.requirement.metric == metric)


def test_meetings_count_the_mentee_met_least(program, mentor, meetings_requirement):
    often, rarely = MenteeFactory(program=program, mentor=mentor), MenteeFactory(program=program, mentor=mentor)
    for day in (2, 5, 9):
        MenteeMeetingFactory(mentee=often, held_on=dt.date(2026, 3, day))
    MenteeMeetingFactory(mentee=rarely, held_on=dt.date(2026, 3, 3))
    MenteeMeetingFactory(mentee=rarely, held_on=dt.date(2026, 2, 27))  # last month: not counted
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 10)),
                    M.MENTEE_MEETINGS)
    assert (progress.actual, progress.status) == (Decimal(1), requirement_progress.ON_TRACK)
    assert progress.percent == 50
    late = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 31)),
                M.MENTEE_MEETINGS)
    assert late.status == requirement_progress.BEHIND
    MenteeMeetingFactory(mentee=rarely, held_on=dt.date(2026, 3, 20))
    met = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 31)),
               M.MENTEE_MEETINGS)
    assert (met.actual, met.status, met.percent) == (Decimal(2), requirement_progress.MET, 100)


def test_what_is_expected_grows_with_the_period(program, mentor, meetings_requirement):
    mentee = MenteeFactory(program=program, mentor=mentor)
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2026, 3, 3))

    def status_on(day):
        progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=day),
                        M.MENTEE_MEETINGS)
        return progress.expected, progress.status

    # 2 a month: none expected in the first week, 1 by mid-month, 2 towards its end.
    assert status_on(dt.date(2026, 3, 5)) == (0, requirement_progress.ON_TRACK)
    assert status_on(dt.date(2026, 3, 20)) == (1, requirement_progress.ON_TRACK)
    assert status_on(dt.date(2026, 3, 25)) == (2, requirement_progress.BEHIND)
    assert status_on(dt.date(2026, 3, 31)) == (2, requirement_progress.BEHIND)


def test_paused_and_ended_mentorships_are_not_counted(program, mentor, meetings_requirement):
    mentee = MenteeFactory(program=program, mentor=mentor)
    mentee.mentorships.update(status="ended", ended_on=dt.date(2026, 1, 31))
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 10)),
                    M.MENTEE_MEETINGS)
    assert progress.status == requirement_progress.NOT_APPLICABLE


def test_goals_count_per_mentee_in_the_academic_year(program, mentor):
    ReportingRequirementFactory(program=program, metric=M.MENTEE_GOALS, target=1, period="academic_year")
    mentee = MenteeFactory(program=program, mentor=mentor)
    MenteeGoalFactory(mentee=mentee, set_on=dt.date(2025, 6, 30))  # the year before
    early, late = dt.date(2025, 9, 10), dt.date(2026, 3, 10)
    assert only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=early),
                M.MENTEE_GOALS).status == requirement_progress.ON_TRACK
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=late), M.MENTEE_GOALS)
    assert (progress.actual, progress.status) == (0, requirement_progress.BEHIND)  # past half the year without a goal
    MenteeGoalFactory(mentee=mentee, set_on=dt.date(2025, 7, 1))
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=late), M.MENTEE_GOALS)
    assert progress.status == requirement_progress.MET


def test_reassessment_counts_submitted_self_assessments(program, mentor):
    ReportingRequirementFactory(program=program, metric=M.REASSESSMENT, target=1, period="academic_year")
    make_response(mentor, program, make_instrument(program))
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program), M.REASSESSMENT)
    assert (progress.actual, progress.status) == (1, requirement_progress.MET)


def held_meeting(program, day: dt.date):
    return MeetingFactory(series=MeetingSeriesFactory(program=program), status="held",
                          starts_at=dt.datetime(day.year, day.month, day.day, 20, 0, tzinfo=dt.UTC))


def test_attendance_is_the_share_of_held_community_meetings_attended(program, mentor):
    ReportingRequirementFactory(program=program, metric=M.COMMUNITY_ATTENDANCE, target=75, period="quarter")
    Membership.objects.filter(user=mentor).update(joined_on=dt.date(2025, 1, 1))
    meetings = [held_meeting(program, dt.date(2026, m, 10)) for m in (1, 2, 3)]
    held_meeting(program, dt.date(2025, 12, 9))  # the quarter before
    MeetingFactory(series=meetings[0].series, status="cancelled",
                   starts_at=dt.datetime(2026, 3, 24, 20, 0, tzinfo=dt.UTC))
    AttendanceFactory(meeting=meetings[0], user=mentor)
    AttendanceFactory(meeting=meetings[1], user=mentor)
    AttendanceFactory(meeting=meetings[2], user=mentor, present=False)
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 30)),
                    M.COMMUNITY_ATTENDANCE)
    assert (progress.actual, progress.status, progress.detail) == (67, requirement_progress.BEHIND,
                                                                   "2 of 3 meetings attended.")
    AttendanceFactory(meeting=meetings[2], user=UserFactory())  # someone else's attendance changes nothing
    Attendance.objects.filter(user=mentor, present=False).update(present=True)
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 30)),
                    M.COMMUNITY_ATTENDANCE)
    assert (progress.actual, progress.status) == (100, requirement_progress.MET)


def test_attendance_counts_only_meetings_since_the_mentor_joined(program, mentor):
    ReportingRequirementFactory(program=program, metric=M.COMMUNITY_ATTENDANCE, target=75, period="quarter")
    Membership.objects.filter(user=mentor).update(joined_on=dt.date(2026, 3, 1))
    AttendanceFactory(meeting=held_meeting(program, dt.date(2026, 3, 10)), user=mentor)
    held_meeting(program, dt.date(2026, 1, 13))
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 30)),
                    M.COMMUNITY_ATTENDANCE)
    assert (progress.actual, progress.status) == (100, requirement_progress.MET)


def test_without_held_meetings_attendance_does_not_apply(program, mentor):
    ReportingRequirementFactory(program=program, metric=M.COMMUNITY_ATTENDANCE, target=75, period="quarter")
    progress = only(requirement_progress.progress_for_mentor(user=mentor, program=program), M.COMMUNITY_ATTENDANCE)
    assert progress.status == requirement_progress.NOT_APPLICABLE


def test_training_credit_sums_completed_training_in_the_academic_year(program, mentor, other_mentor):
    ReportingRequirementFactory(program=program, metric=M.TRAINING_CREDIT, target=4, period="academic_year")
    CompletionFactory(user=mentor, completed_on=dt.date(2025, 8, 1), credit_hours=Decimal("2.5"))
    CompletionFactory(user=mentor, completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("1.5"))
    CompletionFactory(user=mentor, completed_on=dt.date(2025, 6, 30), credit_hours=Decimal("2.5"))  # year before
    CompletionFactory(user=mentor, status="planned", completed_on=None, credit_hours=Decimal("0"))
    CompletionFactory(user=other_mentor, completed_on=dt.date(2025, 9, 1), credit_hours=Decimal("1"))
    progress = {p.pk: requirement_progress.progress_for_mentor(user=p, program=program, today=dt.date(2026, 3, 1))
                for p in (mentor, other_mentor)}
    mine, theirs = only(progress[mentor.pk], M.TRAINING_CREDIT), only(progress[other_mentor.pk], M.TRAINING_CREDIT)
    assert (mine.actual, mine.status, mine.actual_display) == (Decimal(4), requirement_progress.MET, "4")
    assert (theirs.actual, theirs.status) == (Decimal(1), requirement_progress.BEHIND)  # 3 of 4 expected by March


def test_inactive_requirements_are_left_out(program, mentor):
    ReportingRequirementFactory(program=program, is_active=False)
    assert requirement_progress.progress_for_mentor(user=mentor, program=program) == []


@pytest.mark.parametrize("mentees", [1, 8])
def test_progress_takes_a_fixed_number_of_queries(program, mentor, mentees, django_assert_num_queries):
    for metric in M:
        ReportingRequirementFactory(program=program, metric=metric, target=1, period="quarter")
    for _ in range(mentees):
        mentee = MenteeFactory(program=program, mentor=mentor)
        MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2026, 3, 2))
        MenteeGoalFactory(mentee=mentee, set_on=dt.date(2026, 3, 2))
    # the requirements, then the mentor with every measure counted by the database
    with django_assert_num_queries(2):
        requirement_progress.progress_for_mentor(user=mentor, program=program, today=dt.date(2026, 3, 10))


def test_the_measures_are_compiled_once_a_shape_and_each_person_gets_their_own(program, mentor, other_mentor,
                                                                                 monkeypatch):
    """The dashboard card's query is compiled once for a program's requirements and day, then run
    with each person's id: the figures stay each person's, and a new requirement is a new shape."""
    from toolbox import compiled

    requirement = ReportingRequirementFactory(program=program, metric=M.TRAINING_CREDIT, target=4,
                                              period="academic_year")
    CompletionFactory(user=mentor, completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("3"))
    CompletionFactory(user=other_mentor, completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("1"))
    monkeypatch.setattr(compiled, "_shapes", type(compiled._shapes)())
    builds = []
    real = compiled.Compiled
    monkeypatch.setattr(compiled, "Compiled", lambda queryset: builds.append(queryset) or real(queryset))
    day = dt.date(2026, 3, 1)

    def hours(person):
        return [p.actual for p in requirement_progress.progress_for_mentor(user=person, program=program, today=day)]

    outsider = UserFactory()  # not a mentor of the program: no figures, whatever they completed
    CompletionFactory(user=outsider, completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("2"))
    assert (hours(mentor), hours(other_mentor), hours(outsider)) == ([3], [1], [0])
    assert len(builds) == 1
    ReportingRequirement.objects.filter(pk=requirement.pk).update(target=2)  # the target is judged per call
    assert [p.status for p in requirement_progress.progress_for_mentor(user=mentor, program=program, today=day)] == [
        requirement_progress.MET]
    assert len(builds) == 1
    ReportingRequirementFactory(program=program, metric=M.REASSESSMENT, target=1, period="academic_year")
    assert hours(mentor) == [0, 3]  # in the order of their metrics
    assert len(builds) == 2
