"""The instrument editor and the response browser in the admin."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from assessments.models import Domain, Instrument, InstrumentVersion, Item, Response
from tests.factories.assessments import items_of, make_instrument, make_response


def url(model, view, *args):
    return reverse(f"admin:assessments_{model._meta.model_name}_{view}", args=args)


def domain_formset(version, **changes) -> dict:
    domains = list(Domain.objects.filter(version=version).order_by("order"))
    data = {
        "number": version.number, "published_at_0": "", "published_at_1": "",
        "domains-TOTAL_FORMS": len(domains), "domains-INITIAL_FORMS": len(domains),
        "domains-MIN_NUM_FORMS": 0, "domains-MAX_NUM_FORMS": 1000,
    }
    for i, d in enumerate(domains):
        data.update({f"domains-{i}-id": d.pk, f"domains-{i}-version": version.pk, f"domains-{i}-order": d.order,
                     f"domains-{i}-key": d.key, f"domains-{i}-name": d.name, f"domains-{i}-description": ""})
    data.update(changes)
    return data


def test_it_lets_a_coordinator_rename_a_domain_of_an_unfrozen_version(client, coordinator, program, skills):
    client.force_login(coordinator)
    response = client.post(url(InstrumentVersion, "change", skills.pk),
                           domain_formset(skills, **{"domains-0-name": "Listening well"}))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Domain.objects.filter(version=skills, name="Listening well").exists()


def test_it_refuses_to_edit_a_frozen_version_with_a_clear_message(client, coordinator, mentor, program, skills):
    make_response(mentor, program, skills)
    client.force_login(coordinator)

    page = client.get(url(InstrumentVersion, "change", skills.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    body = page.content.decode()
    assert "frozen" in body
    assert "New version from this" in body

    response = client.post(url(InstrumentVersion, "change", skills.pk),
                           domain_formset(skills, **{"domains-0-name": "Sneaky rename"}), follow=True)
    assert "frozen" in response.content.decode()
    assert not Domain.objects.filter(name="Sneaky rename").exists()

    domain = Domain.objects.filter(version=skills).first()
    client.post(url(Domain, "change", domain.pk), {"order": 1, "key": domain.key, "name": "Another rename"})
    assert not Domain.objects.filter(name="Another rename").exists()


def test_it_refuses_item_edits_of_a_frozen_version_at_the_model_too(mentor, program, skills):
    from django.core.exceptions import ValidationError

    make_response(mentor, program, skills)
    item = items_of(skills)[0]
    item.prompt = "Changed after the fact"
    with pytest.raises(ValidationError, match="frozen"):
        item.full_clean()


def test_it_makes_a_new_version_from_a_frozen_one(client, coordinator, mentor, program, skills):
    old_response = make_response(mentor, program, skills)
    client.force_login(coordinator)
    response = client.post(reverse("admin:assessments_instrumentversion_new_version", args=[skills.pk]))
    copy = InstrumentVersion.objects.get(instrument=skills.instrument, number=skills.number + 1)
    assert response["Location"] == url(InstrumentVersion, "change", copy.pk)
    assert copy.published_at is None
    assert list(Domain.objects.filter(version=copy).values_list("key", "name", "order")) == \
        list(Domain.objects.filter(version=skills).values_list("key", "name", "order"))
    assert [i.prompt for i in items_of(copy)] == [i.prompt for i in items_of(skills)]
    old_response.refresh_from_db()
    assert old_response.version_id == skills.pk
    # The copy is editable.
    page = client.get(url(InstrumentVersion, "change", copy.pk))
    assert page.context["has_change_permission"] is True


def test_it_shows_coordinators_the_shared_instruments_read_only(client, coordinator, program, superuser):
    shared = make_instrument(shared=True, slug="shared-one").instrument
    client.force_login(coordinator)
    listed = client.get(url(Instrument, "changelist")).context["cl"].result_list
    assert shared in listed
    page = client.get(url(Instrument, "change", shared.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    client.post(url(Instrument, "change", shared.pk), {"name": "Hijacked", "slug": shared.slug, "kind": "skills"})
    shared.refresh_from_db()
    assert shared.name != "Hijacked"
    assert client.post(reverse("admin:assessments_instrumentversion_new_version",
                               args=[shared.versions.get().pk])).status_code == 302
    assert shared.versions.count() == 1

    client.force_login(superuser)
    assert client.get(url(Instrument, "change", shared.pk)).context["has_change_permission"] is True


def test_it_copies_a_shared_instrument_into_the_coordinators_program(client, coordinator, program):
    shared = make_instrument(shared=True, slug="shared-two").instrument
    client.force_login(coordinator)
    chosen = {"action": "copy_into_my_programs", "_selected_action": [shared.pk]}
    asked = client.post(url(Instrument, "changelist"), chosen)
    assert b"1 shared instrument will be copied" in asked.content  # it asks first
    assert not Instrument.objects.filter(program=program, slug="shared-two").exists()
    client.post(url(Instrument, "changelist"), {**chosen, "confirmed": "yes"})
    own = Instrument.objects.get(program=program, slug="shared-two")
    version = own.versions.get()
    assert (version.number, version.published_at) == (1, None)
    assert Item.objects.filter(domain__version=version).count() == 4


def test_it_creates_a_coordinators_instrument_in_their_program_only(client, coordinator, program, other_program):
    client.force_login(coordinator)
    form = client.get(url(Instrument, "add")).context["adminform"].form
    assert list(form.fields["program"].queryset) == [program]
    assert form.fields["program"].required
    response = client.post(url(Instrument, "add"), {
        "program": program.pk, "kind": "other", "slug": "exit-survey", "name": "Exit survey", "is_active": "on",
        "versions-TOTAL_FORMS": 0, "versions-INITIAL_FORMS": 0, "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302
    assert Instrument.objects.get(slug="exit-survey").versions.get().number == 1


def test_it_lists_submitted_responses_read_only_and_keeps_drafts_private(client, coordinator, mentor, program,
                                                                        skills, checklist):
    submitted = make_response(mentor, program, skills)
    draft = make_response(mentor, program, checklist, submitted=False)
    client.force_login(coordinator)
    listed = list(client.get(url(Response, "changelist")).context["cl"].result_list)
    assert listed == [submitted]
    page = client.get(url(Response, "change", submitted.pk))
    assert page.context["has_change_permission"] is False
    assert client.get(url(Response, "change", draft.pk)).status_code == 404


def test_it_exports_responses_with_domain_scores_as_csv(client, coordinator, mentor, program, skills):
    submitted = make_response(mentor, program, skills, rating=3)
    client.force_login(coordinator)
    response = client.post(url(Response, "changelist"), {"action": "export_csv", "_selected_action": [submitted.pk]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["email"] == mentor.email
    assert rows[0]["occasion"] == "baseline"
    assert rows[0]["overall_score"] == "3.00"
    keys = [d.key for d in Domain.objects.filter(version=skills)]
    assert [rows[0][k] for k in keys] == ["3.00", "3.00"]
    assert rows[0]["gaps"] == " ".join(keys)


def test_publishing_a_version_asks_first_and_leaves_a_published_one_alone(client, coordinator, program):
    draft = make_instrument(program=program, slug="own-draft")
    InstrumentVersion.objects.filter(pk=draft.pk).update(published_at=None)
    draft.refresh_from_db()
    published = make_instrument(program=program, slug="own-published")
    client.force_login(coordinator)
    chosen = {"action": "publish", "_selected_action": [draft.pk, published.pk]}
    page = client.post(url(InstrumentVersion, "changelist"), chosen).content.decode()
    assert "1 version will be published" in page and "it is already published" in page
    draft.refresh_from_db()
    assert draft.published_at is None
    client.post(url(InstrumentVersion, "changelist"), {**chosen, "confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.published_at is not None
