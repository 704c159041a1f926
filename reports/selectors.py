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
from mentorprogram import selectors as core_selectors
from mentorprogram.models import Membership, Program, User
from toolbox.charts import label_lines
from toolbox.periods import academic_year_label, local_today

from . import csv_cells, evidence, mentee_feedback
from .disclosure import Disclosure, Release
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

    units: dict[str, str] = field(default_factory=dict)
    """Units of columns whose figures carry none (hours, a 1–7 scale), for the CSV's headers."""
    method: str = ""
    """One sentence under the table saying how its figures are worked out."""
    template: str = "reports/_section.html"
    """The include that renders the section."""

    def csv(self) -> tuple[list[str], list[list[str]]]:
        """(header, rows) for the download: numbers in numeric columns, units in the headers, and a
        status column saying why a cell is empty."""
        return csv_cells.table(self.columns, self.rows, self.units)

    def csv_rows(self) -> list[list[str]]:
        return self.csv()[1]


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
    """The report is for the program's coordinators (and superusers); anyone else gets a 404.

    A coordinator's program comes with their live memberships, in the one query that the
    navigation's checks then share."""
    if user.is_active and user.is_superuser:
        program = Program.objects.filter(slug=slug).first()
    else:
        memberships = list(core_selectors.memberships_for_user(user=user))
        permissions.remember_live_memberships(user, memberships)
        program = next((m.program for m in memberships
                        if m.program.slug == slug and permissions.is_coordinator(user, m.program)), None)
    if program is None:
        raise Http404("No such report.")
    return program


REPORT_ATTEMPTS = 5


def program_report(*, program: Program, now: datetime | None = None, only: str | None = None) -> Report:
    """Every section of the report, or only the one named (for its CSV download).

    Its figures go through the program's :class:`~reports.disclosure.Disclosure`: a group first
    published here is recorded before the report is returned, and if another report recorded
    releases in the meantime this one is computed again on the fresh record.
    """
    now = now or timezone.now()
    for _ in range(REPORT_ATTEMPTS):
        disclosure = Disclosure(program, now)
        report = _build(program, now, only, disclosure)
        if disclosure.save():
            return report
    raise RuntimeError("The report's releases kept changing while it was computed.")


def _build(program: Program, now: datetime, only: str | None, d: Disclosure) -> Report:
    t = d.threshold
    src = ReportSources(program, now)
    builders = {
        "people": lambda: _membership(src),
        "readiness": lambda: _domain_scores(src, "readiness", d),
        "skills": lambda: _domain_scores(src, "skills", d),
        "readiness-shares": lambda: _readiness_distribution(src, d),
        "impact": lambda: evidence.impact_section(src, d),
        "training-change": lambda: evidence.training_change_section(src, d),
        "attendance": lambda: _attendance(src, d),
        "compliance": lambda: _compliance(src, d),
        "plans": lambda: _plans(src, d),
        "training": lambda: _training(src, d),
        mentee_feedback.KEY: lambda: mentee_feedback.mentee_feedback_section(src, d),
    }
    keys = [only] if only is not None else list(builders)
    sections = [builders[k]() for k in keys if k in builders]
    for section in sections:
        section.gap = section.gap.format(threshold=t)
    return Report(program=program, generated_at=now, threshold=t, sections=sections)


def _shown(release: Release, name: str, t: int, **options) -> Figure:
    """One figure of a released group."""
    value = None if release.values is None else release.values.get(name)
    return figure(value, release.n if release.values is not None else release.current_n, threshold=t,
                  as_of=release.as_of, **options)


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


def _domain_scores(src: ReportSources, kind: str, d: Disclosure) -> Section:
    t = d.threshold
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
        units={} if readiness else {"Baseline mean": "1–7", "Latest mean": "1–7", "Change": "points on 1–7"},
    )
    data = src.domain_scores(kind)
    unit, places = ("%", 0) if readiness else ("", 1)
    section.rows, labels, baseline, latest = [], [], [], []
    for row in data:
        # Baseline and latest rest on the same people when their counts agree: one group, one release.
        together = row["baseline_n"] == row["latest_n"]
        key = f"{kind}:{row.get('key', row['domain'])}"
        if together:
            both = d.release(key, row["latest_n"], {"baseline": row["baseline_mean"], "latest": row["latest_mean"]})
            first, second = both, both
        else:
            first = d.release(f"{key}:baseline", row["baseline_n"], {"baseline": row["baseline_mean"]})
            second = d.release(f"{key}:latest", row["latest_n"], {"latest": row["latest_mean"]})
        before = _shown(first, "baseline", t, places=places, suffix=unit)
        after = _shown(second, "latest", t, places=places, suffix=unit)
        shown = before.chart is not None and after.chart is not None
        # The change is worked out from the two figures shown, so it tells nothing they do not.
        delta = change(after.value - before.value if shown else None,
                       min(before.n, after.n), threshold=t, places=places,
                       suffix=" points" if readiness else "", as_of=before.as_of or after.as_of)
        section.rows.append([row["domain"], before, after, delta, count(row["latest_n"], threshold=t)])
        labels.append(label_lines(row["domain"]))
        baseline.append(before.chart)
        latest.append(after.chart)
    section.chart = {
        "type": "bar", "labels": labels, "unit": unit, "yMin": 0 if readiness else 1,
        "yMax": 100 if readiness else 7,
        "datasets": [{"label": "Baseline", "data": baseline}, {"label": "Latest", "data": latest}],
    }
    return section


