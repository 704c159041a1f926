"""A response is visible only to its author and its program's coordinators (read-only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.assessments import make_instrument, make_response

SECRET_NAME = "Dr. Private Respondent"


@pytest.fixture
def author(program):
    from mentorprogram.models import Membership
    from tests.factories import make_member

    return make_member(program, Membership.Role.MENTOR, display_name=SECRET_NAME)


@pytest.fixture
def submitted(author, program, skills):
    return make_response(author, program, skills, rating=3)


@pytest.fixture
def draft(author, program, checklist):
    return make_response(author, program, checklist, submitted=False)


def urls(submitted, draft) -> list[str]:
    return [
        reverse("assessments:results", args=[submitted.pk]),
        reverse("assessments:take", args=[submitted.pk]),
        reverse("assessments:take", args=[draft.pk]),
        reverse("assessments:results", args=[draft.pk]),
    ]


@pytest.mark.parametrize("who", ["mentor", "faculty", "outsider", "other_coordinator", "staff_without_membership",
                                 "superuser"])
def test_it_answers_everyone_but_the_author_and_coordinators_with_404(client, request, submitted, draft, who):
    client.force_login(request.getfixturevalue(who))
    for url in urls(submitted, draft):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_NAME not in response.content.decode()
        assert client.post(url, {"action": "submit"}).status_code in (404, 405), url


def test_it_shows_the_author_their_results(client, author, submitted):
    client.force_login(author)
    response = client.get(reverse("assessments:results", args=[submitted.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Take it again" in body
    assert "read-only view" not in body


def test_it_shows_a_coordinator_a_members_submitted_response_read_only(client, coordinator, submitted, draft):
    client.force_login(coordinator)
    response = client.get(reverse("assessments:results", args=[submitted.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET_NAME in body
    assert "read-only view for coordinators" in body
    assert "Take it again" not in body
    # Drafts stay with their author, and coordinators never edit answers.
    assert client.get(reverse("assessments:take", args=[draft.pk])).status_code == 404
    assert client.post(reverse("assessments:take", args=[draft.pk]), {"action": "save"}).status_code == 404


def test_it_lists_only_ones_own_history(client, mentor, author, submitted, program, skills):
    make_response(mentor, program, skills)
    client.force_login(mentor)
    history = client.get(reverse("assessments:history")).context["history"]
    assert [s.response.user for s in history] == [mentor]


def test_it_keeps_a_coordinator_of_one_program_out_of_another_programs_responses(client, coordinator, other_program):
    from mentorprogram.models import Membership
    from tests.factories import make_member

    foreign_author = make_member(other_program, Membership.Role.MENTOR)
    foreign = make_response(foreign_author, other_program, make_instrument(other_program))
    client.force_login(coordinator)
    assert client.get(reverse("assessments:results", args=[foreign.pk])).status_code == 404
