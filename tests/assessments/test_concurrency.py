"""Two submits of the same draft at once give one submitted response (row lock), and two
starts at once give one draft (unique constraint). Real connections: PostgreSQL only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import Answer, Response
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.assessments import full_answers, make_instrument

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and two real connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_twice_at_once(fn) -> list:
    barrier = threading.Barrier(2)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(fn())
        except Exception as error:  # noqa: BLE001 — the outcome is what the test checks
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_it_submits_a_draft_once_when_two_submits_race():
    from tests.factories import ProgramFactory

    program = ProgramFactory()
    person = make_member(program, Membership.Role.MENTOR)
    version = make_instrument(program, domains=3, items_per_domain=10)
    draft = services.response_start(user=person, program=program, version=version)
    answers = full_answers(version)

    outcomes = run_twice_at_once(lambda: services.response_submit(response=draft, answers=answers))

    assert sum(isinstance(o, Response) for o in outcomes) == 1
    assert sum(isinstance(o, services.NotADraft) for o in outcomes) == 1
    submitted = Response.objects.get(user=person)
    assert (submitted.status, submitted.occasion) == ("submitted", "baseline")
    assert Answer.objects.filter(response=submitted).count() == 30


def test_it_starts_one_draft_when_two_starts_race():
    from tests.factories import ProgramFactory

    program = ProgramFactory()
    person = make_member(program, Membership.Role.MENTOR)
    version = make_instrument(program)

    outcomes = run_twice_at_once(lambda: services.response_start(user=person, program=program, version=version).pk)

    assert len(set(outcomes)) == 1, outcomes
    assert Response.objects.filter(user=person, status="draft").count() == 1
