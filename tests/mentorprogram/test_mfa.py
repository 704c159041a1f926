"""A second factor for every account with coordinator powers: TOTP codes computed here with pyotp,
recovery codes that work once, the admin's sign-in through the same flow, and a superuser's reset."""

from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = reverse("account_login")


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_COORDINATORS = True


def coordinator_pages(program) -> list[str]:
    return ["/admin/", "/admin/mentorprogram/user/",
            reverse("accountability:compliance", args=[program.slug]),
            reverse("reports:program", args=[program.slug])]


def sign_in_with_password(client: Client, user, *, next_url: str = "/"):
    return client.post(f"{LOGIN}?next={next_url}", {"login": user.email, "password": TEST_PASSWORD})


def enrol_totp(user) -> str:
    """A factor set up earlier (on another day): the secret the person's app holds."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def sign_in_with_totp(client: Client, user, secret: str) -> None:
    response = sign_in_with_password(client, user)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/"


def test_it_sends_a_coordinator_without_a_factor_to_set_one_up_before_any_coordinator_page(client, coordinator,
                                                                                           program):
    client.force_login(coordinator)
    for url in coordinator_pages(program):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_index") + "?next="), url


def test_it_sends_every_staff_account_and_superuser_too(client, staff_without_membership, superuser):
    for person in (staff_without_membership, superuser):
        client.force_login(person)
        response = client.get("/admin/")
        assert response["Location"].startswith(reverse("mfa_index")), person


def test_it_asks_nothing_of_people_without_coordinator_powers(client, mentor, faculty, program):
    for person in (mentor, faculty):
        client.force_login(person)
        assert client.get(reverse("dashboard:home")).status_code == 200
        assert client.get(reverse("profile")).status_code == 200


def test_it_offers_the_factor_on_the_profile_page_to_anyone(client, mentor):
    client.force_login(mentor)
    assert reverse("mfa_index") in client.get(reverse("profile")).content.decode()
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)  # 302: asks the password again


def test_a_coordinator_enrols_an_authenticator_app_then_the_admin_opens(client, coordinator, program):
    response = sign_in_with_password(client, coordinator, next_url="/admin/")
    assert response["Location"] == "/admin/"
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("mfa_index"))
    page = response.content.decode()
    assert "needs a second sign-in factor" in page
    assert reverse("mfa_activate_totp") in page and reverse("mfa_add_webauthn") in page  # an app or a key
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    # allauth asks for the password once more before a factor is added (or removed).
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    response = client.post(response.redirect_chain[-1][0], {"password": TEST_PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("mfa_activate_totp")
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000" if pyotp.TOTP(secret).now() != "000000"
                                                          else "111111"})
    assert response.status_code == 200 and response.context["form"].errors  # a wrong code sets nothing up
    assert not Authenticator.objects.filter(user=coordinator).exists()
    assert client.get("/admin/").status_code == 302

    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    assert client.get(response["Location"]).status_code == 200  # the codes, shown to write down
    assert set(Authenticator.objects.filter(user=coordinator).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    for url in coordinator_pages(program):
        assert client.get(url).status_code == 200, url


def test_the_next_sign_in_asks_for_a_code_and_a_used_code_is_refused(coordinator, program):
    secret = enrol_totp(coordinator)
    client = Client()
    response = sign_in_with_password(client, coordinator, next_url="/admin/")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "/login/" in client.get("/admin/")["Location"]  # the password alone signs nobody in

    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "authenticator app" in page and "Use a security key" not in page  # no key to offer
    response = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert response.status_code == 200 and response.context["form"].errors
    code = pyotp.TOTP(secret).now()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response["Location"] == "/admin/"
    for url in coordinator_pages(program):
        assert client.get(url).status_code == 200, url

    again = Client()
    sign_in_with_password(again, coordinator)
    response = again.post(reverse("mfa_authenticate"), {"code": code})  # the same code, replayed
    assert response.status_code == 200 and response.context["form"].errors
    assert again.get("/admin/").status_code == 302


def test_the_admin_sign_in_goes_through_the_same_flow(coordinator):
    secret = enrol_totp(coordinator)
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = client.post("/admin/login/", {"username": coordinator.email, "password": TEST_PASSWORD})
    assert client.get("/admin/").status_code == 302  # the admin's own form signs nobody in

    sign_in_with_totp(client, coordinator, secret)
    assert client.get("/admin/").status_code == 200


def test_a_lost_device_is_replaced_by_a_recovery_code_that_works_once(coordinator):
    enrol_totp(coordinator)
    code = RecoveryCodes(Authenticator.objects.get(user=coordinator, type=Authenticator.Type.RECOVERY_CODES)
                         ).get_unused_codes()[0]
    client = Client()
    sign_in_with_password(client, coordinator)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/"
    assert client.get("/admin/").status_code == 200

    again = Client()
    sign_in_with_password(again, coordinator)
    response = again.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200 and response.context["form"].errors
    assert again.get("/admin/").status_code == 302


def test_a_session_that_skipped_the_factor_is_asked_for_it(client, coordinator, program):
    secret = enrol_totp(coordinator)
    client.force_login(coordinator)  # a session from before the rule, say
    url = reverse("reports:program", args=[program.slug])
    response = client.get(url)
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    response = client.post(response["Location"], {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200


def test_it_is_a_setting(client, coordinator, settings):
    settings.MFA_REQUIRED_FOR_COORDINATORS = False
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200


def test_a_superuser_resets_another_persons_factor_recorded_in_the_admin_log(superuser, coordinator):
    victim = Client()
    sign_in_with_totp(victim, coordinator, enrol_totp(coordinator))
    assert victim.get("/admin/").status_code == 200

    admin = Client()
    sign_in_with_totp(admin, superuser, enrol_totp(superuser))
    response = admin.post("/admin/mentorprogram/user/", {"action": "reset_mfa", "_selected_action": [coordinator.pk]})
    assert response.status_code == 302

    assert not Authenticator.objects.filter(user=coordinator).exists()
    entry = LogEntry.objects.get(object_id=str(coordinator.pk))
    assert entry.user == superuser and "second factor" in entry.get_change_message()
    assert "/login/" in victim.get("/admin/")["Location"]  # signed out everywhere
    assert Authenticator.objects.filter(user=superuser).exists()

    client = Client()
    sign_in_with_password(client, coordinator)
    assert client.get("/admin/")["Location"].startswith(reverse("mfa_index"))


def test_a_coordinator_is_not_offered_the_reset(client, coordinator, settings):
    settings.MFA_REQUIRED_FOR_COORDINATORS = False
    client.force_login(coordinator)
    response = client.get("/admin/mentorprogram/user/")
    assert response.status_code == 200
    assert "reset_mfa" not in response.content.decode()
    enrol_totp(coordinator)
    response = client.post("/admin/mentorprogram/user/", {"action": "reset_mfa", "_selected_action": [coordinator.pk]})
    assert Authenticator.objects.filter(user=coordinator).count() == 2 and Session.objects.exists()

