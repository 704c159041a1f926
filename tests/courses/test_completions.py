from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Completion, Course
from tests.factories.courses import CompletionFactory, CourseFactory


@pytest.fixture
def course(db):
    return CourseFactory(title="Self-paced mentor training", cme_credit_hours=Decimal("2.5"))


def record(client, course, **data):
    return client.post(reverse("courses:completion_save", args=[course.pk]), data)


def test_it_moves_one_record_from_planned_to_completed(client, mentor, course):
    client.force_login(mentor)
    assert record(client, course, status="planned").status_code == 302
    assert record(client, course, status="enrolled").status_code == 302
    today = timezone.localdate()
    response = record(client, course, status="completed", completed_on=today.isoformat(), credit_hours="2.5")
    assert response.status_code == 302
    completion = Completion.objects.get(user=mentor, course=course)
    assert (completion.status, completion.completed_on, completion.credit_hours) == ("completed", today, Decimal("2.5"))


def test_it_refuses_credit_above_the_courses_and_saves_nothing(client, mentor, course):
    client.force_login(mentor)
    response = record(client, course, status="completed", completed_on=timezone.localdate().isoformat(),
                      credit_hours="3")
    assert response.status_code == 200
    assert "at most 2.5 CME credit hours" in response.context["form"].errors["credit_hours"][0]
    assert not Completion.objects.exists()


def test_it_refuses_a_completion_date_in_the_future(client, mentor, course):
    client.force_login(mentor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    response = record(client, course, status="completed", completed_on=tomorrow.isoformat(), credit_hours="1")
    assert response.context["form"].errors["completed_on"] == ["The completion date cannot be in the future."]
    assert not Completion.objects.exists()


def test_it_judges_the_future_by_the_persons_own_day(mentor, other_mentor, course):
    now = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)  # 11 March already at UTC+14
    mentor.time_zone, other_mentor.time_zone = "Pacific/Kiritimati", "America/Los_Angeles"
    march_11 = datetime.date(2026, 3, 11)
    services.completion_record(user=mentor, course=course, status="completed", completed_on=march_11,
                               credit_hours=Decimal("1"), now=now)
    with pytest.raises(ValidationError) as error:
        services.completion_record(user=other_mentor, course=course, status="completed", completed_on=march_11,
                                   credit_hours=Decimal("1"), now=now)
    assert error.value.message_dict["completed_on"] == ["The completion date cannot be in the future."]


def test_it_asks_for_a_date_and_credit_when_completed(client, mentor, course):
    client.force_login(mentor)
    response = record(client, course, status="completed")
    assert set(response.context["form"].errors) == {"completed_on", "credit_hours"}
    assert not Completion.objects.exists()


def test_it_records_a_course_once_per_academic_year(client, mentor, course):
    client.force_login(mentor)
    today = timezone.localdate()
    CompletionFactory(user=mentor, course=course, completed_on=today - datetime.timedelta(days=1))
    response = record(client, course, status="completed", completed_on=today.isoformat(), credit_hours="2.5")
    assert "already recorded this course as completed" in str(response.context["form"].errors)
    assert Completion.objects.filter(user=mentor, course=course).count() == 1


def test_it_allows_an_annual_event_again_the_next_academic_year(mentor, program):
    day = CourseFactory(modality=Course.Modality.ANNUAL_EVENT, cme_credit_hours=Decimal("4"))
    CompletionFactory(user=mentor, course=day, completed_on=datetime.date(2024, 10, 1), credit_hours=Decimal("4"))
    services.completion_record(user=mentor, course=day, status="completed", completed_on=datetime.date(2025, 10, 2),
                               credit_hours=Decimal("4"))
    assert Completion.objects.filter(user=mentor, course=day).count() == 2


def test_it_keeps_no_date_or_credit_on_a_planned_course(mentor, course):
    completion = services.completion_record(user=mentor, course=course, status="planned",
                                            completed_on=datetime.date(2025, 1, 1), credit_hours=Decimal("2"))
    assert (completion.completed_on, completion.credit_hours) == (None, Decimal("0"))


def test_it_will_not_plan_a_course_no_longer_offered(mentor):
    retired = CourseFactory(is_active=False)
    with pytest.raises(ValidationError):
        services.completion_record(user=mentor, course=retired, status="planned")


def test_it_lets_a_person_remove_their_own_unverified_record(client, mentor, course):
    completion = CompletionFactory(user=mentor, course=course)
    client.force_login(mentor)
    assert client.post(reverse("courses:completion_delete", args=[completion.pk])).status_code == 302
    assert not Completion.objects.exists()


