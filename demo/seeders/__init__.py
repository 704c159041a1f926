"""Demo data, one module per app. Each module defines ``ORDER`` (apps that need another
app's demo data run after it) and ``seed(*, program, people, mentors) -> str``, which is
idempotent and returns a one-line summary. ``core`` runs first and creates the program and
people that the others receive."""

from __future__ import annotations

import importlib
import pkgutil


def seeder_modules() -> list:
    modules = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    return sorted((m for m in modules if m.__name__ != f"{__name__}.core"), key=lambda m: m.ORDER)
