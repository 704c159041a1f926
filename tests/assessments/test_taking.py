"""Taking an assessment: start, save a draft, resume, submit, take again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Answer, Response
from mentorprogram.models import Membership
from tests.factories import MembershipFactory
from tests.factories.assessments import items_of, make_instrument, make_response

from .conftest import post_data


def start(client, program, version):
    return client.post(reverse("assessments:start", args=[program.slug, version.instrument_id]))


def take_url(response) -> str:
    return reverse("assessments:take", args=[response.pk])


def test_it_lists_the_programs_instruments_with_their_status(client, mentor, program, skills, checklist):
    make_response(mentor, program, checklist)
    client.force_login(mentor)
    page = client.get(reverse("assessments:list"))
    assert page.status_code == 200
    states = {s.instrument.name: s.state for s in page.context["statuses"]}
    assert states == {"Skills inventory": "not_started", "Readiness checklist": "submitted"}
    body = page.content.decode()
    assert "Take your baseline" in body
    assert "See results" in body


def test_it_starts_a_draft_and_resumes_the_same_one(client, mentor, program, skills):
    client.force_login(mentor)
    first = start(client, program, skills)
    second = start(client, program, skills)
    draft = Response.objects.get(user=mentor)
    assert first["Location"] == second["Location"] == take_url(draft)
    assert draft.status == Response.Status.DRAFT
    assert draft.instrument_id == skills.instrument_id


def test_it_lets_faculty_take_assessments(client, faculty, program, skills):
    client.force_login(faculty)
    assert start(client, program, skills).status_code == 302


@pytest.mark.parametrize("who", ["coordinator", "outsider", "other_coordinator", "staff_without_membership"])
def test_it_lets_only_mentors_and_faculty_of_the_program_start(client, request, program, skills, who):
    client.force_login(request.getfixturevalue(who))
    assert start(client, program, skills).status_code == 404
    assert not Response.objects.exists()


def test_it_refuses_an_instrument_of_another_program(client, mentor, program, other_program):
    foreign = make_instrument(other_program)
    client.force_login(mentor)
    assert start(client, program, foreign).status_code == 404


def test_it_saves_a_partial_draft_and_shows_it_again_with_the_progress(client, mentor, program, skills):
    client.force_login(mentor)
    draft_url = start(client, program, skills)["Location"]
    items = items_of(skills)
    response = client.post(draft_url, post_data(skills, action="save", skip={2, 3}))
    assert response.status_code == 302
    assert response["Location"] == draft_url
    assert Answer.objects.filter(response__user=mentor).count() == 2

    page = client.get(draft_url)
    assert page.context["answered"] == 2
    assert page.context["total"] == 4
    body = page.content.decode()
    assert 'data-width="50"' in body
    assert f'name="item_{items[0].pk}" id="id_item_{items[0].pk}_4" value="5" checked' in body


def test_it_submits_a_complete_response_as_the_baseline(client, mentor, program, skills):
    client.force_login(mentor)
    draft_url = start(client, program, skills)["Location"]
    response = client.post(draft_url, post_data(skills))
    submitted = Response.objects.get(user=mentor)
    assert response["Location"] == reverse("assessments:results", args=[submitted.pk])
    assert submitted.status == Response.Status.SUBMITTED
    assert submitted.occasion == Response.Occasion.BASELINE
    assert submitted.submitted_at is not None
    assert submitted.answers.count() == 4


def test_it_shows_field_errors_keeps_the_answers_and_saves_nothing_when_incomplete(client, mentor, program, skills):
    client.force_login(mentor)
    draft_url = start(client, program, skills)["Location"]
    items = items_of(skills)
    data = post_data(skills, rating="6", skip={1})
    del data[f"item_{items[2].pk}_willingness"]  # ability given, willingness missing
    response = client.post(draft_url, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {f"item_{items[1].pk}", f"item_{items[2].pk}_willingness"}
    body = response.content.decode()
    assert "Answer this question before you submit" in body
    assert "Say whether you are willing to work on this" in body
    # Every answer given is still on the page …
    assert f'name="item_{items[0].pk}" id="id_item_{items[0].pk}_5" value="6" checked' in body
    # … and nothing was saved or submitted.
    draft = Response.objects.get(user=mentor)
    assert draft.status == Response.Status.DRAFT
    assert not draft.answers.exists()


def test_it_accepts_not_applicable_for_a_required_item(client, mentor, program, skills):
    client.force_login(mentor)
    draft_url = start(client, program, skills)["Location"]
    item = items_of(skills)[0]
    data = post_data(skills)
    data[f"item_{item.pk}"] = "na"
    del data[f"item_{item.pk}_willingness"]
    assert client.post(draft_url, data).status_code == 302
    answer = Answer.objects.get(item=item)
    assert (answer.not_applicable, answer.rating, answer.willingness) == (True, None, "")


def test_it_makes_a_later_response_a_follow_up_and_shows_the_change(client, mentor, program, skills):
    baseline = make_response(mentor, program, skills, rating=3)
    client.force_login(mentor)
    draft_url = start(client, program, skills)["Location"]
    assert draft_url != take_url(baseline)
    client.post(draft_url, post_data(skills, rating="5"))
    follow_up = Response.objects.exclude(pk=baseline.pk).get(user=mentor)
    assert follow_up.occasion == Response.Occasion.FOLLOW_UP

    page = client.get(reverse("assessments:results", args=[follow_up.pk]))
    comparison = page.context["results"].comparison
    assert [(r.baseline, r.latest, r.change) for r in comparison.domains] == [(3.0, 5.0, 2.0), (3.0, 5.0, 2.0)]
    assert "+2.0" in page.content.decode()
    # The baseline is untouched.
    assert set(baseline.answers.values_list("rating", flat=True)) == {3}


def test_it_never_changes_a_submitted_response(client, mentor, program, skills):
    submitted = make_response(mentor, program, skills, rating=4)
    client.force_login(mentor)
    assert client.get(take_url(submitted))["Location"] == reverse("assessments:results", args=[submitted.pk])
    response = client.post(take_url(submitted), post_data(skills, rating="7"))
    assert response.status_code == 400
    assert set(submitted.answers.values_list("rating", flat=True)) == {4}
    assert Response.objects.get().status == Response.Status.SUBMITTED


class TestTamperedPosts:
    """Input no honest page sends answers 400 (or 404) and saves nothing."""

    @pytest.fixture
    def draft(self, mentor, program, skills):
        return make_response(mentor, program, skills, submitted=False)

    def assert_nothing_saved(self, draft, before):
        draft.refresh_from_db()
        assert draft.status == Response.Status.DRAFT
        assert list(draft.answers.values_list("item_id", "rating")) == before

    @pytest.mark.parametrize("action", ["save", "submit"])
    def test_it_refuses_a_value_outside_the_scale(self, client, mentor, draft, skills, action):
        before = list(draft.answers.values_list("item_id", "rating"))
        data = post_data(skills, action=action)
        data[f"item_{items_of(skills)[1].pk}"] = "9"
        client.force_login(mentor)
        assert client.post(take_url(draft), data).status_code == 400
        self.assert_nothing_saved(draft, before)

    def test_it_refuses_an_unknown_item_id(self, client, mentor, draft, skills):
        before = list(draft.answers.values_list("item_id", "rating"))
        data = post_data(skills, action="save")
        data["item_999999"] = "5"
        client.force_login(mentor)
        assert client.post(take_url(draft), data).status_code == 400
        self.assert_nothing_saved(draft, before)

    def test_it_refuses_an_item_of_another_version(self, client, mentor, draft, skills, program):
        other = make_instrument(program)
        before = list(draft.answers.values_list("item_id", "rating"))
        data = post_data(skills, action="save")
        data[f"item_{items_of(other)[0].pk}"] = "5"
        client.force_login(mentor)
        assert client.post(take_url(draft), data).status_code == 400
        self.assert_nothing_saved(draft, before)

    def test_it_refuses_not_applicable_where_the_item_does_not_allow_it(self, client, mentor, draft, skills):
        item = items_of(skills)[0]
        item.allow_not_applicable = False
        item.save()
        data = post_data(skills, action="save")
        data[f"item_{item.pk}"] = "na"
        client.force_login(mentor)
        assert client.post(take_url(draft), data).status_code == 400

    def test_it_answers_someone_elses_draft_with_404(self, client, other_mentor, draft, skills):
        before = list(draft.answers.values_list("item_id", "rating"))
        client.force_login(other_mentor)
        assert client.get(take_url(draft)).status_code == 404
        assert client.post(take_url(draft), post_data(skills)).status_code == 404
        self.assert_nothing_saved(draft, before)


def test_it_keeps_a_draft_of_an_older_version_when_a_new_one_is_published(mentor, program, skills):
    from django.utils import timezone

    from assessments import services

    draft = make_response(mentor, program, skills, submitted=False)
    new_version = services.version_copy(version=skills)
    services.version_publish(version=new_version, now=timezone.now())
    resumed = services.response_start(user=mentor, program=program, version=new_version)
    assert resumed.pk == draft.pk
    assert resumed.version_id == skills.pk


def test_it_lets_a_person_in_two_programs_keep_separate_baselines(mentor, program, other_program):
    MembershipFactory(user=mentor, program=other_program, role=Membership.Role.MENTOR)
    shared = make_instrument(shared=True)
    first = make_response(mentor, program, shared)
    second = make_response(mentor, other_program, shared)
    assert {first.occasion, second.occasion} == {Response.Occasion.BASELINE}
