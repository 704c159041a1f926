"""The two opt-outs an email's unsubscribe link turns on are the person's to see and undo on
their profile page, and the dispatchers follow whatever the page last saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accountability import nudges
from accountability.models import Nudge
from mentorprogram.outbox.headers import unsubscribe_url
from reminders import services
from reminders.models import ReminderDelivery
from tests.factories.accountability import AccountabilityPlanFactory, PlanItemFactory

from .conftest import at

pytestmark = pytest.mark.django_db

LATE_MARCH = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)


def profile_form(user, **changes):
    data = {"display_name": user.display_name, "time_zone": user.time_zone}
    data |= {field: "on" for field in ("reminders_opt_out", "nudges_opt_out") if getattr(user, field)}
    for field, value in changes.items():
        if value is True:
            data[field] = "on"
        elif value is False:
            data.pop(field, None)
        else:
            data[field] = value
    return data


def unsubscribe(client, user, topic):
    path = unsubscribe_url(user_id=user.pk, topic=topic).split("127.0.0.1:8000", 1)[1]
    assert client.post(path, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    user.refresh_from_db()


def checkbox(body: str, name: str) -> str:
    start = body.index(f'name="{name}"')
    return body[body.rindex("<input", 0, start):body.index(">", start) + 1]


def test_the_profile_page_shows_what_an_unsubscribe_link_turned_off(client, mentor):
    unsubscribe(client, mentor, "nudges")
    client.force_login(mentor)
    body = client.get(reverse("profile")).content.decode()
    assert "checked" in checkbox(body, "nudges_opt_out")
    assert "checked" not in checkbox(body, "reminders_opt_out")
    assert "No accountability nudges" in body and "No reminder emails" in body


def test_the_profile_page_turns_nudges_and_reminders_back_on(client, mentor):
    unsubscribe(client, mentor, "nudges")
    unsubscribe(client, mentor, "reminders")
    assert mentor.nudges_opt_out and mentor.reminders_opt_out
    client.force_login(mentor)
    response = client.post(reverse("profile"), profile_form(mentor, nudges_opt_out=False, reminders_opt_out=False))
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert not mentor.nudges_opt_out and not mentor.reminders_opt_out


def test_the_profile_page_turns_nudges_off_and_leaves_reminders_on(client, mentor):
    client.force_login(mentor)
    client.post(reverse("profile"), profile_form(mentor, nudges_opt_out=True))
    mentor.refresh_from_db()
    assert mentor.nudges_opt_out and not mentor.reminders_opt_out


def test_a_bad_profile_form_changes_neither_opt_out(client, mentor):
    mentor.nudges_opt_out = True
    mentor.save()
    client.force_login(mentor)
    response = client.post(reverse("profile"), profile_form(mentor, nudges_opt_out=False, time_zone="Mars/Olympus"))
    assert response.status_code == 200 and "time_zone" in response.context["form"].errors
    mentor.refresh_from_db()
    assert mentor.nudges_opt_out


def test_the_opt_outs_are_the_signed_in_persons_own(client, mentor, other_mentor):
    client.force_login(mentor)
    client.post(reverse("profile"), profile_form(mentor, reminders_opt_out=True, nudges_opt_out=True))
    other_mentor.refresh_from_db()
    assert not other_mentor.reminders_opt_out and not other_mentor.nudges_opt_out


def test_the_profile_page_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def reminded(meeting):
    return {d.user.email for d in ReminderDelivery.objects.filter(meeting=meeting).select_related("user")}


def test_reminders_turned_off_by_the_link_and_on_in_the_profile_are_sent_again(client, people, meeting):
    mentor = people[1]
    unsubscribe(client, mentor, "reminders")
    services.reminders_dispatch(now=at(7))
    assert mentor.email not in reminded(meeting) and people[2].email in reminded(meeting)
    client.force_login(mentor)
    client.post(reverse("profile"), profile_form(mentor, reminders_opt_out=False))
    services.reminders_dispatch(now=at(1))
    assert mentor.email in reminded(meeting)


def test_nudges_turned_off_by_the_link_and_on_in_the_profile_are_sent_again(
    client, program, mentor, send_inline, django_capture_on_commit_callbacks,
):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, title="Write the teaching statement", due_on=dt.date(2026, 3, 20))
    send_inline.now = LATE_MARCH
    unsubscribe(client, mentor, "nudges")
    with django_capture_on_commit_callbacks(execute=True):
        assert nudges.nudges_dispatch(now=LATE_MARCH) == []
    assert mail.outbox == [] and not Nudge.objects.exists()
    client.force_login(mentor)
    client.post(reverse("profile"), profile_form(mentor, nudges_opt_out=False))
    with django_capture_on_commit_callbacks(execute=True):
        assert len(nudges.nudges_dispatch(now=LATE_MARCH)) == 1
    [message] = mail.outbox
    assert message.to == [mentor.email] and "teaching statement" in message.body
