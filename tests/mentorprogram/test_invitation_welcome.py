"""The invitation link welcomes: a page in the program's name sets the password, signs the person
in and lands them on their first steps. The link stays a single-use, expiring key."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.forms import default_token_generator
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability import progress as accountability_progress
from mentorprogram.models import Membership, User
from tests.factories import MembershipFactory, UserFactory
from tests.factories.accountability import ReportingRequirementFactory
from tests.factories.assessments import make_instrument
from tests.factories.community import MeetingFactory, MeetingSeriesFactory, ProcessAgreementFactory

from .test_onboarding import confirm, upload

PASSWORD = "tidal-orchid-seventeen-lanterns"


pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def invited(client, program, coordinator, django_capture_on_commit_callbacks):
    """A new person imported by the coordinator; returns the link of their invitation email."""
    program.community_name = "Medicine Mentor Circle"
    program.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, "email,name,role,department\nnew@med.example.edu,Dr. New,mentor,\n"))
    client.logout()
    [message] = mail.outbox
    return re.search(r"http://testserver(/invitations/welcome/\S+)", message.body).group(1)


def test_the_link_opens_a_page_in_the_programs_name(client, program, invited):
    page = client.get(invited, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are invited to the Medicine Mentor Circle" in html
    assert program.name in html and "new@med.example.edu" in html
    assert "/set/" in page.redirect_chain[-1][0]  # the key left the address bar at once


def test_choosing_a_password_signs_the_person_in_on_their_first_steps(client, program, invited):
    make_instrument(program, kind="readiness", name="Mentor Readiness Checklist")
    ProcessAgreementFactory(program=program)
    MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly circle"),
                   starts_at=timezone.now() + dt.timedelta(days=5))
    form_url = client.get(invited)["Location"]
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("dashboard:first_steps")
    person = User.objects.get(email="new@med.example.edu")
    assert client.session[SESSION_KEY] == str(person.pk)
    assert person.check_password(PASSWORD)
    assert Membership.objects.get(user=person).status == Membership.Status.PROSPECTIVE

    steps = client.get(response.url).content.decode()
    assert "Take the readiness checklist" in steps and "Take your baseline" in steps
    assert reverse("community:agreements", args=[program.slug]) in steps
    assert "Monthly circle" in steps


def test_the_link_works_once(client, invited):
    form_url = client.get(invited)["Location"]
    client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    again = client.get(invited, follow=True)
    assert again.context["bad_link"] is True
    other = "another-long-phrase-88"
    client.post(again.redirect_chain[-1][0], {"password1": other, "password2": other})
    assert User.objects.get(email="new@med.example.edu").check_password(PASSWORD)
    assert SESSION_KEY not in client.session


def test_an_expired_link_sets_nothing(client, invited, monkeypatch, settings):
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = client.get(invited, follow=True)
    assert page.context["bad_link"] is True and "Email me a new link" in page.content.decode()
    client.post(page.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.get(email="new@med.example.edu").has_usable_password()


def test_a_forged_key_is_refused(client, invited):
    forged = re.sub(r"/[^/]+/$", "/not-the-key/", invited)
    assert client.get(forged, follow=True).context["bad_link"] is True


def test_a_weak_password_is_refused_field_by_field_and_nothing_changes(client, invited):
    form_url = client.get(invited)["Location"]
    response = client.post(form_url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert 'class="form-control is-invalid"' in response.content.decode()
    person = User.objects.get(email="new@med.example.edu")
    assert not person.has_usable_password() and SESSION_KEY not in client.session
    assert Membership.objects.get(user=person).status == Membership.Status.INVITED


def test_a_staff_account_signs_in_by_itself(client, invited):
    User.objects.filter(email="new@med.example.edu").update(is_staff=True)
    form_url = client.get(invited)["Location"]
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.url == reverse("account_login") and SESSION_KEY not in client.session


def test_an_existing_accounts_invitation_from_outside_still_waits_for_its_answer(
    client, program, other_program, coordinator,
):
    person = UserFactory(password=None, email="outside@example.org")
    MembershipFactory(user=person, program=program, status=Membership.Status.INVITED)
    outside = MembershipFactory(user=person, program=other_program, status=Membership.Status.INVITED,
                                awaiting_acceptance=True)
    from allauth.account.utils import user_pk_to_url_str

    link = reverse("invitation_welcome", args=[user_pk_to_url_str(person), default_token_generator.make_token(person)])
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)
    outside.refresh_from_db()
    assert outside.status == Membership.Status.INVITED and outside.awaiting_acceptance
    assert reverse("invitation_accept", args=[outside.pk]) in response.content.decode()  # asked on first steps


def test_a_person_in_their_first_period_is_getting_started_never_behind(client, program, mentor):
    ReportingRequirementFactory(program=program, metric="training_credit", target=1000, period="academic_year")
    Membership.objects.filter(user=mentor).update(joined_on=timezone.localdate())
    [cell] = accountability_progress.progress_for_mentor(user=mentor, program=program)
    assert cell.status == accountability_progress.GETTING_STARTED
    client.force_login(mentor)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Getting started" in page and ">Behind<" not in page

    Membership.objects.filter(user=mentor).update(joined_on=dt.date(2020, 1, 1))
    [cell] = accountability_progress.progress_for_mentor(user=mentor, program=program)
    assert cell.status == accountability_progress.BEHIND


def test_guessing_keys_is_rate_limited_like_the_reset_form(client, invited):
    forged = re.sub(r"/[^/]+/$", "/not-the-key/", invited)
    answers = [client.get(forged, follow=True).status_code for _ in range(25)]
    assert answers[0] == 200 and 429 in answers


def test_a_faculty_members_invitation_names_the_role_as_a_sentence_does(client, program, coordinator,
                                                                         django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, "email,name,role,department\nprof@med.example.edu,Dr. Prof,faculty,\n"))
    [message] = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "as a faculty member" in text and "as a faculty." not in text
    link = re.search(r"http://testserver(/invitations/welcome/\S+)", message.body).group(1)
    client.logout()
    assert "take part as a faculty member" in client.get(link, follow=True).content.decode()


def test_with_single_sign_on_the_invitation_offers_the_institutions_sign_in(client, invited):
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(provider="openid_connect", provider_id="campus", name="Campus sign-in",
                             client_id="mentorprogram", secret="s3cret",
                             settings={"server_url": "https://idp.example.edu", "domains": ["med.example.edu"]})
    html = client.get(invited, follow=True).content.decode()
    assert "Sign in with Campus sign-in" in html
    assert "/accounts/oidc/campus/login/" in html
    assert "Or choose a password" in html  # a password still works


def test_without_single_sign_on_the_invitation_asks_for_a_password_only(client, invited):
    html = client.get(invited, follow=True).content.decode()
    assert "Sign in with" not in html and "Choose a password for" in html
