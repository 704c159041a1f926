"""The program report: its program's coordinators only; everyone else gets a 404."""

from __future__ import annotations

from . import COORDINATORS, NOT_ALLOWED, Route

ROUTES = [
    Route("reports:program", kwargs=lambda w: {"slug": w.program.slug},
          get=COORDINATORS, post=NOT_ALLOWED,
          secret=lambda w: "People in the program"),
    Route("reports:csv", kwargs=lambda w: {"slug": w.program.slug, "table": "people"},
          get=COORDINATORS, post=NOT_ALLOWED),
]
