from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import AccountabilityPlan, PlanItem, PlanItemChange
from assessments import services as services_a
from assessments.scoring import AnswerValue
from courses.models import Course
from tests.factories import ProgramFactory
from tests.factories.accountability import PlanItemFactory
from tests.factories.assessments import items_of, make_instrument
from tests.factories.courses import CourseFactory


def submit_baseline(person, program, *, ratings: dict[str, list[int]], checklist: dict[str, str]) -> None:
    """Submitted baselines through the assessments services: a skills inventory whose domains get
    the given ratings, and a readiness checklist whose items get the given answers."""
    if ratings:
        version = make_instrument(program, response_type="rating", keys=list(ratings), domains=len(ratings),
                                  items_per_domain=max(len(v) for v in ratings.values()))
        answers = {}
        for item in items_of(version):
            values = ratings[item.domain.key]
            answers[item.pk] = AnswerValue(rating=values[(item.order - 1) % len(values)])
        services_a.response_submit(response=services_a.response_start(user=person, program=program, version=version),
                                   answers=answers)
    if checklist:
        version = make_instrument(program, kind="readiness", keys=["boundaries"], domains=1,
                                  items_per_domain=len(checklist))
        items = items_of(version)
        for item, prompt in zip(items, checklist, strict=True):
            item.prompt = prompt
            item.save()
        answers = {item.pk: AnswerValue(choice=checklist[item.prompt]) for item in items}
        services_a.response_submit(response=services_a.response_start(user=person, program=program, version=version),
                                   answers=answers)


@pytest.fixture
def empty_catalog(db):
    """The catalog ships with seed courses; these tests bring their own."""
    Course.objects.update(is_active=False)


@pytest.fixture
def plan(program, mentor):
    return services.plan_get_or_create(mentor=mentor, program=program)


def test_it_starts_one_plan_per_academic_year(client, mentor, program):
    client.force_login(mentor)
    first = client.post(reverse("accountability:plan_start"), {"program": program.pk})
    second = client.post(reverse("accountability:plan_start"), {"program": program.pk})
    plan = AccountabilityPlan.objects.get()
    assert first["Location"] == second["Location"] == reverse("accountability:plan_detail", args=[plan.pk])
    assert plan.period_start.month == program.academic_year_start_month


def test_it_proposes_items_from_the_baseline_gaps(client, mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2, 3], "aligning-expectations": [6, 7],
                                              "fostering-independence": [3, 4]},
                    checklist={"I can protect two hours a month for my mentees": "not_yet",
                               "I know whom to call about a mentee in distress": "yes"})
    client.force_login(mentor)
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]))
    assert response.status_code == 302
    items = list(plan.items.order_by("pk"))
    # weakest domain first, then the next gap; strong domains and "yes" answers bring nothing
    assert [(i.kind, i.domain_key) for i in items] == [
        ("activity", "effective-communication"), ("activity", "fostering-independence"), ("checklist", "boundaries")]
    assert items[2].title == "I can protect two hours a month for my mentees"
    assert all(i.due_on and i.due_on < plan.period_end for i in items)
    assert PlanItemChange.objects.filter(item__plan=plan, action="created", changed_by=mentor).count() == 3
    # Proposing again adds nothing new.
    client.post(reverse("accountability:plan_propose", args=[plan.pk]))
    assert plan.items.count() == 3


def test_it_proposes_the_catalogs_courses_and_readings_for_a_weak_domain(client, mentor, program, plan,
                                                                       empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2], "fostering-independence": [3]},
                    checklist={})
    course = CourseFactory(title="Mentor training, self-paced", modality="self_paced", domains=[
        "effective-communication", "fostering-independence"], cme_credit_hours=Decimal("2.5"),
        url="https://example.org/course")
    reading = CourseFactory(title="Aligning expectations: a reading", modality="reading",
                            domains=["effective-communication"])
    CourseFactory(title="Not tagged with a gap", domains=["equity-inclusion"])
    CourseFactory(title="Another program's course", program=ProgramFactory(), domains=["effective-communication"])
    client.force_login(mentor)
    client.post(reverse("accountability:plan_propose", args=[plan.pk]))
    items = list(plan.items.order_by("pk"))
    assert [(i.title, i.kind, i.domain_key) for i in items] == [
        ("Mentor training, self-paced", "course", "effective-communication"),
        ("Aligning expectations: a reading", "reading", "effective-communication"),
    ]  # the course tagged with both gaps is proposed once; the second gap has nothing else to offer
    assert items[0].source_key == f"course:{course.pk}" and items[1].source_key == f"course:{reading.pk}"
    assert items[0].link == "https://example.org/course"
    assert "2.5 CME credit hours" in items[0].description
    body = client.get(reverse("accountability:plan_detail", args=[plan.pk])).content.decode()
    assert "Mentor training, self-paced" in body


