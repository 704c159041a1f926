"""Where each section of the report gets its data: the selectors of the apps below (DESIGN §10).

:class:`ReportSources` reads one program's figures at one moment. Each source is read at most
once per report (the skills aggregates feed both "skills by domain" and "evidence of impact";
one query finds the program's instruments), and every read is a fixed number of aggregate
queries, whatever the number of mentors.

The shapes the sections expect:

* ``domain_scores(kind)``: ``[{"domain", "key", "baseline_mean", "baseline_n", "latest_mean",
  "latest_n"}]`` in domain order (``key``: the domain's stable key; means on the instrument's
  scale; for the readiness checklist, the share of “yes” in percent).
* ``readiness_shares()``: the latest readiness share (0–100) of each person, as a list of
  numbers (the report bins them and hides the whole distribution under the threshold).
* ``domain_change()``: ``[{"domain", "key", "mean_change", "n"}]`` for people with a baseline and a
  follow-up skills inventory.
* ``paired_change()``: ``[{"domain", "key", "n", "baseline", "follow_up", "mean_change", "trained_n",
  "trained_change", "untrained_n", "untrained_change"}]`` in domain order: for people with a
  baseline and a follow-up skills inventory, their baseline and latest follow-up means and the mean
  of their own changes, and the same change split by whether they completed a course addressing the
  domain (``courses``' domain tags) between the two.
* ``attendance_by_month(months)``: ``{month_start: {"meetings", "attended", "expected",
  "people"}}`` (``people``: how many mentors the month's figures rest on).
* ``requirement_compliance()``: ``[{"requirement", "key", "target", "on_track", "behind"}]``
  (``key``: the requirement and its current period).
* ``plan_completion()``: ``{"people", "items", "completed", "overdue"}``.
* ``credit_hours_by_year()``: ``[{"year_start": date, "people", "hours"}]``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property

from accountability import coordinators as accountability_coordinators
from assessments import selectors as assessment_selectors
from assessments.models import Instrument
from community import selectors as community_selectors
from courses import selectors as course_selectors
from mentorprogram import selectors as core_selectors
from mentorprogram.models import Program
from toolbox.periods import local_today


class ReportSources:
    def __init__(self, program: Program, now: datetime):
        self.program = program
        self.now = now
        self._aggregates: dict[str, assessment_selectors.ProgramAggregates | None] = {}

    @cached_property
    def today(self) -> date:
        """Today in the program's time zone: what counts as overdue or behind."""
        return local_today(self.program.time_zone, self.now)

    def membership_counts(self) -> dict[tuple[str, str], int]:
        return core_selectors.membership_counts(program=self.program)

    # --- self-assessments -----------------------------------------------------------------

    @cached_property
    def instruments(self) -> dict[str, Instrument]:
        """The instrument of each kind the program uses now (one query for all kinds)."""
        versions = assessment_selectors.current_versions(program_ids=[self.program.pk], now=self.now)
        found: dict[str, Instrument] = {}
        for version in versions.get(self.program.pk, []):
            found.setdefault(version.instrument.kind, version.instrument)
        return found

    @cached_property
    def _aggregate_rows(self) -> dict[int, list[dict]]:
        """Every instrument's figures by domain, each with its count of baselines (the privacy
        checks of every section): one query."""
        return assessment_selectors.program_aggregate_rows(program=self.program,
                                                           instruments=list(self.instruments.values()))

    def aggregates(self, kind: str) -> assessment_selectors.ProgramAggregates | None:
        if kind not in self._aggregates:
            instrument = self.instruments.get(kind)
            self._aggregates[kind] = None if instrument is None else assessment_selectors.aggregates_from_rows(
                program=self.program, instrument=instrument, rows=self._aggregate_rows[instrument.pk])
        return self._aggregates[kind]

    def domain_scores(self, kind: str) -> list[dict]:
        aggregates = self.aggregates(kind)
        if aggregates is None:
            return []
        scale = 100 if aggregates.measure == "readiness" else 1

        def scaled(value: float | None) -> float | None:
            return None if value is None else value * scale

        return [
            {"domain": d.name, "key": d.key, "baseline_mean": scaled(d.baseline_mean), "baseline_n": d.n,
             "latest_mean": scaled(d.latest_mean), "latest_n": d.n}
            for d in aggregates.domains
        ]

    def readiness_shares(self) -> list[float]:
        instrument = self.instruments.get(Instrument.Kind.READINESS)
        if instrument is None:
            return []
        return assessment_selectors.program_readiness_shares(program=self.program, instrument=instrument,
                                                             n=self.aggregates(Instrument.Kind.READINESS).n)

    def domain_change(self) -> list[dict]:
        aggregates = self.aggregates(Instrument.Kind.SKILLS)
        if aggregates is None:
            return []
        return [{"domain": d.name, "key": d.key, "mean_change": d.mean_change, "n": d.n_change}
                for d in aggregates.domains]

    @cached_property
    def paired_change(self) -> list[dict]:
        """One aggregate query (none without a skills inventory), read once for both sections that use it."""
        instrument = self.instruments.get(Instrument.Kind.SKILLS)
        if instrument is None:
            return []
        rows = assessment_selectors.paired_changes(program=self.program, instrument=instrument,
                                                   trained=course_selectors.completed_in_domain_between)
        by_key: dict[str, dict] = {}
        for row in rows:
            entry = by_key.setdefault(row.key, {"domain": row.name, "key": row.key, "groups": {}})
            entry["groups"][row.trained] = row
        result = []
        for entry in by_key.values():
            trained, untrained = entry["groups"].get(True), entry["groups"].get(False)
            groups = [g for g in (trained, untrained) if g is not None]
            n = sum(g.n for g in groups)
            follow_up = sum(g.n * g.follow_up_mean for g in groups) / n
            change = sum(g.n * g.mean_change for g in groups) / n
            result.append({
                "domain": entry["domain"], "key": entry["key"], "n": n, "baseline": follow_up - change,
                "follow_up": follow_up, "mean_change": change,
                "trained_n": trained.n if trained else 0, "trained_change": trained.mean_change if trained else None,
                "untrained_n": untrained.n if untrained else 0,
                "untrained_change": untrained.mean_change if untrained else None,
            })
        return result

    # --- the Mentor Community, accountability plans, training ---------------------------------

    def attendance_by_month(self, months: list[date]) -> dict[date, dict]:
        return community_selectors.attendance_by_month(program=self.program, months=months)

    def requirement_compliance(self) -> list[dict]:
        return accountability_coordinators.requirement_compliance_summary(program=self.program, today=self.today)

    def plan_completion(self) -> dict:
        return accountability_coordinators.plan_completion_summary(program=self.program, today=self.today)

    def credit_hours_by_year(self) -> list[dict]:
        return course_selectors.credit_hours_by_academic_year(program=self.program)
