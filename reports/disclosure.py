"""The report's rule against differencing: no two published values of a figure rest on numbers of
people closer than the program's threshold.

Hiding figures under the threshold is not enough on its own. A mean published over 5 people and
again over 6 gives the sixth person's answer by subtraction; so does one published, hidden when
someone leaves, and published again when someone else joins; and so does a figure that changes
while its ``n`` stays put (one person re-took an inventory).

So each group of figures resting on the same people (one row of the report, keyed by its section
and what the row is about) is computed afresh at ``n`` people only if ``n`` differs by at least
the threshold from *every* ``n`` the group was ever published at (``FigureRelease``). Otherwise the
report shows the group's last published values again, marked “as of N responses” where N is not
today's ``n``. Two different published values of a figure therefore always differ by the answers
of at least threshold people. Under the threshold a figure is hidden, as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from mentorprogram.models import Program

from .models import FigureRelease, ReleaseLedger

PARTS = "_parts"
"""Where a release keeps the sizes of its subgroups (see ``Disclosure.release``)."""


@dataclass(frozen=True)
class Release:
    values: dict | None
    """The values to show; ``None`` when the group is hidden (under the threshold)."""
    n: int
    """How many people the values shown rest on."""
    current_n: int

    @property
    def as_of(self) -> int | None:
        """The ``n`` of an earlier publication shown again, when it is not today's."""
        return self.n if self.values is not None and self.n != self.current_n else None


def _plain(values: dict) -> dict:
    """The values as JSON keeps them, so a figure reads the same when first published and when shown again."""
    return json.loads(json.dumps(values, default=lambda v: float(v) if isinstance(v, Decimal) else str(v)))


class Disclosure:
    """The releases of one program, read once per report; new ones are recorded by :meth:`save`."""

    def __init__(self, program: Program, now: datetime):
        self.program = program
        self.now = now
        self.threshold = program.privacy_threshold
        # The ledger's version with every release, in one query: releases are only ever recorded
        # with the ledger (save), so no ledger row means none yet, and a ledger without releases
        # reads as one row with no release.
        self.version: int | None = None  # None: no ledger yet
        self.history: dict[str, list[tuple[int, dict]]] = {}
        rows = (ReleaseLedger.objects.filter(program=program).order_by("program__figure_releases__pk")
                .values_list("version", "program__figure_releases__key", "program__figure_releases__n",
                             "program__figure_releases__values"))
        for version, key, n, values in rows:
            self.version = version
            if key is not None:
                self.history.setdefault(key, []).append((n, values))
        self.new: list[FigureRelease] = []

    def release(self, key: str, n: int, values: dict, *, keep: bool = True,
                parts: dict[str, int] | None = None) -> Release:
        """The values of group ``key`` to show with ``n`` people behind them today.

        ``keep=False`` for values that say nothing yet (attendance before any is recorded): shown
        afresh but not kept as a release, as long as the group has none.

        ``parts`` names subgroups of the ``n`` people whose own figures the values hold (people
        who trained and people who did not), with their numbers, kept with the release. The group is
        computed afresh only if every part that was published before and is published now has moved
        by the threshold as well, so that no subgroup's figure can be differenced either.
        """
        if n < self.threshold:
            return Release(values=None, n=n, current_n=n)
        values = _plain(values)
        if parts:
            values[PARTS] = dict(parts)
        past = self.history.setdefault(key, [])
        if all(self._apart(n, parts, earlier, before) for earlier, before in past):
            if past or keep:
                past.append((n, values))
                self.new.append(FigureRelease(program=self.program, key=key, n=n, values=values,
                                              released_at=self.now))
            return Release(values=values, n=n, current_n=n)
        last_n, last_values = past[-1]
        return Release(values=last_values, n=last_n, current_n=n)

    def _apart(self, n: int, parts: dict[str, int] | None, earlier_n: int, earlier: dict) -> bool:
        if abs(n - earlier_n) < self.threshold:
            return False
        before = earlier.get(PARTS) if isinstance(earlier, dict) else None
        if not parts or not before:
            return True
        return all(abs(size - before[name]) >= self.threshold for name, size in parts.items() if name in before)

    def save(self) -> bool:
        """Record the new releases; ``False`` if another report recorded some since these were read
        (then this report's figures must not be shown: compute it again)."""
        if not self.new:
            return True
        try:
            with transaction.atomic():
                # The first releases make the ledger at version 1 (a report that made it meanwhile
                # breaks the one-to-one key); later ones claim the version they read.
                if self.version is None:
                    ReleaseLedger.objects.create(program=self.program, version=1)
                elif not ReleaseLedger.objects.filter(program=self.program, version=self.version).update(
                        version=F("version") + 1):
                    return False
                FigureRelease.objects.bulk_create(self.new)
        except IntegrityError:
            return False
        return True
