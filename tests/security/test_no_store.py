"""No browser or proxy keeps a page that shows one person's data or a coordinator's view: every
answer to a signed-in person is sent with ``Cache-Control: no-store``, and so is every page whose
URL carries its own credential. Walks every URL of the authorization matrix (tests/authz/)."""

from __future__ import annotations

from django.urls import reverse

from tests import authz

# The pages anyone may see without signing in, and why they may be kept by a cache.
PUBLIC = {
    "dashboard:home": "the signed-out front page, the same for everyone",
    "dashboard:mine": "the signed-out front page, the same for everyone",
    "healthz": "the state of the database and the broker, no one's data",
    "account_login": "the sign-in form",
    "account_signup": "the sign-up form",
    "account_inactive": "a fixed notice",
    "account_email_verification_sent": "a fixed notice",
    "account_reset_password": "the password-reset form",
    "account_reset_password_done": "a fixed notice",
    "account_reset_password_from_key": "the set-a-new-password form; a bad key shows a fixed notice",
    "account_reset_password_from_key_done": "a fixed notice",
    "account_confirm_email": "the confirm-your-address form; a bad key shows a fixed notice",
    "socialaccount_login_cancelled": "a fixed notice after leaving the identity provider's sign-in",
}
# Pages without sign-in whose URL holds a person's token: private like any signed-in page.
TOKEN_IN_URL = {"community:feed", "reminders:rsvp"}


def no_store(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "no-store" in cache_control and "private" in cache_control


def test_every_page_a_signed_in_person_is_shown_is_kept_out_of_caches(client, world):
    shown, cached = 0, []
    for route in authz.all_routes():
        url = reverse(route.name, kwargs=route.kwargs(world))
        for role in authz.ROLES[1:]:
            if route.get[role] != 200:
                continue
            client.force_login(world.people[role])
            response = client.get(url)
            shown += 1
            if not no_store(response):
                cached.append(f"{role} {url} ({response.get('Cache-Control')})")
    assert cached == []
    assert shown > 100


def test_every_page_shown_without_sign_in_is_either_public_or_kept_out_of_caches(client, world):
    unexplained, cached = [], []
    for route in authz.all_routes():
        if route.get["anonymous"] != 200:
            continue
        response = client.get(reverse(route.name, kwargs=route.kwargs(world)))
        if route.name in TOKEN_IN_URL:
            if not no_store(response):
                cached.append(route.name)
        elif route.name not in PUBLIC:
            unexplained.append(route.name)
    assert cached == []
    assert unexplained == [], "a page open to anyone: add it to PUBLIC with the reason, or to TOKEN_IN_URL"
    assert set(PUBLIC) <= {r.name for r in authz.all_routes()}


def test_it_keeps_refusals_and_form_errors_for_a_signed_in_person_out_of_caches_too(client, world):
    client.force_login(world.people["other_mentor"])
    assert no_store(client.get(reverse("courses:person_transcript", args=[world.people["owner"].pk])))  # a 404
    response = client.post(reverse("community:challenges", args=[world.program.slug]), {"text": ""})
    assert response.status_code == 400 and no_store(response)


def test_it_leaves_public_pages_cacheable(client, db):
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
