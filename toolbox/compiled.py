"""A per-person SELECT that the ORM builds and compiles once per process for each shape of its
inputs, then runs for each person with their own id bound.

For a hot page whose query is large to build (a dashboard card's measures: a dozen correlated
subqueries) but quick to answer, building and compiling it cost more CPU than PostgreSQL spends
on it. ``compiled(key, build)`` calls ``build(STAND_IN)`` once per ``key`` and keeps the SQL; the
key must name every input of ``build`` except the person's id (a program's id and zone, its
requirements and their periods), so that two people who get the same SQL differ only in that id.
Nothing read from the database is kept: each call runs the query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import RawQuerySet

STAND_IN = -(2**62) + 17
"""The id ``build`` is given in place of the person's: no row has it, so it is found in the
compiled query's values and nowhere else."""

SHAPES = 256  # kept per process, the least recently used dropped first


class Compiled:
    """A queryset's SQL and values, with the places of the stand-in id among the values."""

    def __init__(self, queryset: QuerySet):
        self.model: type[Model] = queryset.model
        self.using = queryset.db
        self.sql, params = queryset.query.sql_with_params()
        self.params = list(params)
        self.annotations = tuple(queryset.query.annotations)  # what the rows carry beside the model's fields
        self.spots = [i for i, value in enumerate(self.params) if type(value) is int and value == STAND_IN]
        if not self.spots:
            raise ValueError(f"The stand-in id is not among the values of {self.sql}")

    def raw(self, person_id: int) -> RawQuerySet:
        """The query for ``person_id``: model instances with the annotations as attributes."""
        params = list(self.params)
        for spot in self.spots:
            params[spot] = person_id
        return self.model.objects.raw(self.sql, params, using=self.using)


@dataclass(frozen=True)
class Statement:
    """A whole query's SQL and values, for code that runs it inside an outer query of its own
    (``accountability.standing``): the same for everyone who asks with the same key."""

    sql: str
    params: tuple
    using: str

    def rows(self) -> list[dict]:
        """The statement's rows as dicts, by its column names (a ``values()`` query's names), in
        the driver's own types: Django's converters are not applied, so keep it to numbers and text."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_shapes: OrderedDict[Hashable, Compiled | Statement] = OrderedDict()
_lock = Lock()


def _kept(key: Hashable, make: Callable[[], Compiled | Statement]):
    with _lock:
        if key in _shapes:
            _shapes.move_to_end(key)
            return _shapes[key]
    made = make()
    with _lock:
        _shapes[key] = made
        while len(_shapes) > SHAPES:
            _shapes.popitem(last=False)
    return made


def compiled(key: Hashable, build: Callable[[int], QuerySet]) -> Compiled:
    return _kept(("person", key), lambda: Compiled(build(STAND_IN)))


def statement(key: Hashable, build: Callable[[], QuerySet]) -> Statement:
    """``build()``'s SQL, compiled once per ``key``, which must name every input of ``build``."""
    def make() -> Statement:
        queryset = build()
        sql, params = queryset.query.sql_with_params()
        return Statement(sql, tuple(params), queryset.db)

    return _kept(("statement", key), make)
