"""The report's tables as a spreadsheet wants them: numbers in numeric columns, units in the
headers, and a status column saying why a cell is empty (too few responses, no meetings) or
that a figure is an earlier publication shown again.

The page shows "fewer than 5 responses" or "73%" in a cell; the CSV holds an empty cell or 73
under "Attendance rate (%)", so that a spreadsheet can sum, chart and sort the columns.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .privacy import Figure, hidden_text

UNIT_NAMES = {"%": "%", "points": "percentage points", "h": "hours"}
_FORMATTED_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
STATUS = "Status"


def _unit(cell) -> str:
    if isinstance(cell, Figure):
        suffix = cell.suffix.strip()
        return UNIT_NAMES.get(suffix, suffix)
    return ""


def _is_numeric(cell) -> bool:
    if isinstance(cell, Figure):
        return True
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float | Decimal):
        return True
    return isinstance(cell, str) and bool(_FORMATTED_NUMBER.match(cell))


def _number(cell) -> str:
    if isinstance(cell, Figure):
        if isinstance(cell.value, int) and not isinstance(cell.value, bool):
            return str(cell.value)
        return f"{round(float(cell.value), cell.places):.{cell.places}f}"
    return str(cell).replace(",", "")


def _with_unit(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit and unit.lower() not in name.lower() else name


def table(columns: list[str], rows: list[list], units: dict[str, str] | None = None) -> tuple[list[str], list[list]]:
    """(header, rows) of a report table for its CSV download."""
    units = units or {}
    numeric = [any(_is_numeric(row[i]) for row in rows) for i in range(len(columns))]
    column_units: list[str | None] = []  # None: the rows' units differ, each row's label names its own
    for i, name in enumerate(columns):
        found = {_unit(row[i]) for row in rows if isinstance(row[i], Figure)}
        column_units.append(units.get(name, found.pop() if len(found) == 1 else ("" if not found else None)))
    header = [_with_unit(name, column_units[i] or "") for i, name in enumerate(columns)] + [STATUS]
    out = []
    for row in rows:
        cells, hidden, notes = [], [], []
        for i, cell in enumerate(row):
            if not numeric[i]:
                cells.append(cell.text if isinstance(cell, Figure) else cell)
                continue
            if isinstance(cell, Figure) and cell.hidden:
                cells.append("")
                hidden.append((columns[i], cell.threshold))
            elif isinstance(cell, Figure) and cell.value is None:
                cells.append("")
            elif _is_numeric(cell):
                cells.append(_number(cell))
                if isinstance(cell, Figure) and cell.as_of is not None:
                    notes.append(f"{columns[i]}: as of {cell.as_of:,} responses, an earlier publication")
            else:
                cells.append("")
                if str(cell) not in ("", "—"):
                    notes.append(f"{columns[i]}: {cell}")
        if column_units and None in column_units and cells:
            unit = next((_unit(c) for c in row if _unit(c)), "")
            cells[0] = _with_unit(str(cells[0]), unit)
        if hidden:
            threshold = hidden[0][1]
            notes.insert(0, f"{hidden_text(threshold).capitalize()}: {', '.join(c for c, _ in hidden)} not shown")
        out.append([*cells, "; ".join(notes)])
    return header, out
