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
from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory
from toolbox.periods import local_today


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


def propose_all(client, plan) -> None:
    """Open the proposal checklist and tick every item on it."""
    page = client.get(reverse("accountability:plan_propose", args=[plan.pk]))
    keys = [p.source_key for p in page.context["proposals"]]
    client.post(reverse("accountability:plan_propose", args=[plan.pk]), {"proposal": keys})


def test_it_proposes_items_from_the_gaps(client, mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2, 3], "aligning-expectations": [6, 7],
                                              "fostering-independence": [3, 4]},
                    checklist={"I can protect two hours a month for my mentees": "not_yet",
                               "I know whom to call about a mentee in distress": "yes"})
    client.force_login(mentor)
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]), {"proposal": [
        "domain:effective-communication", "domain:fostering-independence",
        *[p.source_key for p in services.plan_proposals(plan=plan) if p.kind == "checklist"]]})
    assert response.status_code == 302
    items = list(plan.items.order_by("pk"))
    # weakest domain first, then the next gap; strong domains and "yes" answers bring nothing
    assert [(i.kind, i.domain_key) for i in items] == [
        ("activity", "effective-communication"), ("activity", "fostering-independence"), ("checklist", "boundaries")]
    assert items[2].title == "I can protect two hours a month for my mentees"
    assert all(i.due_on and i.due_on < plan.period_end for i in items)
    assert PlanItemChange.objects.filter(item__plan=plan, action="created", changed_by=mentor).count() == 3
    # Sending the form again adds nothing new, and nothing is left to propose.
    propose_all(client, plan)
    assert plan.items.count() == 3
    assert services.plan_proposals(plan=plan) == []


def test_it_shows_the_proposals_as_a_checklist_and_adds_only_the_ticked_ones(client, mentor, program, plan,
                                                                           empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2], "fostering-independence": [3]},
                    checklist={"I can describe the program's expectations": "not_yet",
                               "I know the limits of confidentiality": "unsure"})
    client.force_login(mentor)
    page = client.get(reverse("accountability:plan_propose", args=[plan.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert not plan.items.exists()  # looking adds nothing
    assert body.count('type="checkbox" name="proposal"') == 4
    assert "Not yet: I can describe the program&#x27;s expectations" in body
    assert "Unsure: I know the limits of confidentiality" in body
    assert "not_yet" not in body.replace('value="checklist:', "")
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]),
                           {"proposal": ["domain:fostering-independence"]}, follow=True)
    assert [i.source_key for i in plan.items.all()] == ["domain:fostering-independence"]
    assert "1 item added to the plan" in response.content.decode()
    # The checklist items read their answer in words, in the plan too.
    propose_all(client, plan)
    checklist_item = plan.items.get(title="I can describe the program's expectations")
    assert checklist_item.description == "On the readiness checklist you answered “Not yet”."


def test_sending_the_checklist_with_nothing_ticked_adds_nothing(client, mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2]}, checklist={})
    client.force_login(mentor)
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]), {})
    assert response.status_code == 400
    assert "Tick at least one item" in response.content.decode()
    response = client.post(reverse("accountability:plan_propose", args=[plan.pk]), {"proposal": ["course:999999"]})
    assert not plan.items.exists()


def test_it_proposes_from_the_latest_assessment_not_the_baseline(client, mentor, program, plan, empty_catalog):
    version = make_instrument(program, response_type="rating", keys=["effective-communication",
                                                                     "fostering-independence"],
                              domains=2, items_per_domain=1)
    items = items_of(version)

    def submit(ratings):
        answers = {item.pk: AnswerValue(rating=r) for item, r in zip(items, ratings, strict=True)}
        services_a.response_submit(response=services_a.response_start(user=mentor, program=program,
                                                                      version=version), answers=answers)

    submit([2, 2])  # the baseline: both weak
    submit([6, 2])  # a follow-up: communication is no longer a gap
    keys = [p.source_key for p in services.plan_proposals(plan=plan)]
    assert keys == ["domain:fostering-independence"]


def test_it_leaves_out_what_the_mentor_has_completed(mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2]}, checklist={})
    done = CourseFactory(title="Already taken", domains=["effective-communication"])
    todo = CourseFactory(title="Still to take", domains=["effective-communication"])
    CompletionFactory(user=mentor, course=done, status="completed")
    assert [p.source_key for p in services.plan_proposals(plan=plan)] == [f"course:{todo.pk}"]


def test_it_spreads_due_dates_over_the_period_soonest_session_first(mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"effective-communication": [2], "fostering-independence": [2]},
                    checklist={"I can protect two hours a month for my mentees": "not_yet",
                               "I know whom to call about a mentee in distress": "unsure"})
    now = timezone.now()
    later = CourseFactory(title="Workshop in two months", domains=["effective-communication"])
    sooner = CourseFactory(title="Workshop next week", domains=["fostering-independence"])
    CourseSessionFactory(course=later, starts_at=now + dt.timedelta(days=60))
    CourseSessionFactory(course=sooner, starts_at=now + dt.timedelta(days=7))
    proposals = services.plan_proposals(plan=plan, now=now)
    assert [p.title for p in proposals[:2]] == ["Workshop next week", "Workshop in two months"]
    assert proposals[0].due_on == local_today(program.time_zone, now + dt.timedelta(days=7))
    dues = [p.due_on for p in proposals]
    assert dues == sorted(dues)
    assert len(set(dues)) == len(dues)  # no two on the same day
    assert all(d < plan.period_end for d in dues)


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
    one_hour = CourseFactory(title="One hour of credit", domains=["fostering-independence"],
                             cme_credit_hours=Decimal("1"))
    client.force_login(mentor)
    propose_all(client, plan)
    items = list(plan.items.order_by("pk"))
    assert [(i.title, i.kind, i.domain_key) for i in items] == [
        ("Mentor training, self-paced", "course", "effective-communication"),
        ("Aligning expectations: a reading", "reading", "effective-communication"),
        ("One hour of credit", "course", "fostering-independence"),
    ]  # the course tagged with both gaps is proposed once
    assert items[0].source_key == f"course:{course.pk}" and items[1].source_key == f"course:{reading.pk}"
    assert items[0].link == "https://example.org/course"
    assert "2.5 CME credit hours" in items[0].description
    assert "1 CME credit hour" in items[2].description and "1 CME credit hours" not in items[2].description
    assert one_hour.pk
    body = client.get(reverse("accountability:plan_detail", args=[plan.pk])).content.decode()
    assert "Mentor training, self-paced" in body


def test_a_gap_with_no_catalog_match_gets_a_free_text_activity(mentor, program, plan, empty_catalog):
    submit_baseline(mentor, program, ratings={"equity-inclusion": [1]}, checklist={})
    CourseFactory(title="Unrelated", domains=["effective-communication"])
    (item,) = services.plan_propose_from_baseline(plan=plan, by=mentor)
    assert (item.kind, item.source_key) == ("activity", "domain:equity-inclusion")


def test_it_proposes_nothing_without_a_baseline(client, mentor, plan):
    client.force_login(mentor)
    response = client.get(reverse("accountability:plan_propose", args=[plan.pk]))
    assert "Nothing new to propose" in response.content.decode()
    assert not plan.items.exists()


def test_the_proposal_page_is_the_plans_editors_only(client, mentor, plan, outsider, coordinator):
    url = reverse("accountability:plan_propose", args=[plan.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"proposal": ["x"]}).status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


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
