"""Every URL × every role × GET and POST gives the expected answer (tests/authz/__init__.py)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import authz
from tests.snapshots import differences, snapshot

ROUTES = authz.all_routes()

# The admin has its own scoping tests over every registered model (tests/mentorprogram/test_admin_scoping.py);
# the matrix describes only the admin pages where coordinators meet people (tests/authz/routes_core.py).
SKIPPED_NAMESPACES = ("admin",)


@pytest.fixture
def world(world_once):
    """The world is built once for this module (tests/conftest.py, ``world_of_module``)."""
    return world_once


def url_names(patterns=None, namespace: str | None = None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_of_the_project_has_an_expectation():
    every = set(url_names())
    project = {n for n in every if n.split(":")[0] not in SKIPPED_NAMESPACES}
    described = {r.name for r in ROUTES}
    assert project - described == set(), "add these URL names to a tests/authz/routes_<app>.py"
    assert described - every == set(), "these Routes name URLs that no longer exist"


def is_refusal(role: str, status: int) -> bool:
    """The answers that must leave the data as it was: not found, not allowed, or "sign in first"."""
    return status in (403, 404, 405) or (role == "anonymous" and status == 302)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", ROUTES, ids=repr)
def test_it_answers_each_role_as_expected(client, world, route, method):
    url = reverse(route.name, kwargs=route.kwargs(world))
    expected = getattr(route, method)
    secret = route.secret(world) if route.secret else None
    owner = world.people["owner"]
    answers = {}
    for role in authz.ROLES:
        client.logout()
        if world.people[role] is not None:
            client.force_login(world.people[role])
        refused = method == "post" and is_refusal(role, expected[role])
        # Each role meets the world as built: whatever a request changes is rolled back.
        with transaction.atomic():
            before = snapshot() if refused else None
            response = client.get(url) if method == "get" else client.post(url, route.post_data(world))
            changed = differences(before, snapshot()) if refused else []
            transaction.set_rollback(True)
        answers[role] = response.status_code
        assert response.status_code < 500, f"{role} got {response.status_code} from {method.upper()} {url}"
        assert not changed, f"{role}'s refused {method.upper()} {url} changed: {changed}"
        if expected[role] != 200:
            body = response.content.decode(errors="replace")
            if secret:
                assert secret not in body, f"{role} saw the secret"
            if role != "owner":
                assert owner.email not in body, f"{role} saw the owner's email address in a refusal"
    assert answers == expected