def test_a_gap_with_no_catalog_match_gets_a_free_text_activity(mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"equity-inclusion": [1]}, checklist={})
    CourseFactory(title="Unrelated", domains=["effective-communication"])
    (item,) = services.plan_propose_from_baseline(plan=plan, by=mentor)
    assert (item.kind, item.source_key) == ("activity", "domain:equity-inclusion")


def test_it_proposes_nothing_without_a_baseline(client, mentor, plan):
    client.force_login(mentor)
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]), follow=True)
    assert "Nothing new to propose" in response.content.decode()
    assert not plan.items.exists()


def test_it_keeps_every_edit_in_the_history(client, mentor, coordinator, plan):
    item = services.plan_item_add(plan=plan, by=mentor, title="Read the chapter on feedback", kind="reading")
    client.force_login(coordinator)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(reverse("accountability:item_edit", args=[item.pk]), {
        "title": "Read the chapter on giving feedback", "kind": "reading", "status": "in_progress",
        "due_on": due, "version": 1})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    change = item.changes.get(version=2)
    assert change.changed_by == coordinator
    assert change.changes == {"title": ["Read the chapter on feedback", "Read the chapter on giving feedback"],
                              "status": ["planned", "in_progress"], "due_on": [None, due]}
    client.force_login(mentor)
    body = client.get(reverse("accountability:plan_detail", args=[plan.pk])).content.decode()
    assert "Read the chapter on feedback" in body  # the earlier title, in the history
    assert str(coordinator) in body


def test_it_refuses_an_edit_made_on_a_stale_form(client, mentor, coordinator, plan):
    item = services.plan_item_add(plan=plan, by=mentor, title="Workshop series")
    services.plan_item_update(item=item, by=coordinator, version=1, title="Workshop series, part 1")
    client.force_login(mentor)
    response = client.post(reverse("accountability:item_edit", args=[item.pk]), {
        "title": "Workshop series (all three parts)", "kind": "course", "status": "planned", "version": 1})
    assert response.status_code == 200
    assert "Someone changed this item" in response.content.decode()
    item.refresh_from_db()
    assert (item.title, item.version) == ("Workshop series, part 1", 2)
    assert item.changes.count() == 2


def test_completing_an_item_needs_a_date_and_evidence(client, mentor, plan, today):
    item = PlanItemFactory(plan=plan)
    client.force_login(mentor)
    url = reverse("accountability:item_edit", args=[item.pk])
    response = client.post(url, {"title": item.title, "kind": "activity", "status": "done", "version": 1})
    assert set(response.context["form"].errors) >= {"completed_on", "evidence"}
    response = client.post(url, {"title": item.title, "kind": "activity", "status": "done", "version": 1,
                                 "completed_on": (today + dt.timedelta(days=1)).isoformat(), "evidence": "Done"})
    assert "completed_on" in response.context["form"].errors
    item.refresh_from_db()
    assert item.status == "planned" and item.version == 1
    response = client.post(url, {"title": item.title, "kind": "activity", "status": "done", "version": 1,
                                 "completed_on": today.isoformat(), "evidence": "Certificate in my portfolio"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("done", today)
    assert item.changes.get(version=2).action == "completed"


def test_nobody_else_may_add_to_a_plan(mentor, other_mentor, other_coordinator, plan):
    for person in (other_mentor, other_coordinator):
        with pytest.raises(PermissionDenied):
            services.plan_item_add(plan=plan, by=person, title="Sneaky")
    assert not plan.items.exists()


def test_a_plan_item_needs_a_title(client, mentor, plan):
    client.force_login(mentor)
    response = client.post(reverse("accountability:item_add", args=[plan.pk]), {"kind": "activity",
                                                                                "status": "planned"})
    assert "title" in response.context["form"].errors
    assert not PlanItem.objects.exists()


def test_the_service_refuses_unknown_fields(mentor, plan):
    item = PlanItemFactory(plan=plan)
    with pytest.raises(TypeError):
        services.plan_item_update(item=item, by=mentor, version=1, plan_id=99)
    with pytest.raises(ValidationError):
        services.plan_item_update(item=item, by=mentor, version=1, status="done")


@pytest.mark.parametrize("count", [2, 12])
def test_the_plan_page_makes_the_same_queries_however_many_items(client, mentor, plan, count,
                                                                  cold):
    for n in range(count):
        item = services.plan_item_add(plan=plan, by=mentor, title=f"Item {n}")
        services.plan_item_update(item=item, by=mentor, version=1, status="in_progress")
    client.force_login(mentor)
    # session, user, coordinated programs, plan, items, history
    with cold(6):
        response = client.get(reverse("accountability:plan_detail", args=[plan.pk]))
    assert len(response.context["open_items"]) == count
