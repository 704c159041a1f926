"""The dashboard's self-assessments card."""

from __future__ import annotations

from django.urls import reverse

from tests.factories.assessments import make_response


def assessments_card(client, person):
    client.force_login(person)
    page = client.get("/mine/")  # the person's own cards, whoever they are (a coordinator's "/" is their home)
    cards = [c for c in page.context["cards"] if c["title"] == "Self-assessments"]
    return (cards[0] if cards else None), page.content.decode()


def test_it_offers_to_take_the_baseline(client, mentor, program, skills):
    card, body = assessments_card(client, mentor)
    assert [s.state for s in card["statuses"] if s.instrument == skills.instrument] == ["not_started"]
    assert "Take your baseline" in body
    assert reverse("assessments:start", args=[program.slug, skills.instrument_id]) in body


def test_it_shows_a_draft_in_progress(client, mentor, program, skills):
    draft = make_response(mentor, program, skills, submitted=False)  # one of four items answered
    card, body = assessments_card(client, mentor)
    status = next(s for s in card["statuses"] if s.instrument == skills.instrument)
    assert (status.state, status.percent) == ("draft", 25)
    assert reverse("assessments:take", args=[draft.pk]) in body
    assert 'data-width="25"' in body


def test_it_shows_the_latest_score_and_the_change_since_baseline(client, mentor, program, skills):
    make_response(mentor, program, skills, rating=3)
    latest = make_response(mentor, program, skills, rating=5)
    card, body = assessments_card(client, mentor)
    assert "Overall 5.0" in body
    assert "+2.0" in body
    assert reverse("assessments:results", args=[latest.pk]) in body


def test_it_has_no_card_for_a_coordinator_who_takes_no_assessments(client, coordinator):
    card, _ = assessments_card(client, coordinator)
    assert card is None


def test_taking_it_again_keeps_the_last_result_until_the_new_one_is_submitted(client, mentor, program, skills):
    submitted = make_response(mentor, program, skills, rating=5)
    client.force_login(mentor)
    client.post(reverse("assessments:start", args=[program.slug, skills.instrument_id]))
    card, body = assessments_card(client, mentor)
    status = next(s for s in card["statuses"] if s.instrument == skills.instrument)
    assert status.state == "draft"
    assert "Overall 5.0" in body  # the last submitted result is still shown
    assert reverse("assessments:results", args=[submitted.pk]) in body
    assert "Follow-up in progress: 0 of 4 answered." in body
    assert reverse("assessments:take", args=[status.draft.pk]) in body
    assert "Take it again" not in body  # the follow-up is already begun: continue it instead
