"""CSV exports on the admin lists coordinators use (responses, reminder deliveries, training
completions, plan items): scoped to the coordinator's programs even when another program's ids
are posted or "select all" is used, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accountability.models import AccountabilityPlan
from assessments.models import Response
from courses.models import Completion
from reminders.models import ReminderDelivery
from tests.factories import make_member
from tests.factories.accountability import AccountabilityPlanFactory, PlanItemFactory
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import CompletionFactory
from tests.factories.reminders import ReminderDeliveryFactory

FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def export(client, model, action: str, pks, *, select_across: bool = False):
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(changelist, {
        "action": action, "_selected_action": [str(pk) for pk in pks],
        "select_across": "1" if select_across else "0", "index": "0",
    })


def both_ways(client, model, action: str) -> list[list[list[str]]]:
    """The export with every row's id posted, then with "select all" (the list's whole queryset)."""
    everything = list(model.objects.values_list("pk", flat=True))
    return [rows_of(export(client, model, action, everything, select_across=across)) for across in (False, True)]


@pytest.fixture
def theirs(other_program):
    """A mentor of the other program only."""
    return make_member(other_program, email="theirs@surgery.example.org")


@pytest.fixture
def ours(program):
    return make_member(program, email="ours@example.org", display_name=FORMULA_NAME)


def test_it_exports_scored_responses_of_the_coordinators_programs_only(
    client, program, other_program, coordinator, ours, theirs
):
    make_response(ours, program, make_instrument(program, domains=1, items_per_domain=1), rating=6)
    make_response(theirs, other_program, make_instrument(other_program, domains=1, items_per_domain=1), rating=2)
    client.force_login(coordinator)
    for rows in both_ways(client, Response, "export_csv"):
        assert rows[0][:3] == ["email", "name", "program"]
        assert [r[0] for r in rows[1:]] == [ours.email]
        assert rows[1][1] == "'" + FORMULA_NAME
        assert rows[1][8] == "6.00"


def test_it_exports_reminder_deliveries_of_the_coordinators_programs_only(
    client, program, other_program, coordinator, ours, theirs
):
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly Mentor Circle"))
    ReminderDeliveryFactory(meeting=meeting, user=ours, email__status=ReminderDelivery.Status.FAILED,
                            email__last_error="-SMTP 451 try again", email__attempts=3)
    ReminderDeliveryFactory(meeting=MeetingFactory(series=MeetingSeriesFactory(program=other_program)), user=theirs)
    client.force_login(coordinator)
    for rows in both_ways(client, ReminderDelivery, "export_csv"):
        assert rows[0] == ["Program", "Meeting", "Meeting starts", "Email", "Name", "Email sent", "Status",
                           "Attempts", "Created", "Sent at", "Last error"]
        assert len(rows) == 2
        row = dict(zip(rows[0], rows[1], strict=True))
        assert (row["Program"], row["Meeting"], row["Email"]) == (program.name, "Monthly Mentor Circle", ours.email)
        assert (row["Email sent"], row["Status"], row["Attempts"]) == ("Reminder 7 days ahead", "Failed", "3")
        assert row["Name"] == "'" + FORMULA_NAME
        assert row["Last error"] == "'-SMTP 451 try again"


def test_it_exports_training_completions_of_the_coordinators_people_only(
    client, program, other_program, coordinator, ours, theirs
):
    CompletionFactory(user=ours, course__title="Mentor training for faculty", completed_on=dt.date(2026, 2, 3),
                      credit_hours=Decimal("2.5"))
    CompletionFactory(user=theirs, course__title="Surgery only", completed_on=dt.date(2026, 2, 4))
    client.force_login(coordinator)
    for rows in both_ways(client, Completion, "export_csv"):
        assert rows[0] == ["Email", "Name", "Course", "Provider", "Status", "Completed on", "Credit hours",
                           "Verified at", "Verified by"]
        assert rows[1:] == [[ours.email, "'" + FORMULA_NAME, "Mentor training for faculty",
                             "Faculty Development Office", "Completed", "2026-02-03", "2.50", "", ""]]


def test_it_exports_the_items_of_the_selected_plans_of_the_coordinators_programs_only(
    client, program, other_program, coordinator, ours, theirs
):
    plan = AccountabilityPlanFactory(program=program, mentor=ours)
    PlanItemFactory(plan=plan, title="Complete the mentor training", due_on=dt.date(2025, 11, 1), status="done",
                    completed_on=dt.date(2025, 10, 20), evidence="=cmd|' /C calc'!A0")
    PlanItemFactory(plan=plan, title="Read about aligning expectations", due_on=dt.date(2026, 1, 15))
    PlanItemFactory(plan=AccountabilityPlanFactory(program=other_program, mentor=theirs), title="Not yours")
    client.force_login(coordinator)
    for rows in both_ways(client, AccountabilityPlan, "export_plan_items_csv"):
        assert rows[0] == ["Mentor email", "Mentor", "Program", "Plan year starts", "Item", "Kind", "Domain", "Due",
                           "Status", "Completed on", "Evidence"]
        assert [(r[0], r[4], r[8]) for r in rows[1:]] == [
            (ours.email, "Complete the mentor training", "Done"),
            (ours.email, "Read about aligning expectations", "Planned"),
        ]
        assert rows[1][1] == "'" + FORMULA_NAME
        assert rows[1][10] == "'=cmd|' /C calc'!A0"


def test_the_other_programs_coordinator_exports_none_of_ours(client, program, other_coordinator, ours, theirs):
    AccountabilityPlanFactory(program=program, mentor=ours)
    CompletionFactory(user=ours)
    client.force_login(other_coordinator)
    for model, action in ((AccountabilityPlan, "export_plan_items_csv"), (Completion, "export_csv")):
        rows = rows_of(export(client, model, action, model.objects.values_list("pk", flat=True), select_across=True))
        assert all(ours.email not in row for row in rows)
