"""Every row of the project's own tables, to prove that a refused or junk request changed nothing."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models

EXTRA_APPS = ("account",)  # allauth's email addresses belong to people too


def project_models() -> list[type[models.Model]]:
    ours = [c for c in apps.get_app_configs() if "site-packages" not in str(c.path) or c.label in EXTRA_APPS]
    return [m for c in ours for m in c.get_models() if m._meta.managed and not m._meta.proxy]


def snapshot(*, exclude=lambda model, row: False) -> dict[str, dict]:
    """``{model label: {pk: row}}``; ``exclude(model, row)`` leaves out rows a request may change.
    The rows hold the values as the database gives them (no field converters; on PostgreSQL as
    JSON, every table in one query): enough to tell one state from another, and a fuzzing test
    takes thousands of these."""
    data = {}
    for model, rows in _every_row():
        key = "id" if rows and "id" in rows[0] else model._meta.pk.column
        data[model._meta.label] = {row[key]: row for row in rows if not exclude(model, row)}
    return data


def _every_row():
    models_ = project_models()
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        sql, params = _all_in_one()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            tables = cursor.fetchone()
        return [(model, rows or []) for model, rows in zip(models_, tables, strict=True)]
    return [(model, _rows(*_select_all(model))) for model in models_]


def _rows(sql: str, params: tuple, using: str) -> list[dict]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


@cache
def _select_all(model: type[models.Model]) -> tuple[str, tuple, str]:
    """Every row of ``model``'s table by primary key, compiled once: the SQL of ``.values()``."""
    queryset = model._base_manager.order_by("pk").values()
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params), queryset.db


@cache
def _all_in_one() -> tuple[str, tuple]:
    """PostgreSQL: every table's rows as one JSON array per column of a single row, in
    ``project_models()`` order: one round trip instead of one per table."""
    parts, params = [], []
    for model in project_models():
        sql, values, _ = _select_all(model)
        parts.append(f"(SELECT json_agg(q) FROM ({sql}) q)")  # noqa: S608 (the ORM's own SQL of each table)
        params += values
    return "SELECT " + ", ".join(parts), tuple(params)


def differences(before: dict, after: dict) -> list[str]:
    changed = []
    for label in before.keys() | after.keys():
        old, new = before.get(label, {}), after.get(label, {})
        changed += [f"{label} #{pk} created" for pk in new.keys() - old.keys()]
        changed += [f"{label} #{pk} deleted" for pk in old.keys() - new.keys()]
        changed += [f"{label} #{pk} changed" for pk in old.keys() & new.keys() if old[pk] != new[pk]]
    return sorted(changed)


def _references(model) -> list[tuple[str, str]]:
    return [(f.attname, f.related_model._meta.label) for f in model._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)]


def without_rows_of(user, data: dict, *, never_theirs=("mentorprogram.Membership",)) -> dict:
    """``data`` less the rows that belong to ``user``: their own user row and every row that
    points at it, directly or through other such rows (their plan, its items…). A person may
    change those; nobody else's. Memberships are never theirs to change."""
    models_ = [m for m in project_models() if m._meta.label not in never_theirs]
    owned: dict[str, set] = {user._meta.label: {user.pk}}
    grew = True
    while grew:
        grew = False
        for model in models_:
            label, refs = model._meta.label, _references(model)
            mine = owned.setdefault(label, set())
            for pk, row in data.get(label, {}).items():
                if pk not in mine and any(row[att] in owned.get(target, ()) for att, target in refs):
                    mine.add(pk)
                    grew = True
    return {label: {pk: row for pk, row in rows.items() if pk not in owned.get(label, ())}
            for label, rows in data.items()}
