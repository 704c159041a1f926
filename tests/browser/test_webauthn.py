"""Security keys and passkeys (allauth.mfa's WebAuthn) in Chromium, with the DevTools protocol's
virtual authenticator standing in for the key: a coordinator made to set up a second factor adds a
key, signs in with password and key, then with the key alone (a passkey); a removed key is refused
although the authenticator still holds its credential."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

from .helpers import audit, sign_in, sign_out, visit


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_COORDINATORS = True


@pytest.fixture
def security_key(page):
    """A virtual CTAP2 authenticator in this tab that holds resident credentials (passkeys) and
    confirms its user (as a PIN or fingerprint would), answering without a touch."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    found = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    key = found["authenticatorId"]
    yield lambda: session.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
    session.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": key})


def leave(page) -> None:
    visit(page, "/")
    sign_out(page)


def admin_opens(page) -> None:
    visit(page, "/admin/")
    assert page.url.endswith("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programs, people and training")


def test_a_coordinator_adds_a_passkey_signs_in_with_it_and_a_removed_key_is_refused(page, coordinator, program,
                                                                                    security_key):
    # Made to set up a second factor before any coordinator page: an app or a key.
    sign_in(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_text("needs a second sign-in factor")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Add a security key or passkey").click()
    expect(page.get_by_label("Password")).to_be_visible()  # allauth asks for the password again first
    audit(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    # Registration: the browser asks the key, the site keeps its public key.
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a security key or passkey")
    audit(page)
    page.get_by_label("Name of the key").fill("Blue key")
    page.get_by_label("Use it as a passkey").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    audit(page)  # the recovery codes, shown to write down with the first factor
    key = Authenticator.objects.get(user=coordinator, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Blue key" and key.wrap().is_passwordless
    assert len(security_key()) == 1  # the passkey lives on the key
    admin_opens(page)  # in the session that added the key

    # Next sign-in: the password, then the key as the second step.
    leave(page)
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step of signing in")
    audit(page)
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    audit(page)
    admin_opens(page)

    # The key alone, as a passkey, from the sign-in page: no password typed.
    leave(page)
    visit(page, "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    audit(page)
    admin_opens(page)  # a passkey that asked for its PIN is both factors

    # Removed: the site no longer accepts it, though the authenticator still offers it.
    visit(page, "/accounts/2fa/webauthn/")
    page.get_by_role("link", name="Remove Blue key").click()
    audit(page)
    if page.get_by_label("Password").count():  # allauth may ask for the password again
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        audit(page)
    page.get_by_role("button", name="Remove the key").click()
    expect(page.get_by_text("You have no security keys.")).to_be_visible()
    audit(page)
    assert not Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.WEBAUTHN).exists()
    assert len(security_key()) == 1
    leave(page)
    visit(page, "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_text("That code or key was not accepted.")).to_be_visible()
    audit(page)
    assert "/accounts/login/" in page.url
    response = page.goto("/admin/")
    assert "/accounts/login/" in page.url and response.ok  # not signed in
    audit(page)
