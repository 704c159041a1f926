from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Completion, Course, CourseSession
from tests.factories import make_member
from tests.factories.courses import CompletionFactory, CourseFactory


def changelist(model) -> str:
    return reverse(f"admin:courses_{model._meta.model_name}_changelist")


def test_it_lets_a_coordinator_verify_their_mentors_completions(client, program, coordinator, mentor):
    completion = CompletionFactory(user=mentor)
    client.force_login(coordinator)
    chosen = {"action": "verify", ACTION_CHECKBOX_NAME: [completion.pk]}
    response = client.post(changelist(Completion), chosen)
    assert b"1 completed course record will be marked verified" in response.content  # it asks first
    completion.refresh_from_db()
    assert completion.verified_at is None
    response = client.post(changelist(Completion), {**chosen, "confirmed": "yes"})
    assert response.status_code == 302
    completion.refresh_from_db()
    assert completion.verified_by == coordinator
    assert completion.verified_at is not None


def test_it_does_not_let_a_coordinator_verify_their_own_record(client, program, coordinator):
    completion = CompletionFactory(user=coordinator)
    client.force_login(coordinator)
    client.post(changelist(Completion), {"action": "verify", ACTION_CHECKBOX_NAME: [completion.pk],
                                         "confirmed": "yes"})
    completion.refresh_from_db()
    assert completion.verified_at is None


def test_it_hides_other_programs_completions_from_a_coordinator(client, other_program, coordinator):
    foreign = CompletionFactory(user=make_member(other_program))
    client.force_login(coordinator)
    listed = client.get(changelist(Completion)).context["cl"].result_list
    assert foreign not in listed


def test_it_shows_shared_courses_to_coordinators_read_only(client, coordinator):
    shared = Course.objects.get(title="Education Day")
    client.force_login(coordinator)
    assert shared in client.get(changelist(Course)).context["cl"].result_list
    response = client.get(reverse("admin:courses_course_change", args=[shared.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_it_makes_a_coordinator_choose_one_of_their_programs(client, program, other_program, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("admin:courses_course_add"))
    field = response.context["adminform"].form.fields["program"]
    assert field.required
    assert list(field.queryset) == [program]


def _course_post(program, **extra) -> dict:
    return {
        "program": program.pk, "title": "Difficult conversations", "provider": "Department",
        "modality": "workshop_series",
        "description": "", "url": "", "is_active": "on", "hours": "2", "cme_credit_hours": "2",
        "theme_names": "Feedback, difficult conversations",
        "domain_keys": ["effective-communication", "openness-feedback"],
        "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "0", "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000", "sessions-0-part": "1", "sessions-0-title": "Part 1",
        **extra,
    }


def test_it_saves_a_course_with_themes_domains_and_sessions(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("admin:courses_course_add"), _course_post(program, **{
        "sessions-0-starts_at_0": "2027-02-10", "sessions-0-starts_at_1": "12:00",
        "sessions-0-ends_at_0": "2027-02-10", "sessions-0-ends_at_1": "13:30",
    }))
    assert response.status_code == 302, response.context["adminform"].form.errors
    course = Course.objects.get(title="Difficult conversations")
    assert sorted(t.name for t in course.themes.all()) == ["Feedback", "difficult conversations"]
    assert sorted(d.domain_key for d in course.domains.all()) == ["effective-communication", "openness-feedback"]
    assert course.sessions.count() == 1


def test_it_refuses_a_session_ending_before_it_starts(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("admin:courses_course_add"), _course_post(program, **{
        "sessions-0-starts_at_0": "2027-02-10", "sessions-0-starts_at_1": "12:00",
        "sessions-0-ends_at_0": "2027-02-10", "sessions-0-ends_at_1": "11:00",
    }))
    assert response.status_code == 200
    assert not Course.objects.filter(title="Difficult conversations").exists()
    start = timezone.now()
    session = CourseSession(course=CourseFactory(), starts_at=start, ends_at=start - datetime.timedelta(hours=1))
    try:
        session.full_clean()
    except ValidationError as error:
        assert error.message_dict["ends_at"] == ["A session must end after it starts."]
    else:
        raise AssertionError("a session ending before it starts was accepted")


def test_it_refuses_in_the_admin_credit_above_the_courses(client, program, coordinator, mentor):
    course = CourseFactory(program=program, cme_credit_hours=Decimal("1"))
    client.force_login(coordinator)
    response = client.post(reverse("admin:courses_completion_add"), {
        "user": mentor.pk, "course": course.pk, "status": "completed",
        "completed_on": timezone.localdate().isoformat(), "credit_hours": "1.5",
    })
    assert response.status_code == 200
    assert "credit_hours" in response.context["adminform"].form.errors
    assert not Completion.objects.exists()
