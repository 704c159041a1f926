"""The transcript as CSV, through the project's spreadsheet-safe CSV response."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse

from toolbox.csv_export import csv_response

from .selectors import Transcript

HEADER = ["Academic year", "Course", "Provider", "Kind", "Status", "Completed on", "CME credit hours claimed",
          "Verified on", "Verified by"]


def _rows(transcript: Transcript) -> Iterator[list]:
    for year in transcript.years:
        for c in year.completions:
            yield [year.label, c.course.title, c.course.provider, c.course.get_modality_display(),
                   c.status_label, c.completed_on.isoformat(), c.credit_hours,
                   c.verified_at.date().isoformat() if c.verified_at else "", c.verified_by or ""]
    for c in transcript.in_progress:
        yield ["", c.course.title, c.course.provider, c.course.get_modality_display(), c.status_label,
               "", "", "", ""]


def transcript_csv_response(transcript: Transcript) -> HttpResponse:
    suffix = f"-{transcript.year}" if transcript.year else ""
    return csv_response(f"training-transcript-{transcript.person.pk}{suffix}.csv", HEADER, _rows(transcript))
