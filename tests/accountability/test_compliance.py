from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from accountability import coordinators, progress
from accountability.models import Mentee, MenteeMeeting, Mentorship, ReportingRequirement
from mentorprogram.models import Membership, User
from tests.factories import make_member
from tests.factories.accountability import MenteeFactory, MenteeMeetingFactory, ReportingRequirementFactory

M = ReportingRequirement.Metric


@pytest.fixture
def requirements(program):
    return [
        ReportingRequirementFactory(program=program, metric=M.MENTEE_MEETINGS, target=1, period="academic_year"),
        ReportingRequirementFactory(program=program, metric=M.TRAINING_CREDIT, target=2.5, period="academic_year"),
    ]


def add_mentors(program, count: int) -> None:
    """Many mentors quickly: each with one mentee met once long ago (so behind by year's end)."""
    users = User.objects.bulk_create([User(email=f"bulk{i}@example.org", display_name=f"Dr. Bulk {i:04d}")
                                      for i in range(count)])
    Membership.objects.bulk_create([Membership(user=u, program=program, role="mentor") for u in users])
    mentees = Mentee.objects.bulk_create([Mentee(program=program, mentor=u, name=f"Mentee {u.pk}") for u in users])
    Mentorship.objects.bulk_create([Mentorship(mentee=m, started_on=dt.date(2020, 1, 1)) for m in mentees])
    MenteeMeeting.objects.bulk_create([MenteeMeeting(mentee=m, held_on=dt.date(2020, 2, 1), duration_minutes=30)
                                       for m in mentees])


def test_it_lists_mentors_behind_first(program, mentor, other_mentor, requirements):
    keen = make_member(program, display_name="Aaron Keen")
    for person, held in ((mentor, dt.date(2026, 5, 2)), (other_mentor, dt.date(2025, 5, 2)),
                         (keen, dt.date(2025, 9, 2))):
        MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=person), held_on=held)
    requirements_, rows = coordinators.compliance_table(program=program, today=dt.date(2026, 6, 30))
    assert rows[0].mentor == other_mentor  # no meeting this academic year, on its last day
    assert {r.mentor: (r.cells[0].actual, r.cells[0].status) for r in rows} == {
        mentor: (1, progress.MET), keen: (1, progress.MET), other_mentor: (0, progress.BEHIND)}
    assert requirements_ == sorted(requirements, key=lambda r: r.metric)


def test_the_page_shows_the_table_to_the_programs_coordinator(client, coordinator, program, mentor, requirements):
    client.force_login(coordinator)
    response = client.get(reverse("accountability:compliance", args=[program.slug]))
    assert response.status_code == 200
    assert str(mentor) in response.content.decode()


def test_it_can_show_only_the_mentors_behind(client, coordinator, program, mentor, other_mentor, requirements):
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories.courses import CompletionFactory

    MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=mentor), held_on=timezone.localdate())
    CompletionFactory(user=mentor, completed_on=timezone.localdate(), credit_hours=Decimal("2.5"))
    Membership.objects.filter(program=program).update(joined_on=dt.date(2020, 1, 1))  # past their first period
    _, rows = coordinators.compliance_table(program=program)
    assert any(r.behind for r in rows) and not all(r.behind for r in rows)
    client.force_login(coordinator)
    url = reverse("accountability:compliance", args=[program.slug])
    page = client.get(url, {"show": "behind"})
    assert [r.mentor for r in page.context["rows"]] == [r.mentor for r in rows if r.behind]
    assert mentor not in [r.mentor for r in page.context["rows"]]
    assert page.context["mentor_count"] == len(rows)
    assert len(client.get(url).context["rows"]) == len(rows)


def test_it_downloads_the_table_as_a_spreadsheet_safe_csv(client, coordinator, program, requirements):
    make_member(program, display_name="=HYPERLINK(\"http://evil.example\")", email="evil@example.org")
    client.force_login(coordinator)
    response = client.get(reverse("accountability:compliance_csv", args=[program.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mentor", "Email", "Department", "Requirements behind"]
    assert rows[0][4:] == ["Meetings with each mentee — actual (meetings)", "target (meetings)", "status",
                           "Training credit hours — actual (hours)", "target (hours)", "status"]
    evil = next(r for r in rows if r[1] == "evil@example.org")
    assert evil[0].startswith("'=")
    assert evil[4:] == ["", "1", "Not applicable", "0", "2.5", evil[9]]  # numbers, or empty and the status
    assert evil[9] in ("On track", "Getting started")  # joined today: never behind in the first period


def test_it_shows_a_coordinator_only_their_programs(client, other_coordinator, program):
    client.force_login(other_coordinator)
    assert client.get(reverse("accountability:compliance", args=[program.slug])).status_code == 404
    assert client.get(reverse("accountability:compliance_csv", args=[program.slug])).status_code == 404


@pytest.mark.parametrize("mentors", [3, 300])
def test_the_table_takes_the_same_queries_for_3_and_300_mentors(client, coordinator, program, requirements,
                                                                mentors, cold):
    add_mentors(program, mentors)
    client.force_login(coordinator)
    # session, user, their memberships, program, requirements, and the page's mentors with every
    # status decided and the mentors counted (and those behind) in the database
    with cold(6):
        response = client.get(reverse("accountability:compliance", args=[program.slug]))
    assert response.context["page"].paginator.count == mentors
    with cold(7):  # requirements, every mentor, and the download recorded in every mentor's audit trail in one INSERT
        client.get(reverse("accountability:compliance_csv", args=[program.slug]))


def test_it_summarises_compliance_and_plans_for_the_program_report(program, mentor, other_mentor, requirements):
    from tests.factories.accountability import AccountabilityPlanFactory, PlanItemFactory

    for person, held in ((mentor, dt.date(2026, 5, 2)), (other_mentor, dt.date(2025, 5, 2))):
        MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=person), held_on=held)
    day = dt.date(2026, 6, 30)
    summary = coordinators.requirement_compliance_summary(program=program, today=day)
    # The key names the requirement and its current period: the report keeps its releases by it.
    assert [row.pop("key") for row in summary] == [f"{r.pk}:2025-07-01" for r in sorted(
        requirements, key=lambda r: r.metric)]
    assert summary == [
        {"requirement": "Meetings with each mentee", "target": "1 per academic year", "on_track": 1, "behind": 1},
        {"requirement": "Training credit hours", "target": "2.5 per academic year", "on_track": 0, "behind": 2},
    ]
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 6, 1))
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 6, 1), status="done", completed_on=dt.date(2026, 5, 1))
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 6, 1), status="dropped")
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 8, 1))
    assert coordinators.plan_completion_summary(program=program, today=day) == {
        "people": 1, "items": 3, "completed": 1, "overdue": 1}


