"""A published process agreement in the admin: its text is final, and Save says so instead of failing."""

from __future__ import annotations

from django.urls import reverse

from community.models import ProcessAgreement
from tests.factories.community import ProcessAgreementFactory


def change_url(agreement) -> str:
    return reverse("admin:community_processagreement_change", args=[agreement.pk])


def test_it_explains_that_a_published_version_cannot_change(client, program, coordinator):
    agreement = ProcessAgreementFactory(program=program)
    before = ProcessAgreement.objects.values().get(pk=agreement.pk)
    client.force_login(coordinator)

    response = client.post(change_url(agreement), {"confidentiality": "Changed after publishing.", "_save": "Save"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("published version cannot change" in e for e in errors)
    assert "Start a new draft version from this one" in " ".join(errors)
    assert "published version cannot change" in response.content.decode()
    assert ProcessAgreement.objects.values().get(pk=agreement.pk) == before
    assert ProcessAgreement.objects.count() == 1


def test_it_still_saves_a_draft(client, program, coordinator):
    agreement = ProcessAgreementFactory(program=program, published_at=None)
    client.force_login(coordinator)
    data = {name: "" for name, _ in ProcessAgreement.SECTIONS} | {"confidentiality": "Kept between us.",
                                                                   "_save": "Save"}
    response = client.post(change_url(agreement), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.confidentiality == "Kept between us."


def test_it_refuses_a_draft_published_while_its_form_was_open(client, program, coordinator):
    agreement = ProcessAgreementFactory(program=program, published_at=None)
    client.force_login(coordinator)
    form_page = client.get(change_url(agreement))
    assert form_page.status_code == 200
    ProcessAgreement.objects.filter(pk=agreement.pk).update(published_at="2026-01-05T12:00:00Z")

    data = {name: "" for name, _ in ProcessAgreement.SECTIONS} | {"confidentiality": "Too late.", "_save": "Save"}
    response = client.post(change_url(agreement), data)

    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.confidentiality != "Too late."


def test_publishing_asks_first_and_says_mentors_will_be_asked_to_acknowledge(client, program, coordinator):
    draft = ProcessAgreementFactory(program=program, version=2, published_at=None)
    client.force_login(coordinator)
    chosen = {"action": "publish", "_selected_action": [draft.pk]}
    page = client.post(reverse("admin:community_processagreement_changelist"), chosen).content.decode()
    assert "asked to acknowledge it" in page and "Yes, publish" in page
    draft.refresh_from_db()
    assert draft.published_at is None
    client.post(reverse("admin:community_processagreement_changelist"), {**chosen, "confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.published_at is not None
