"""The program report page and its CSV downloads (coordinators of the program only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from toolbox.csv_export import csv_response

from . import selectors


@require_safe
@login_required
def program_report(request, slug: str):
    program = selectors.get_program_for_report(user=request.user, slug=slug)
    report = selectors.program_report(program=program)
    return render(request, "reports/program_report.html", {"report": report, "program": program})


@require_safe
@login_required
def program_report_csv(request, slug: str, table: str):
    program = selectors.get_program_for_report(user=request.user, slug=slug)
    section = selectors.program_report(program=program, only=table).section(table)
    if section is None:
        raise Http404("No such table.")
    filename = f"{program.slug}-{section.key}-{timezone.localdate():%Y-%m-%d}.csv"
    header, rows = section.csv()
    return csv_response(filename, header, rows)