def test_it_keeps_a_verified_record(client, mentor, coordinator, course):
    completion = CompletionFactory(user=mentor, course=course)
    services.completion_verify(completion=completion, by=coordinator)
    client.force_login(mentor)
    client.post(reverse("courses:completion_delete", args=[completion.pk]))
    assert Completion.objects.filter(pk=completion.pk).exists()


def correct(client, completion, **data):
    return client.post(reverse("courses:completion_edit", args=[completion.pk]), data)


def test_a_person_corrects_the_date_and_credit_of_their_completion(client, mentor, course):
    completion = CompletionFactory(user=mentor, course=course, credit_hours=Decimal("2.5"))
    client.force_login(mentor)
    page = client.get(reverse("courses:completion_edit", args=[completion.pk]))
    assert page.context["form"].initial["credit_hours"] == Decimal("2.5")
    earlier = completion.completed_on - datetime.timedelta(days=10)
    assert correct(client, completion, completed_on=earlier.isoformat(), credit_hours="1.25").status_code == 302
    completion.refresh_from_db()
    assert (completion.completed_on, completion.credit_hours) == (earlier, Decimal("1.25"))
    assert Completion.objects.count() == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"credit_hours": "3"}, "credit_hours", "at most 2.5 CME credit hours"),
    ({"credit_hours": ""}, "credit_hours", "required"),
    ({"completed_on": "in a while"}, "completed_on", "valid date"),
])
def test_a_bad_correction_gets_a_field_error_and_changes_nothing(client, mentor, course, data, field, message):
    completion = CompletionFactory(user=mentor, course=course, credit_hours=Decimal("2"))
    client.force_login(mentor)
    response = correct(client, completion, **{"completed_on": completion.completed_on.isoformat(),
                                              "credit_hours": "1", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    completion.refresh_from_db()
    assert completion.credit_hours == Decimal("2")


def test_a_correction_cannot_move_a_completion_into_the_future_or_onto_another_of_the_year(client, mentor, course):
    today = timezone.localdate()
    first = CompletionFactory(user=mentor, course=course, completed_on=today - datetime.timedelta(days=400))
    second = CompletionFactory(user=mentor, course=course, completed_on=today - datetime.timedelta(days=2))
    client.force_login(mentor)
    future = correct(client, second, completed_on=(today + datetime.timedelta(days=2)).isoformat(), credit_hours="1")
    assert future.context["form"].errors["completed_on"] == ["The completion date cannot be in the future."]
    same_year = correct(client, first, completed_on=second.completed_on.isoformat(), credit_hours="1")
    assert "already recorded this course as completed" in same_year.context["form"].errors["completed_on"][0]
    first.refresh_from_db()
    assert first.completed_on == today - datetime.timedelta(days=400)


def test_a_verified_or_unfinished_record_cannot_be_corrected(client, mentor, coordinator, course):
    verified = CompletionFactory(user=mentor, course=course)
    services.completion_verify(completion=verified, by=coordinator)
    planned = CompletionFactory(user=mentor, course=CourseFactory(), status="planned", completed_on=None,
                                credit_hours=0)
    client.force_login(mentor)
    for completion in (verified, planned):
        assert client.get(reverse("courses:completion_edit", args=[completion.pk])).status_code == 404
        assert correct(client, completion, completed_on="2020-01-01", credit_hours="0").status_code == 404
    verified.refresh_from_db()
    assert verified.completed_on != datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError):
        services.completion_correct(user=mentor, completion=verified, completed_on=verified.completed_on,
                                    credit_hours=Decimal("0"))


def test_only_the_person_corrects_their_record(mentor, other_mentor, course):
    completion = CompletionFactory(user=mentor, course=course)
    with pytest.raises(PermissionDenied):
        services.completion_correct(user=other_mentor, completion=completion, completed_on=completion.completed_on,
                                    credit_hours=Decimal("0"))


def test_it_hides_a_persons_record_from_another_mentor(client, mentor, other_mentor, course):
    completion = CompletionFactory(user=mentor, course=course)
    client.force_login(other_mentor)
    assert client.post(reverse("courses:completion_delete", args=[completion.pk])).status_code == 404
    assert Completion.objects.filter(pk=completion.pk).exists()


def test_it_lets_only_a_coordinator_of_the_persons_program_verify(mentor, coordinator, other_coordinator, course):
    completion = CompletionFactory(user=mentor, course=course)
    for not_allowed in (other_coordinator, mentor):
        with pytest.raises(PermissionDenied):
            services.completion_verify(completion=completion, by=not_allowed)
    services.completion_verify(completion=completion, by=coordinator)
    completion.refresh_from_db()
    assert completion.verified_by == coordinator


def test_it_verifies_only_completed_records(mentor, coordinator, course):
    planned = CompletionFactory(user=mentor, course=course, status="planned", completed_on=None, credit_hours=0)
    with pytest.raises(ValidationError):
        services.completion_verify(completion=planned, by=coordinator)


def test_the_database_refuses_a_planned_record_with_credit(mentor, course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Completion.objects.create(user=mentor, course=course, status="planned", credit_hours=Decimal("1"))


def test_it_shows_the_form_with_the_courses_credit_filled_in(client, mentor, course):
    client.force_login(mentor)
    response = client.get(course.get_absolute_url())
    assert response.context["form"].initial["credit_hours"] == Decimal("2.5")


def test_a_mentor_records_the_self_paced_course_and_sees_the_credit_everywhere(client, mentor):
    client.force_login(mentor)
    credited = client.get(reverse("courses:catalog"), {"with_credit": "on"}).context["page"]
    course = next(c for c in credited if c.modality == Course.Modality.SELF_PACED)
    response = record(client, course, status="completed", completed_on=timezone.localdate().isoformat(),
                      credit_hours="2.5")
    assert response.status_code == 302
    transcript = client.get(reverse("courses:transcript"))
    assert course.title in transcript.content.decode()
    assert transcript.context["transcript"].years[0].credit_hours == Decimal("2.5")
    card = next(c for c in client.get("/").context["cards"] if c["title"] == "Training")
    assert card["credit_hours"] == Decimal("2.5")


@pytest.mark.parametrize("sessions", [2, 40])
def test_it_shows_a_course_page_in_a_fixed_number_of_queries(client, mentor, course, sessions,
                                                            cold):
    from tests.factories.courses import CourseSessionFactory

    CourseSessionFactory.create_batch(sessions, course=course)
    CompletionFactory(user=mentor, course=course)
    client.force_login(mentor)
    # session, user, memberships, course, sessions, my records, the academic year's start month, domains, themes
    with cold(9):
        response = client.get(course.get_absolute_url())
    assert len(response.context["upcoming_sessions"]) == sessions


def test_it_keeps_one_record_when_a_completed_course_is_saved_again(client, mentor, course):
    client.force_login(mentor)
    today = timezone.localdate().isoformat()
    record(client, course, status="completed", completed_on=today, credit_hours="2.5")
    page = client.get(reverse("courses:course_detail", args=[course.pk]))
    assert page.context["form"] is None  # nothing left to record this year, only to correct
    assert record(client, course, status="completed", completed_on=today, credit_hours="2.5").status_code == 302
    response = record(client, course, status="planned")
    assert "only moves forward" in response.context["form"].errors["status"][0]
    assert list(Completion.objects.filter(user=mentor, course=course).values_list("status", flat=True)) == [
        "completed"]


def test_it_moves_a_record_only_forward(client, mentor, course):
    client.force_login(mentor)
    record(client, course, status="enrolled")
    page = client.get(reverse("courses:course_detail", args=[course.pk]))
    assert [value for value, _ in page.context["form"].fields["status"].choices] == ["enrolled", "completed"]
    response = record(client, course, status="planned")
    assert "already recorded as registered" in response.context["form"].errors["status"][0]
    assert record(client, course, status="enrolled").status_code == 302  # the same again changes nothing
    assert list(Completion.objects.filter(user=mentor, course=course).values_list("status", flat=True)) == [
        "enrolled"]


def test_the_database_refuses_two_records_of_a_course_in_one_academic_year(mentor, course):
    done = CompletionFactory(user=mentor, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Completion.objects.create(user=mentor, course=course, status="planned", academic_year=done.academic_year)


def test_it_starts_a_new_record_in_a_new_academic_year(mentor, course):
    last_year = timezone.localdate() - datetime.timedelta(days=400)
    CompletionFactory(user=mentor, course=course, completed_on=last_year)
    services.completion_record(user=mentor, course=course, status="planned")
    assert sorted(Completion.objects.filter(user=mentor, course=course).values_list("status", flat=True)) == [
        "completed", "planned"]
