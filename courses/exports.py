"""Transcript CSV. Cells a spreadsheet would read as a formula are neutralised."""

from __future__ import annotations

import csv
import io

from .selectors import Transcript

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell starting with = + - @ (or a tab or carriage return) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


HEADER = ["Academic year", "Course", "Provider", "Kind", "Status", "Completed on", "CME credit hours claimed",
          "Verified on", "Verified by"]


def transcript_csv(transcript: Transcript) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for year in transcript.years:
        for c in year.completions:
            writer.writerow([spreadsheet_safe(v) for v in (
                year.label, c.course.title, c.course.provider, c.course.get_modality_display(), c.get_status_display(),
                c.completed_on.isoformat(), c.credit_hours,
                c.verified_at.date().isoformat() if c.verified_at else "", c.verified_by or "",
            )])
    for c in transcript.in_progress:
        writer.writerow([spreadsheet_safe(v) for v in (
            "", c.course.title, c.course.provider, c.course.get_modality_display(), c.get_status_display(),
            "", "", "", "",
        )])
    return out.getvalue()
