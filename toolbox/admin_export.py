"""CSV export actions for admin lists.

``export_csv_action(...)`` builds an admin action that downloads the selected rows as a
spreadsheet-safe CSV (through ``csv_export.csv_response``). It exports only what the list's
own queryset holds, so a coordinator's export is scoped to their programs like the list is.

    actions = [export_csv_action(
        ("Email", "user__email"), ("Program", "program__name"), "role",
        ("Status", lambda m: m.get_status_display()),
    )]

A field is an ORM path (the header is its verbose name), or a (header, path) pair, or a
(header, callable) pair taking the object. With ORM paths only, the export is one
``values_list`` query however many rows there are; callables load objects, so give
``select_related`` for the relations they follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.utils import timezone
from django.utils.text import slugify

from .csv_export import csv_response

Field = str | tuple[str, str | Callable]


def export_csv_action(*fields: Field, name: str = "export_csv", filename: str | None = None,
                      description: str = "Download the selected rows as CSV",
                      select_related: Sequence[str] = ()):
    def action(modeladmin: admin.ModelAdmin, request, queryset):
        model = queryset.model
        headers, getters = [], []
        for spec in fields:
            header, getter = spec if isinstance(spec, tuple) else (_label(model, spec), spec)
            headers.append(header)
            getters.append(getter)
        stem = filename or slugify(model._meta.verbose_name_plural)
        stamped = f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"
        queryset = queryset.order_by(*(model._meta.ordering or ["pk"]), "pk")
        if all(isinstance(g, str) for g in getters):
            rows = (_plain(row) for row in queryset.values_list(*getters).iterator(chunk_size=2000))
        else:
            queryset = queryset.select_related(*select_related) if select_related else queryset
            rows = ([_value(obj, g) for g in getters] for obj in queryset.iterator(chunk_size=2000))
        return csv_response(stamped, headers, rows)

    action.__name__ = name
    action.short_description = description
    action.allowed_permissions = ("view",)
    return action


def _label(model, path: str) -> str:
    if "__" not in path:
        return str(label_for_field(path, model)).capitalize()
    *relations, last = path.split("__")
    for rel in relations:
        model = model._meta.get_field(rel).related_model
    return " ".join([*relations, str(label_for_field(last, model))]).replace("_", " ").capitalize()


def _value(obj, getter):
    if callable(getter):
        return _plain_value(getter(obj))
    value = obj
    for part in getter.split("__"):
        value = getattr(value, part, None) if value is not None else None
    return _plain_value(value)


def _plain(row: tuple) -> list:
    return [_plain_value(v) for v in row]


def _plain_value(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
