"""The take page's script saves the draft as the person answers (action "autosave"): the same
rules as Save draft, answered in JSON; nothing is ever submitted that way."""

from __future__ import annotations

from django.urls import reverse

from assessments import selectors, services
from assessments.models import Response
from tests.assessments.conftest import post_data


def start(mentor, program, skills) -> Response:
    return services.response_start(user=mentor, program=program, version=skills)


def test_autosave_keeps_the_answers_given_so_far_as_a_draft(client, mentor, program, skills):
    draft = start(mentor, program, skills)
    client.force_login(mentor)
    response = client.post(reverse("assessments:take", args=[draft.pk]),
                           post_data(skills, skip=(1, 2, 3), action="autosave"))
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert (response.json()["answered"], response.json()["total"]) == (1, 4)
    draft.refresh_from_db()
    assert draft.status == Response.Status.DRAFT
    assert len(selectors.answers_by_response([draft.pk])[draft.pk]) == 1


def test_autosave_never_submits_even_a_complete_form(client, mentor, program, skills):
    draft = start(mentor, program, skills)
    client.force_login(mentor)
    client.post(reverse("assessments:take", args=[draft.pk]), post_data(skills, action="autosave"))
    draft.refresh_from_db()
    assert draft.status == Response.Status.DRAFT


def test_autosave_refuses_answers_the_form_does_not_offer_and_saves_nothing(client, mentor, program, skills):
    draft = start(mentor, program, skills)
    client.force_login(mentor)
    data = post_data(skills, action="autosave")
    first = next(k for k in data if k.startswith("item_"))
    data[first] = "99"
    response = client.post(reverse("assessments:take", args=[draft.pk]), data)
    assert response.status_code == 400 and response.json()["saved"] is False
    assert selectors.answers_by_response([draft.pk])[draft.pk] == {}


def test_autosave_of_a_submitted_response_is_refused(client, mentor, program, skills):
    draft = start(mentor, program, skills)
    client.force_login(mentor)
    client.post(reverse("assessments:take", args=[draft.pk]), post_data(skills))
    response = client.post(reverse("assessments:take", args=[draft.pk]), post_data(skills, action="autosave"))
    assert response.status_code == 409


def test_nobody_else_can_autosave_into_a_draft(client, mentor, other_mentor, coordinator, program, skills):
    draft = start(mentor, program, skills)
    for person in (other_mentor, coordinator):
        client.force_login(person)
        assert client.post(reverse("assessments:take", args=[draft.pk]),
                           post_data(skills, action="autosave")).status_code == 404
    assert selectors.answers_by_response([draft.pk])[draft.pk] == {}


def test_the_take_page_loads_its_script_from_a_file_and_names_the_autosave(client, mentor, program, skills):
    draft = start(mentor, program, skills)
    client.force_login(mentor)
    body = client.get(reverse("assessments:take", args=[draft.pk])).content.decode()
    assert "js/assessments.js" in body
    assert "<script>" not in body and "onbeforeunload" not in body
    assert 'data-autosave="autosave"' in body
