"""Every field that points at a person is declared in the registry of personal data
(mentorprogram/personal_data.py), with its handling stated, for both the copy and erasure."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from accountability.models import Mentee
from mentorprogram.personal_data import ENTRIES, Anonymise, Delete, Keep
from mentorprogram.privacy.registry import exported_fields, model_of


def person_fields():
    """(model label, field name) of every foreign key, one-to-one and many-to-many field to a person."""
    people = (get_user_model(), Mentee)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and (field.many_to_one or field.one_to_one or field.many_to_many) \
                    and field.related_model in people:
                yield model._meta.label, field.name


def test_every_field_that_points_at_a_person_is_in_the_registry():
    declared = {(entry.model, entry.field) for entry in ENTRIES}
    missing = sorted(set(person_fields()) - declared)
    assert missing == [], (
        "declare these in mentorprogram/personal_data.py (one Entry each: how the copy of a person's data "
        f"reads them, and whether erasure deletes, anonymises or keeps them, and why): {missing}")


def test_the_account_itself_is_declared():
    assert any(e.model == get_user_model()._meta.label and e.path == "pk" for e in ENTRIES)


def test_every_entry_states_its_handling_with_a_reason_and_names_real_fields():
    for entry in ENTRIES:
        model = model_of(entry)
        assert model is not None or entry.model.split(".")[0] in ("audit",), f"{entry.model} is not a model"
        if model is None:
            continue
        assert isinstance(entry.erase, Delete | Anonymise | Keep), entry
        assert entry.erase.reason.strip(), f"{entry.model}.{entry.path}: say why"
        model._base_manager.filter(**{entry.path: 1})  # the path resolves (FieldError otherwise)
        names = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        for name in (*(entry.export or ()), *entry.exclude):
            assert name in names, f"{entry.model} has no field {name}"
        if isinstance(entry.erase, Anonymise):
            assert set(entry.erase.values) <= names, entry.model
        assert entry.export == () or exported_fields(entry, model), entry.model


def test_a_new_model_with_a_person_field_would_be_caught(monkeypatch):
    """The check fails on a registry that forgets one entry."""
    from mentorprogram import personal_data

    forgotten = [e for e in ENTRIES if e.model != "community.Rsvp"]
    monkeypatch.setattr(personal_data, "ENTRIES", forgotten)
    declared = {(entry.model, entry.field) for entry in personal_data.ENTRIES}
    assert set(person_fields()) - declared == {("community.Rsvp", "user")}
