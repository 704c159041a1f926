"""Shared fixtures: a program with its coordinator, mentor and faculty member; a second
program with its own coordinator; and outsiders. Every object view is tested against them."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.test.utils import override_settings

from mentorprogram.models import Membership

from .factories import ProgramFactory, UserFactory, make_member


@pytest.fixture(autouse=True, scope="session")
def _fast_test_settings():
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Most tests sign a coordinator in with force_login, which passes no second factor; the
        # requirement itself is proved with it on (tests/mentorprogram/test_mfa.py).
        MFA_REQUIRED_FOR_COORDINATORS=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _end_stray_connections(django_db_setup, django_db_blocker):
    """Celery worker threads of the live task tests keep database connections of their own; end
    them after the last test so that the test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached sessions live in the cache; each test starts clean. So does the content
    types' cache: a transactional test's flush empties their table, and the audit trail's entries
    point at content types (ContentType.objects.get_for_model makes a missing one again)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cold(django_assert_num_queries):
    """``with cold(n): client.get(url)`` — a first visit with the cache emptied (the session, the
    user and everything the page shows read from the database) makes exactly ``n`` queries."""
    from django.core.cache import cache

    @contextmanager
    def visit(n: int):
        cache.clear()
        with django_assert_num_queries(n) as context:
            yield context

    return visit


@pytest.fixture
def program(db):
    return ProgramFactory(name="Department of Medicine Mentoring", slug="medicine")


@pytest.fixture
def other_program(db):
    return ProgramFactory(name="Department of Surgery Mentoring", slug="surgery")


@pytest.fixture
def coordinator(program):
    return make_member(program, Membership.Role.COORDINATOR, email="coordinator@example.org")


@pytest.fixture
def mentor(program):
    return make_member(program, Membership.Role.MENTOR, email="mentor@example.org")


@pytest.fixture
def other_mentor(program):
    return make_member(program, Membership.Role.MENTOR, email="other.mentor@example.org")


@pytest.fixture
def faculty(program):
    return make_member(program, Membership.Role.FACULTY, email="faculty@example.org")


@pytest.fixture
def other_coordinator(other_program):
    return make_member(other_program, Membership.Role.COORDINATOR, email="coordinator@surgery.example.org")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.org")


@pytest.fixture
def staff_without_membership(db):
    return UserFactory(email="staff@example.org", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def world(db):
    """The authorization matrix's people and objects (tests/authz/), for the tests that walk every route."""
    from tests import authz

    return authz.build_world()


@pytest.fixture(scope="module")
def world_of_module(django_db_setup, django_db_blocker):
    """``world`` built once for a whole test module, inside a transaction that is rolled back after
    its last test. Each test's own transaction is a savepoint within it, so what a test changes is
    undone before the next one (as Django's ``TestCase.setUpTestData`` does). For the modules that
    walk every route many times over (the matrix, the fuzzing), where building it was half the time."""
    from django.db import transaction

    from tests import authz

    with django_db_blocker.unblock(), transaction.atomic():
        yield authz.build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world_once(world_of_module, db):
    """The module's world for one test: its rows as built, its objects a fresh copy."""
    import copy

    return copy.deepcopy(world_of_module)


@pytest.fixture
def send_inline(monkeypatch):
    """Outbox batches queued after a commit are sent at once, in this process, at ``send_inline.now``
    (None: the real time). Each run's SendResult is kept in ``send_inline.results``."""
    import uuid
    from functools import partial
    from types import SimpleNamespace

    from django.db import transaction

    from mentorprogram.outbox import outbox_send, queueing

    inline = SimpleNamespace(now=None, results=[])

    def send(batches):
        for ids in batches:
            inline.results.append(outbox_send(ids=ids, claim_token=uuid.uuid4().hex, now=inline.now))

    def publish(batches, countdown=None):
        transaction.on_commit(partial(send, batches))  # as the send task would be queued

    monkeypatch.setattr(queueing, "publish", publish)
    return inline
