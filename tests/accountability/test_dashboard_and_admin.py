from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from accountability.models import AccountabilityPlan, Mentee, PlanItem, PlanItemChange, ReportingRequirement
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
    ReportingRequirementFactory,
)


def plan_card(response):
    return next(c for c in response.context["cards"] if c["template"] == "dashboard/cards/_plan.html")


def test_the_card_shows_progress_bars_and_items_due_within_30_days(client, program, mentor, today):
    ReportingRequirementFactory(program=program, metric="mentee_meetings", target=2, period="month")
    mentee = MenteeFactory(program=program, mentor=mentor)
    MenteeMeetingFactory(mentee=mentee, held_on=today)
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, title="Due soon", due_on=today + dt.timedelta(days=10))
    PlanItemFactory(plan=plan, title="Overdue", due_on=today - dt.timedelta(days=3))
    PlanItemFactory(plan=plan, title="Much later", due_on=today + dt.timedelta(days=45))
    PlanItemFactory(plan=plan, title="Done already", due_on=today, status="done", completed_on=today)
    client.force_login(mentor)
    response = client.get("/")
    body = response.content.decode()
    assert [i.title for i in plan_card(response)["due_items"]] == ["Overdue", "Due soon"]
    assert 'data-width="50"' in body
    assert "overdue since" in body and "Much later" not in body
    assert 'style="' not in body


def test_the_card_is_not_shown_to_someone_who_is_not_a_mentor(client, faculty):
    client.force_login(faculty)
    response = client.get("/")
    assert all(c["template"] != "dashboard/cards/_plan.html" for c in response.context["cards"])


@pytest.mark.parametrize("size", [1, 8])
def test_the_card_takes_the_same_queries_whatever_the_data(client, program, mentor, today, size,
                                                           django_assert_num_queries):
    for metric in ("mentee_meetings", "mentee_goals", "reassessment"):
        ReportingRequirementFactory(program=program, metric=metric, target=1, period="month")
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    for n in range(size):
        mentee = MenteeFactory(program=program, mentor=mentor)
        MenteeMeetingFactory(mentee=mentee, held_on=today)
        PlanItemFactory(plan=plan, due_on=today + dt.timedelta(days=n))
    client.force_login(mentor)
    from dashboard.cards import Viewer
    from dashboard.cards import plan as plan_module
    from mentorprogram import selectors

    memberships = list(selectors.memberships_for_user(user=mentor))
    with django_assert_num_queries(3):  # requirements, the measures, items
        card = plan_module.card(Viewer(user=mentor, memberships=memberships, now=None))
    assert len(card["due_items"]) == size


def test_the_admin_never_shows_private_notes(client, program, coordinator, superuser):
    mentee = MenteeFactory(program=program)
    MenteeMeetingFactory(mentee=mentee, notes="Confided a health problem.")
    MenteeGoalFactory(mentee=mentee, text="Private goal wording", notes="Private goal note")
    for person in (coordinator, superuser):
        client.force_login(person)
        response = client.get(reverse("admin:accountability_mentee_change", args=[mentee.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        for private in ("Confided a health problem.", "Private goal wording", "Private goal note"):
            assert private not in body


def test_a_coordinator_editing_items_in_the_admin_leaves_history(client, program, coordinator):
    plan = AccountabilityPlanFactory(program=program)
    item = PlanItemFactory(plan=plan, title="Attend the education day")
    client.force_login(coordinator)
    url = reverse("admin:accountability_accountabilityplan_change", args=[plan.pk])
    response = client.post(url, {
        "program": program.pk, "mentor": plan.mentor.pk, "period_start": "2025-07-01", "period_end": "2026-07-01",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000", "items-0-id": item.pk, "items-0-plan": plan.pk,
        "items-0-title": "Attend the annual education day", "items-0-kind": "course", "items-0-due_on": "2026-04-01",
        "items-0-status": "planned", "items-0-domain_name": "", "items-0-evidence": "",
    })
    assert response.status_code == 302, response.context["errors"]
    item.refresh_from_db()
    assert (item.title, item.version) == ("Attend the annual education day", 2)
    change = PlanItemChange.objects.get(item=item)
    assert change.changed_by == coordinator
    assert change.changes["title"] == ["Attend the education day", "Attend the annual education day"]


def test_the_admin_refuses_a_done_item_without_evidence(client, program, coordinator):
    plan = AccountabilityPlanFactory(program=program)
    item = PlanItemFactory(plan=plan)
    client.force_login(coordinator)
    response = client.post(reverse("admin:accountability_accountabilityplan_change", args=[plan.pk]), {
        "program": program.pk, "mentor": plan.mentor.pk, "period_start": "2025-07-01", "period_end": "2026-07-01",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000", "items-0-id": item.pk, "items-0-plan": plan.pk,
        "items-0-title": item.title, "items-0-kind": "activity", "items-0-status": "done",
        "items-0-completed_on": "2025-10-01", "items-0-evidence": "",
    })
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "planned"


def test_the_demo_seed_gives_mentors_varied_records_and_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--mentors", "12", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (ReportingRequirement.objects.count(), Mentee.objects.count(), AccountabilityPlan.objects.count(),
              PlanItem.objects.count(), PlanItemChange.objects.count())
    call_command("seed_demo", "--mentors", "12", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (ReportingRequirement.objects.count(), Mentee.objects.count(),
                      AccountabilityPlan.objects.count(), PlanItem.objects.count(), PlanItemChange.objects.count())
    assert counts[0] == 5 and counts[1] >= 13 and counts[2] >= 10
    statuses = set(PlanItem.objects.values_list("status", flat=True))
    assert {"done", "planned", "in_progress"} <= statuses
    assert Mentee.objects.filter(mentor__email="mentor@example.org").exists()