def test_it_shows_the_mentors_furthest_behind_a_page_at_a_time(client, coordinator, program, requirements):
    from accountability.views import COMPLIANCE_PAGE_SIZE

    add_mentors(program, COMPLIANCE_PAGE_SIZE + 2)
    client.force_login(coordinator)
    url = reverse("accountability:compliance", args=[program.slug])
    _, rows = coordinators.compliance_table(program=program)
    first = client.get(url)
    assert [r.mentor for r in first.context["rows"]] == [r.mentor for r in rows[:COMPLIANCE_PAGE_SIZE]]
    assert "page=2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [r.mentor for r in second.context["rows"]] == [r.mentor for r in rows[COMPLIANCE_PAGE_SIZE:]]
    assert client.get(url, {"page": "junk"}).context["page"].number == 1
    past = client.get(url, {"page": 99})  # past the last page: the last one
    assert past.context["page"].number == 2
    assert [r.mentor for r in past.context["rows"]] == [r.mentor for r in rows[COMPLIANCE_PAGE_SIZE:]]
    behind = client.get(url, {"show": "behind", "page": 2}).context
    assert behind["page"].paginator.count == sum(1 for r in rows if r.behind)
    assert [r.mentor for r in behind["rows"]] == [r.mentor for r in rows if r.behind][COMPLIANCE_PAGE_SIZE:]


def test_the_reports_counts_agree_with_the_table_mentor_by_mentor(program, coordinator, mentor, faculty):
    """The report's summary counts the statuses the database decides; the compliance table's cells
    work each one out in Python from the measures. On a year of demo data (every kind of
    requirement, mentors who joined this period), at days across the periods, they agree."""
    from demo.seeders import core, seeder_modules

    extra = core.seed_extra_mentors(program, 30)
    for module in seeder_modules():
        module.seed(program=program, people={"coordinator": coordinator, "mentor": mentor, "faculty": faculty},
                    mentors=extra)
    Membership.objects.filter(user__in=extra[:3]).update(joined_on=dt.date.today() - dt.timedelta(days=2))
    today, seen = dt.date.today(), set()
    for day in (today, today - dt.timedelta(days=40), today + dt.timedelta(days=75), today - dt.timedelta(days=200)):
        requirements, rows = coordinators.compliance_table(program=program, today=day)
        summary = coordinators.requirement_compliance_summary(program=program, today=day)
        assert len(summary) == len(requirements) == len({r.metric for r in requirements}) >= 4
        for i, counted in enumerate(summary):
            statuses = [row.cells[i].status for row in rows]
            seen.update(statuses)
            assert (counted["on_track"], counted["behind"]) == (
                sum(s in (progress.MET, progress.ON_TRACK) for s in statuses), statuses.count(progress.BEHIND)), (
                day, counted["requirement"])
    assert {progress.MET, progress.BEHIND, progress.GETTING_STARTED} <= seen


def test_the_tables_query_is_compiled_once_a_shape_and_every_figure_is_read_anew(program, mentor, monkeypatch):
    """The compliance table's and the home's queries are compiled once for a program's
    requirements (with their targets and periods) and day: new records show at once, and a
    changed target is a new query."""
    from decimal import Decimal

    from accountability import standing
    from tests.factories.courses import CompletionFactory
    from toolbox import compiled

    hours = ReportingRequirementFactory(program=program, metric=M.TRAINING_CREDIT, target=2, period="academic_year")
    monkeypatch.setattr(compiled, "_shapes", type(compiled._shapes)())
    built = []
    real_rule = standing.rule
    monkeypatch.setattr(standing, "rule", lambda *args: built.append(args[1].pk) or real_rule(*args))
    day = dt.date(2026, 3, 1)

    def cell():
        table = coordinators.compliance_table_page(program=program, number=1, per_page=10, today=day)
        [row] = table.page.object_list
        return row.cells[0].actual, row.cells[0].status, table.behind_count

    def furthest_behind():
        [requirement] = coordinators.behind_by_requirement(program=program, today=day)
        return requirement.count, [person for person, _ in requirement.furthest]

    assert cell() == (Decimal(0), progress.BEHIND, 1)
    assert furthest_behind() == (1, [mentor])
    CompletionFactory(user=mentor, completed_on=dt.date(2026, 2, 1), credit_hours=Decimal("2"))
    assert cell() == (Decimal(2), progress.MET, 0)
    assert furthest_behind() == (0, [])
    assert len(built) == 2  # once for the table, once for the home's card
    ReportingRequirement.objects.filter(pk=hours.pk).update(target=5)
    assert cell() == (Decimal(2), progress.BEHIND, 1)  # 2 of 5 hours, with 3 expected by March
    assert len(built) == 3
