"""The registry's entries resolved to models and querysets."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from mentorprogram import personal_data
from mentorprogram.personal_data import Entry


def model_of(entry: Entry) -> type[models.Model] | None:
    """The entry's model, or None when its app is not installed."""
    try:
        return apps.get_model(entry.model)
    except LookupError:
        return None


def installed_entries() -> list[tuple[Entry, type[models.Model]]]:
    return [(entry, model) for entry in personal_data.ENTRIES if (model := model_of(entry)) is not None]


def rows_of(entry: Entry, model: type[models.Model], person_id: int) -> models.QuerySet:
    """The entry's rows about the person, whatever the model's default manager hides."""
    return model._base_manager.filter(**{entry.path: person_id}).order_by("pk")


def exported_fields(entry: Entry, model: type[models.Model]) -> list[str]:
    """Column names of the entry's copy: the attnames of its fields (``user_id``), then ``also``."""
    fields = list(model._meta.concrete_fields)
    if entry.export is not None:
        wanted = set(entry.export)
        fields = [f for f in fields if f.name in wanted or f.attname in wanted]
    fields = [f for f in fields if f.name not in entry.exclude and f.attname not in entry.exclude]
    return [f.attname for f in fields] + (list(entry.also) if entry.export != () else [])


def table_key(entry: Entry) -> str:
    """The entry's name in the copy: ``courses.Completion:verified_by``."""
    return f"{entry.model}:{entry.path}"