def _readiness_distribution(src: ReportSources, d: Disclosure) -> Section:
    t = d.threshold
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
    released = d.release("readiness-shares", total, {"bands": counts})
    shown = released.values["bands"] if released.values is not None else [None] * len(counts)
    cells = [figure(c, released.n, threshold=t, places=0, as_of=released.as_of) for c in shown]
    section.rows = [[label, cell] for label, cell in zip(labels, cells, strict=True)]
    section.rows.append(["All people", count(total, threshold=t)])
    section.chart = {"type": "bar", "labels": labels, "unit": "", "yMin": 0,
                     "datasets": [{"label": "People", "data": [c.chart for c in cells]}]}
    return section


def last_months(now: datetime, zone: str, n: int = 12) -> list[date]:
    """The first days of the last ``n`` months (this one included), oldest first, in the program's zone."""
    local = local_today(zone, now)
    months, year, month = [], local.year, local.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _attendance(src: ReportSources, d: Disclosure) -> Section:
    t = d.threshold
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
        # meetings is still one mentor). A meeting held makes a new figure (its key counts the
        # meetings); until attendance is recorded there is nothing to keep.
        released = d.release(
            f"attendance:{month:%Y-%m}:{m['meetings']}", m["people"],
            {"attended": m["attended"], "rate": 100 * m["attended"] / m["expected"] if m["expected"] else None},
            keep=m["attended"] > 0,
        )
        rate = _shown(released, "rate", t, places=0, suffix="%")
        label = f"{month:%b %Y}"
        if m["meetings"]:
            section.rows.append([label, f"{m['meetings']:,}", _shown(released, "attended", t, places=0), rate])
        else:
            section.rows.append([label, "0", "—", "no meetings"])
        labels.append(label)
        rates.append(rate.chart if m["meetings"] else None)
    section.chart = {"type": "line", "labels": labels, "unit": "%", "yMin": 0, "yMax": 100,
                     "datasets": [{"label": "Attendance rate", "data": rates}]}
    return section


def _compliance(src: ReportSources, d: Disclosure) -> Section:
    t = d.threshold
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
        released = d.release(f"compliance:{r.get('key', r['requirement'])}", r["on_track"] + r["behind"],
                             {"on_track": r["on_track"], "behind": r["behind"]})
        ok = _shown(released, "on_track", t, places=0)
        late = _shown(released, "behind", t, places=0)
        n = released.n
        share = figure(100 * ok.value / n if released.values and n else None, n, threshold=t, places=0,
                       suffix="%", as_of=released.as_of)
        section.rows.append([r["requirement"], r["target"], ok, late, share])
        labels.append(label_lines(r["requirement"]))
        on_track.append(ok.chart)
        behind.append(late.chart)
    section.chart = {"type": "bar", "stacked": True, "labels": labels, "unit": "", "yMin": 0,
                     "datasets": [{"label": "On track", "data": on_track}, {"label": "Behind", "data": behind}]}
    return section


def _plans(src: ReportSources, d: Disclosure) -> Section:
    t = d.threshold
    section = Section(
        key="plans", title="Accountability plan completion", source="accountability plans",
        intro="Items of the current accountability plans: how many are done and how many are overdue.",
        columns=["Figure", "Value"],
    )
    data = src.plan_completion()
    released = d.release("plans", data["people"],
                         {"items": data["items"], "completed": data["completed"], "overdue": data["overdue"]})
    items = _shown(released, "items", t, places=0)
    completed = _shown(released, "completed", t, places=0)
    overdue_items = _shown(released, "overdue", t, places=0)
    share = (100 * completed.value / items.value) if released.values and items.value else None
    section.rows = [
        ["People with a plan", count(data["people"], threshold=t)],
        ["Plan items", items],
        ["Completed", completed],
        ["Overdue", overdue_items],
        ["Share completed", figure(share, released.n, threshold=t, places=0, suffix="%", as_of=released.as_of)],
    ]
    done = completed.chart
    overdue = overdue_items.chart
    open_items = None if done is None else items.value - completed.value - overdue_items.value
    section.chart = {"type": "doughnut", "labels": ["Completed", "Open", "Overdue"], "unit": "",
                     "datasets": [{"label": "Plan items", "data": [done, open_items, overdue]}]}
    return section


def _training(src: ReportSources, d: Disclosure) -> Section:
    t = d.threshold
    section = Section(
        key="training", title="Training credit hours", source="training completions",
        intro="Credit hours of completed training per academic year, and the mean per person who trained.",
        columns=["Academic year", "People who trained", "Credit hours", "Mean per person"],
        units={"Mean per person": "credit hours"},
        empty="Nobody in the program has recorded completed training yet.",
    )
    data = src.credit_hours_by_year()
    section.rows, labels, totals = [], [], []
    for y in sorted(data, key=lambda y: y["year_start"]):
        label = academic_year_label(y["year_start"].year, y["year_start"].month)
        released = d.release(f"training:{y['year_start']:%Y-%m}", y["people"], {"hours": y["hours"]})
        hours = _shown(released, "hours", t, places=1)
        mean = figure(hours.value / released.n if released.values and released.n else None, released.n,
                      threshold=t, places=1, as_of=released.as_of)
        section.rows.append([label, count(y["people"], threshold=t), hours, mean])
        labels.append(label)
        totals.append(hours.chart)
    section.chart = {"type": "bar", "labels": labels, "unit": " h", "yMin": 0,
                     "datasets": [{"label": "Credit hours", "data": totals}]}
    return section

