"""The program report: every section built from the lower apps' selectors, through the privacy rule.

A section with nothing to report (no requirements set, no training recorded) says so instead
of showing an empty table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.http import Http404
from django.utils import timezone

from mentorprogram import permissions
from mentorprogram.models import Membership, Program, User
from toolbox.periods import academic_year_label, local_today

from .privacy import Figure, change, count, figure
from .sources import ReportSources

SHARE_BINS = [("0–19%", 0, 20), ("20–39%", 20, 40), ("40–59%", 40, 60), ("60–79%", 60, 80), ("80–100%", 80, 101)]


@dataclass
class Section:
    key: str
    title: str
    intro: str
    source: str
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    chart: dict | None = None
    empty: str = "Nothing to report yet."
    """What the page says instead of a table when there are no rows."""
    gap: str = "A missing bar or point stands for fewer than {threshold} responses."
    """What a gap in the chart means (``{threshold}`` is filled in with the program's threshold)."""
    more: tuple[str, str] | None = None
    """(label, URL name taking the program's slug) of a page with the details behind the section."""

    def csv_rows(self) -> list[list[str]]:
        return [[cell.text if isinstance(cell, Figure) else cell for cell in row] for row in self.rows]


@dataclass
class Report:
    program: Program
    generated_at: datetime
    threshold: int
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def charts(self) -> dict[str, dict]:
        return {s.key: s.chart for s in self.sections if s.rows and s.chart}


def get_program_for_report(*, user: User, slug: str) -> Program:
    """The report is for the program's coordinators (and superusers); anyone else gets a 404."""
    program = Program.objects.filter(slug=slug).first()
    if program is None or not (
        (user.is_active and user.is_superuser) or permissions.is_coordinator(user, program)
    ):
        raise Http404("No such report.")
    return program


def program_report(*, program: Program, now: datetime | None = None, only: str | None = None) -> Report:
    """Every section of the report, or only the one named (for its CSV download)."""
    now = now or timezone.now()
    t = program.privacy_threshold
    src = ReportSources(program, now)
    builders = {
        "people": lambda: _membership(src),
        "readiness": lambda: _domain_scores(src, "readiness", t),
        "skills": lambda: _domain_scores(src, "skills", t),
        "readiness-shares": lambda: _readiness_distribution(src, t),
        "impact": lambda: _impact(src, t),
        "attendance": lambda: _attendance(src, t),
        "compliance": lambda: _compliance(src, t),
        "plans": lambda: _plans(src, t),
        "training": lambda: _training(src, t),
    }
    keys = [only] if only is not None else list(builders)
    sections = [builders[k]() for k in keys if k in builders]
    for section in sections:
        section.gap = section.gap.format(threshold=t)
    return Report(program=program, generated_at=now, threshold=t, sections=sections)


def _membership(src: ReportSources) -> Section:
    counts = src.membership_counts()
    statuses = list(Membership.Status)
    section = Section(
        key="people", title="People in the program", source="program memberships",
        intro="Who is in the program and how far they are in joining: invited, prospective, active or alumni.",
        columns=["Role", *[s.label for s in statuses], "Total"],
    )
    section.rows = []
    for role in Membership.Role:
        numbers = [counts.get((role.value, s.value), 0) for s in statuses]
        section.rows.append([role.label, *[f"{n:,}" for n in numbers], f"{sum(numbers):,}"])
    return section


def _domain_scores(src: ReportSources, kind: str, t: int) -> Section:
    readiness = kind == "readiness"
    section = Section(
        key=kind,
        title="Readiness by domain" if readiness else "Skills by domain",
        source="readiness checklists" if readiness else "skills inventories",
        intro=(
            "Share of checklist items answered “yes”, per domain: at the baseline and on each person's latest "
            "checklist." if readiness else
            "Mean self-rated skill per domain (1–7): at the baseline and on each person's latest inventory."
        ),
        columns=["Domain", "Baseline mean", "Latest mean", "Change", "People (latest)"],
        empty=f"The program uses no {'readiness checklist' if readiness else 'skills inventory'} yet.",
    )
    data = src.domain_scores(kind)
    unit, places = ("%", 0) if readiness else ("", 1)
    section.rows, labels, baseline, latest = [], [], [], []
    for d in data:
        before = figure(d["baseline_mean"], d["baseline_n"], threshold=t, places=places, suffix=unit)
        after = figure(d["latest_mean"], d["latest_n"], threshold=t, places=places, suffix=unit)
        shown = before.chart is not None and after.chart is not None
        delta = change(d["latest_mean"] - d["baseline_mean"] if shown else None,
                       min(d["baseline_n"], d["latest_n"]), threshold=t, places=places,
                       suffix=" points" if readiness else "")
        section.rows.append([d["domain"], before, after, delta, count(d["latest_n"], threshold=t)])
        labels.append(d["domain"])
        baseline.append(before.chart)
        latest.append(after.chart)
    section.chart = {
        "type": "bar", "labels": labels, "unit": unit, "yMin": 0 if readiness else 1,
        "yMax": 100 if readiness else 7,
        "datasets": [{"label": "Baseline", "data": baseline}, {"label": "Latest", "data": latest}],
    }
    return section


def _readiness_distribution(src: ReportSources, t: int) -> Section:
    section = Section(
        key="readiness-shares", title="How ready people are", source="readiness checklists",
        intro="How many people's latest readiness checklist falls in each band of “yes” answers.",
        columns=["Share of “yes” answers", "People"],
    )
    shares = src.readiness_shares()
    total = len(shares)
    labels = [label for label, _, _ in SHARE_BINS]
    counts = [sum(1 for s in shares if lo <= s < hi) for _, lo, hi in SHARE_BINS]
    # The bands are shown only together, over at least the threshold of people.
    cells = [figure(c, total, threshold=t, places=0) for c in counts]
    section.rows = [[label, cell] for label, cell in zip(labels, cells, strict=True)]
    section.rows.append(["All people", count(total, threshold=t)])
    section.chart = {"type": "bar", "labels": labels, "unit": "", "yMin": 0,
                     "datasets": [{"label": "People", "data": [c.chart for c in cells]}]}
    return section


def _impact(src: ReportSources, t: int) -> Section:
    section = Section(
        key="impact", title="Evidence of impact", source="skills inventories",
        intro="For people with a baseline and a follow-up skills inventory: the mean change per domain.",
        columns=["Domain", "Mean change", "People with both"],
        empty="The program uses no skills inventory yet.",
    )
    data = src.domain_change()
    section.rows, labels, values = [], [], []
    for d in data:
        delta = change(d["mean_change"], d["n"], threshold=t, places=2)
        section.rows.append([d["domain"], delta, count(d["n"], threshold=t)])
        labels.append(d["domain"])
        values.append(delta.chart)
    section.chart = {"type": "bar", "labels": labels, "unit": "",
                     "datasets": [{"label": "Mean change since baseline", "data": values}]}
    return section


def last_months(now: datetime, zone: str, n: int = 12) -> list[date]:
    """The first days of the last ``n`` months (this one included), oldest first, in the program's zone."""
    local = local_today(zone, now)
    months, year, month = [], local.year, local.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _attendance(src: ReportSources, t: int) -> Section:
    program = src.program
    section = Section(
        key="attendance", title="Meeting attendance", source="attendance recorded at community meetings",
        intro=f"Attendance at {program.community_name} meetings over the last twelve months.",
        columns=["Month", "Meetings held", "Attendances", "Attendance rate"],
        gap="A gap in the line stands for a month without meetings or with fewer than {threshold} mentors.",
    )
    months = last_months(src.now, program.time_zone)
    data = src.attendance_by_month(months)
    section.rows, labels, rates = [], [], []
    for month in months:
        m = data.get(month, {"meetings": 0, "attended": 0, "expected": 0, "people": 0})
        # The month's figures rest on its people, not on its attendances (one mentor at five
        # meetings is still one mentor).
        rate = figure(100 * m["attended"] / m["expected"] if m["expected"] else None, m["people"],
                      threshold=t, places=0, suffix="%")
        label = f"{month:%b %Y}"
        if m["meetings"]:
            section.rows.append([label, f"{m['meetings']:,}", figure(m["attended"], m["people"], threshold=t,
                                                                      places=0), rate])
        else:
            section.rows.append([label, "0", "—", "no meetings"])
        labels.append(label)
        rates.append(rate.chart if m["meetings"] else None)
    section.chart = {"type": "line", "labels": labels, "unit": "%", "yMin": 0, "yMax": 100,
                     "datasets": [{"label": "Attendance rate", "data": rates}]}
    return section


def _compliance(src: ReportSources, t: int) -> Section:
    section = Section(
        key="compliance", title="Reporting requirements",
        source="the program's requirements and each mentor's records",
        intro="How many mentors are on track and how many are behind on each of the program's requirements.",
        columns=["Requirement", "Target", "On track", "Behind", "Share on track"],
        empty="The program has no reporting requirements yet; coordinators add them in the admin.",
        more=("Who is behind, mentor by mentor", "accountability:compliance"),
    )
    data = src.requirement_compliance()
    section.rows, labels, on_track, behind = [], [], [], []
    for r in data:
        n = r["on_track"] + r["behind"]
        ok = figure(r["on_track"], n, threshold=t, places=0)
        late = figure(r["behind"], n, threshold=t, places=0)
        share = figure(100 * r["on_track"] / n if n else None, n, threshold=t, places=0, suffix="%")
        section.rows.append([r["requirement"], r["target"], ok, late, share])
        labels.append(r["requirement"])
        on_track.append(ok.chart)
        behind.append(late.chart)
    section.chart = {"type": "bar", "stacked": True, "labels": labels, "unit": "", "yMin": 0,
                     "datasets": [{"label": "On track", "data": on_track}, {"label": "Behind", "data": behind}]}
    return section


def _plans(src: ReportSources, t: int) -> Section:
    section = Section(
        key="plans", title="Accountability plan completion", source="accountability plans",
        intro="Items of the current accountability plans: how many are done and how many are overdue.",
        columns=["Figure", "Value"],
    )
    data = src.plan_completion()
    n = data["people"]
    items = data["items"]
    section.rows = [
        ["People with a plan", count(n, threshold=t)],
        ["Plan items", figure(items, n, threshold=t, places=0)],
        ["Completed", figure(data["completed"], n, threshold=t, places=0)],
        ["Overdue", figure(data["overdue"], n, threshold=t, places=0)],
        ["Share completed", figure(100 * data["completed"] / items if items else None, n, threshold=t,
                                   places=0, suffix="%")],
    ]
    done = figure(data["completed"], n, threshold=t, places=0).chart
    overdue = figure(data["overdue"], n, threshold=t, places=0).chart
    open_items = None if done is None else items - data["completed"] - data["overdue"]
    section.chart = {"type": "doughnut", "labels": ["Completed", "Open", "Overdue"], "unit": "",
                     "datasets": [{"label": "Plan items", "data": [done, open_items, overdue]}]}
    return section


def _training(src: ReportSources, t: int) -> Section:
    section = Section(
        key="training", title="Training credit hours", source="training completions",
        intro="Credit hours of completed training per academic year, and the mean per person who trained.",
        columns=["Academic year", "People who trained", "Credit hours", "Mean per person"],
        empty="Nobody in the program has recorded completed training yet.",
    )
    data = src.credit_hours_by_year()
    section.rows, labels, totals = [], [], []
    for y in sorted(data, key=lambda y: y["year_start"]):
        label = academic_year_label(y["year_start"].year, y["year_start"].month)
        hours = figure(y["hours"], y["people"], threshold=t, places=1)
        mean = figure(y["hours"] / y["people"] if y["people"] else None, y["people"], threshold=t, places=1)
        section.rows.append([label, count(y["people"], threshold=t), hours, mean])
        labels.append(label)
        totals.append(hours.chart)
    section.chart = {"type": "bar", "labels": labels, "unit": " h", "yMin": 0,
                     "datasets": [{"label": "Credit hours", "data": totals}]}
    return section

