"""Where each section of the report gets its data: the selectors of the apps below (DESIGN §10).

Each function returns plain rows for one section, or ``None`` while the app that owns the data
does not yet offer a selector for it; the report then shows the section as not available yet.
Every function runs a fixed number of aggregate queries, whatever the number of mentors.

The shapes the sections expect:

* ``domain_scores(program, kind)``: ``[{"domain", "baseline_mean", "baseline_n", "latest_mean",
  "latest_n"}]`` in domain order (means on the instrument's scale; for the readiness checklist,
  the share of “yes” in percent).
* ``readiness_shares(program)``: the latest readiness share (0–100) of each person, as a list of
  numbers (the report bins them and hides the whole distribution under the threshold).
* ``domain_change(program)``: ``[{"domain", "mean_change", "n"}]`` for people with a baseline
  and a follow-up skills inventory.
* ``attendance_by_month(program, months)``: ``{month_start: {"meetings", "attended", "expected"}}``.
* ``requirement_compliance(program)``: ``[{"requirement", "target", "on_track", "behind"}]``.
* ``plan_completion(program)``: ``{"people", "items", "completed", "overdue"}``.
* ``credit_hours_by_year(program)``: ``[{"year_start": date, "people", "hours"}]``.
"""

from __future__ import annotations

from datetime import date

from assessments import selectors as assessment_selectors
from mentorprogram import selectors as core_selectors
from mentorprogram.models import Program


def membership_counts(program: Program) -> dict[tuple[str, str], int]:
    return core_selectors.membership_counts(program=program)


def domain_scores(program: Program, kind: str) -> list[dict] | None:
    instrument = assessment_selectors.program_instrument(program=program, kind=kind)
    if instrument is None:
        return []
    aggregates = assessment_selectors.program_aggregates(program=program, instrument=instrument)
    scale = 100 if aggregates.measure == "readiness" else 1

    def scaled(value: float | None) -> float | None:
        return None if value is None else value * scale

    return [
        {"domain": d.name, "baseline_mean": scaled(d.baseline_mean), "baseline_n": d.n,
         "latest_mean": scaled(d.latest_mean), "latest_n": d.n}
        for d in aggregates.domains
    ]


def readiness_shares(program: Program) -> list[float] | None:
    instrument = assessment_selectors.program_instrument(program=program, kind="readiness")
    if instrument is None:
        return []
    return assessment_selectors.program_readiness_shares(program=program, instrument=instrument)


def domain_change(program: Program) -> list[dict] | None:
    instrument = assessment_selectors.program_instrument(program=program, kind="skills")
    if instrument is None:
        return []
    aggregates = assessment_selectors.program_aggregates(program=program, instrument=instrument)
    return [{"domain": d.name, "mean_change": d.mean_change, "n": d.n_change} for d in aggregates.domains]


def attendance_by_month(program: Program, months: list[date]) -> dict[date, dict] | None:
    return None


def requirement_compliance(program: Program) -> list[dict] | None:
    return None


def plan_completion(program: Program) -> dict | None:
    return None


def credit_hours_by_year(program: Program) -> list[dict] | None:
    return None
