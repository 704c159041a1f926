"""The form, the submit, the results page, the list and the dashboard card run a fixed number
of queries whatever the size of the instrument (10 or 60 items) and the number of responses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.assessments import make_instrument, make_response

from .conftest import post_data

SIZES = [(2, 5), (6, 10)]  # 10 and 60 items

# A first visit with the cache emptied: "user" is the session, the signed-in user and their memberships
TAKE_GET = 7  # user, response, domains, items, answers
SUBMIT = 20  # the same, then savepoint, row lock, the answers before, delete and upsert answers, their
#             audit entry, baseline check, the row as it was and its audit entry, update, the domain
#             scores counted and written, release
RESULTS = 8  # user, response, history, then domains, items and answers of every response in it
LIST = 5  # user, memberships with their programs, versions, the responses with their figures and the draft's progress
DASHBOARD_CARD = 2  # versions, the responses with their figures


@pytest.fixture(params=SIZES, ids=["10-items", "60-items"])
def sized(request, program):
    domains, per_domain = request.param
    return make_instrument(program, domains=domains, items_per_domain=per_domain)


def test_it_renders_the_form_in_a_fixed_number_of_queries(client, mentor, program, sized, cold):
    draft = make_response(mentor, program, sized, submitted=False)
    client.force_login(mentor)
    with cold(TAKE_GET):
        assert client.get(reverse("assessments:take", args=[draft.pk])).status_code == 200


def test_it_submits_in_a_fixed_number_of_queries(client, mentor, program, sized, cold):
    draft = make_response(mentor, program, sized, submitted=False)
    client.force_login(mentor)
    with cold(SUBMIT):
        assert client.post(reverse("assessments:take", args=[draft.pk]), post_data(sized)).status_code == 302


def test_it_renders_results_in_a_fixed_number_of_queries(client, mentor, program, sized, cold):
    make_response(mentor, program, sized, rating=3)
    latest = make_response(mentor, program, sized, rating=5)
    client.force_login(mentor)
    with cold(RESULTS):
        assert client.get(reverse("assessments:results", args=[latest.pk])).status_code == 200


def test_it_lists_assessments_in_a_fixed_number_of_queries(client, mentor, program, sized, cold):
    for _ in range(sized.instrument.versions.count() + 1):
        make_response(mentor, program, sized)
    make_response(mentor, program, sized, submitted=False)
    client.force_login(mentor)
    with cold(LIST):
        assert client.get(reverse("assessments:list")).status_code == 200


def test_it_fills_the_dashboard_card_in_a_fixed_number_of_queries(
    mentor, program, sized, django_assert_num_queries
):
    from django.utils import timezone

    from dashboard.cards import Viewer
    from dashboard.cards.assessments import card
    from mentorprogram import selectors
    from tests.factories.assessments import make_instrument as make

    readiness = make(program, kind="readiness", domains=2, items_per_domain=3)
    make_response(mentor, program, readiness)
    for _ in range(3):
        make_response(mentor, program, sized)
    memberships = list(selectors.memberships_for_user(user=mentor))
    with django_assert_num_queries(DASHBOARD_CARD):
        data = card(Viewer(user=mentor, memberships=memberships, now=timezone.now()))
    assert {s.state for s in data["statuses"]} == {"submitted"}
    changes = {s.instrument.kind: s.overall_change for s in data["statuses"]}
    assert changes == {"readiness": None, "skills": 0.0}
