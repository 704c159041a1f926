"""Every test's data comes from these factories (one place, STYLE §8).

Core factories live in ``core.py`` and are re-exported here; each app keeps its own in
``tests/factories/<app>.py``. A module may define ``PROGRAM_OBJECT_FACTORIES`` (model →
function of a program returning one object of that program) for the admin-scoping test;
they are merged into the one dict below.
"""

from __future__ import annotations

import importlib
import pkgutil

from .core import *  # noqa: F403
from .core import PROGRAM_OBJECT_FACTORIES as _CORE_OBJECTS

PROGRAM_OBJECT_FACTORIES = dict(_CORE_OBJECTS)
for _module in pkgutil.iter_modules(__path__):  # noqa: F405
    PROGRAM_OBJECT_FACTORIES.update(
        getattr(importlib.import_module(f"{__name__}.{_module.name}"), "PROGRAM_OBJECT_FACTORIES", {})
    )
