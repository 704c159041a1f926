"""Instruments as files: the export format, the admin import with its preview and its errors per
item, and the round trip (export → import → the same answers score the same)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import interchange, scoring, selectors, services
from assessments.constants import EFFECTIVE_COMMUNICATION
from assessments.models import Domain, DomainScore, InstrumentVersion, Item
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.assessments import items_of, make_instrument


@pytest.fixture
def mixed(program):
    """Two domains: ability-and-willingness items, a plain rating with its own 1–5 scale and labels,
    a checklist item and a free-text item."""
    version = make_instrument(program, domains=2, items_per_domain=2, name="Skills inventory")
    first = Domain.objects.filter(version=version).order_by("order").first()
    Item.objects.create(domain=first, order=3, prompt="How clear are your meeting notes?", response_type="rating",
                        scale_min=1, scale_max=5, scale_labels={"1": "Unclear", "5": "Very clear"})
    Item.objects.create(domain=first, order=4, prompt="Do you agree an agenda?", response_type="checklist",
                        help_text="Before each meeting.")
    Item.objects.create(domain=first, order=5, prompt="Anything else?", response_type="text", required=False)
    version.licence = "Made up for the tests; no rights reserved."
    version.save()
    return version


def upload(document: dict, name: str = "instrument.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(document).encode(), content_type="application/json")


def import_url(version: InstrumentVersion) -> str:
    return reverse("admin:assessments_instrument_import", args=[version.instrument_id])


def answers_for(version: InstrumentVersion) -> dict[int, scoring.AnswerValue]:
    """The same answers to any version of the same shape, item by item in order."""
    values = []
    for index, item in enumerate(items_of(version)):
        if item.response_type == "checklist":
            values.append(scoring.AnswerValue(choice="not_yet"))
        elif item.response_type == "text":
            values.append(scoring.AnswerValue(text="Keep the notes short."))
        elif item.response_type == "rating":
            values.append(scoring.AnswerValue(rating=4))
        elif index == 1:
            values.append(scoring.AnswerValue(not_applicable=True))
        else:
            values.append(scoring.AnswerValue(rating=2 + index % 5, willingness="willing"))
    return {item.pk: value for item, value in zip(items_of(version), values, strict=True)}


def submit(program, version):
    person = make_member(program, Membership.Role.MENTOR)
    response = services.response_start(user=person, program=program, version=version)
    return services.response_submit(response=response, answers=answers_for(version))


def test_the_export_states_the_format_domains_items_scales_scoring_and_licence(mixed):
    document = interchange.version_export(version=mixed)
    assert document["format"] == "mentorprogram-instrument" and document["format_version"] == 1
    assert document["licence"] == "Made up for the tests; no rights reserved."
    assert document["scoring"] == interchange.SCORING
    first = document["domains"][0]
    assert first["key"] == Domain.objects.filter(version=mixed).order_by("order").first().key
    rating = first["items"][2]
    assert rating == {"prompt": "How clear are your meeting notes?", "help_text": "", "response_type": "rating",
                      "required": True, "scale": {"min": 1, "max": 5, "labels": {"1": "Unclear", "5": "Very clear"}},
                      "allow_not_applicable": False}
    assert "scale" not in first["items"][3] and first["items"][3]["help_text"] == "Before each meeting."


def test_the_admin_exports_a_version_as_a_file(client, coordinator, mixed):
    client.force_login(coordinator)
    response = client.get(reverse("admin:assessments_instrumentversion_export", args=[mixed.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'{mixed.instrument.slug}-v1.json"')
    assert json.loads(response.content) == interchange.version_export(version=mixed)


def test_round_trip_export_import_scores_the_same_answers_identically(client, coordinator, program, mixed):
    client.force_login(coordinator)
    document = interchange.version_export(version=mixed)
    preview = client.post(import_url(mixed), {"file": upload(document), "mapping": ""})
    assert preview.status_code == 200 and "errors" not in preview.context
    assert "Preview: Skills inventory" in preview.content.decode()
    assert InstrumentVersion.objects.filter(instrument=mixed.instrument).count() == 1  # nothing saved yet
    done = client.post(import_url(mixed), {"document": preview.context["confirm_form"]["document"].value(),
                                           "mapping": "", "confirm": "yes"})
    imported = InstrumentVersion.objects.get(instrument=mixed.instrument, number=2)
    assert done.status_code == 302 and done["Location"].endswith(f"/{imported.pk}/change/")
    assert imported.published_at is None and imported.licence == mixed.licence
    assert interchange.version_export(version=imported)["domains"] == document["domains"]

    services.version_publish(version=imported)
    before, after = submit(program, mixed), submit(program, imported)
    structs = selectors.structures([mixed.pk, imported.pk])
    old = scoring.score_response(structs[mixed.pk].specs, answers_for(mixed))
    new = scoring.score_response(structs[imported.pk].specs, answers_for(imported))
    assert new == old and old.overall is not None and old.readiness == 0.0

    def stored(response):
        return {(s.domain.key, s.score, s.readiness, s.checked, s.yes)
                for s in DomainScore.objects.filter(response=response).select_related("domain")}

    assert stored(after) == stored(before) and len(stored(before)) == 2


def test_an_imported_version_is_frozen_once_answered(client, coordinator, program, mixed):
    parsed = interchange.validate_document(interchange.version_export(version=mixed), instrument=mixed.instrument)
    imported = interchange.version_import(instrument=mixed.instrument, parsed=parsed)
    services.version_publish(version=imported)
    assert not imported.is_frozen
    submit(program, imported)
    assert InstrumentVersion.objects.get(pk=imported.pk).is_frozen
    client.force_login(coordinator)
    client.post(reverse("admin:assessments_instrumentversion_change", args=[imported.pk]), {"number": 9})
    assert InstrumentVersion.objects.get(pk=imported.pk).number == 2


def test_it_lists_every_problem_at_its_item_and_field_and_saves_nothing(client, coordinator, mixed):
    document = interchange.version_export(version=mixed)
    items = document["domains"][0]["items"]
    items[0]["prompt"] = ""
    items[2]["scale"] = {"min": 5, "max": 3, "labels": {"9": "Too far"}}
    items[3]["response_type"] = "stars"
    document["domains"][1]["items"] = []
    client.force_login(coordinator)
    domains = Domain.objects.count()
    response = client.post(import_url(mixed), {"file": upload(document), "mapping": ""})
    assert response.status_code == 200
    errors = dict(response.context["errors"])
    assert set(errors) == {"domains[0].items[0].prompt", "domains[0].items[2].scale_max",
                           "domains[0].items[2].scale_labels", "domains[0].items[3].response_type",
                           "domains[1].items"}
    assert errors["domains[0].items[2].scale_max"] == ["The top of the scale must be above its bottom."]
    html = response.content.decode()
    assert "The file was not imported: 5 places to fix" in html and "Nothing was saved" in html
    assert InstrumentVersion.objects.filter(instrument=mixed.instrument).count() == 1
    assert Domain.objects.count() == domains


@pytest.mark.parametrize(("raw", "where"), [
    (b"{not json", "file"),
    (b"[1, 2]", "file"),
    (json.dumps({"format": "other", "format_version": 1, "instrument": {"name": "X"},
                 "domains": [{"key": "effective-communication", "name": "D",
                              "items": [{"prompt": "P", "response_type": "text"}]}]}).encode(), "format"),
])
def test_it_refuses_what_is_not_a_document_of_the_format(client, coordinator, mixed, raw, where):
    client.force_login(coordinator)
    response = client.post(import_url(mixed), {"file": SimpleUploadedFile("x.json", raw), "mapping": ""})
    assert where in dict(response.context["errors"])
    assert InstrumentVersion.objects.filter(instrument=mixed.instrument).count() == 1


def _document(keys: list[str]) -> dict:
    return {"format": "mentorprogram-instrument", "format_version": 1, "instrument": {"name": "A validated scale"},
            "licence": "Used under the program's licence.",
            "domains": [{"key": key, "name": key.title(), "items": [
                {"prompt": f"{key} question", "response_type": "rating",
                 "scale": {"min": 1, "max": 7, "labels": {"1": "Not at all", "7": "Extremely"}}}]} for key in keys]}


def test_an_unknown_domain_key_is_an_error_unless_it_is_mapped(mixed):
    with pytest.raises(interchange.InvalidDocument) as refused:
        interchange.validate_document(_document(["listening", "effective-communication"]), instrument=mixed.instrument)
    assert list(refused.value.errors) == ["domains[0].key"]
    mapped = interchange.validate_document(_document(["listening", "own-growth"]), instrument=mixed.instrument,
                                           mapping=interchange.parse_mapping(
                                               "listening = effective-communication\nown-growth = new\n"))
    assert [d.key for d in mapped.domains] == [EFFECTIVE_COMMUNICATION, "own-growth"]
    assert [d.is_new for d in mapped.domains] == [False, True]


def test_a_mapping_must_name_a_known_key_and_keys_stay_unique(mixed):
    with pytest.raises(interchange.InvalidDocument) as refused:
        interchange.validate_document(_document(["listening"]), instrument=mixed.instrument,
                                      mapping={"listening": "no-such-domain"})
    assert "mapping" in refused.value.errors
    with pytest.raises(interchange.InvalidDocument) as twice:
        interchange.validate_document(_document(["listening", "effective-communication"]),
                                      instrument=mixed.instrument, mapping={"listening": EFFECTIVE_COMMUNICATION})
    assert list(twice.value.errors) == ["domains[1].key"]
    with pytest.raises(interchange.InvalidDocument) as badly:
        interchange.parse_mapping("listening effective-communication")
    assert "mapping" in badly.value.errors


def test_a_mapped_import_keeps_course_suggestions_on_the_stable_key(client, coordinator, mixed):
    client.force_login(coordinator)
    preview = client.post(import_url(mixed), {"file": upload(_document(["listening"])),
                                              "mapping": "listening = effective-communication"})
    assert "errors" not in preview.context, preview.context.get("errors")
    client.post(import_url(mixed), {"document": preview.context["confirm_form"]["document"].value(),
                                    "mapping": "listening = effective-communication", "confirm": "yes"})
    imported = InstrumentVersion.objects.get(instrument=mixed.instrument, number=2)
    assert list(Domain.objects.filter(version=imported).values_list("key", flat=True)) == [EFFECTIVE_COMMUNICATION]


def test_a_coordinator_cannot_import_into_a_shared_or_another_programs_instrument(client, coordinator, other_program):
    shared = make_instrument(shared=True)
    theirs = make_instrument(other_program)
    client.force_login(coordinator)
    document = _document(["effective-communication"])
    assert client.post(import_url(shared), {"file": upload(document)}).status_code == 302
    assert client.post(import_url(theirs), {"file": upload(document)}).status_code == 404
    assert InstrumentVersion.objects.filter(number=2).count() == 0


def test_the_export_is_for_those_who_may_see_the_version(client, coordinator, mentor, other_program):
    theirs = make_instrument(other_program)
    shared = make_instrument(shared=True)
    client.force_login(coordinator)
    assert client.get(reverse("admin:assessments_instrumentversion_export", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:assessments_instrumentversion_export", args=[shared.pk])).status_code == 200
    client.force_login(mentor)
    assert client.get(reverse("admin:assessments_instrumentversion_export", args=[shared.pk])).status_code == 302


def test_the_readmes_example_is_a_valid_file():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index('```json\n{\n  "format": "mentorprogram-instrument"') + len("```json\n")
    parsed = interchange.validate_document(json.loads(readme[start:readme.index("```", start)]))
    assert parsed.item_count == 2 and [d.key for d in parsed.domains] == [EFFECTIVE_COMMUNICATION]
