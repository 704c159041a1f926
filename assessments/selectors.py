"""Reads for assessments. Other apps (dashboard, accountability, reporting) use these.

Every selector runs a fixed number of queries whatever the number of items, responses or
people: structures, answers and aggregates are loaded in bulk, never per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from mentorprogram import audit
from mentorprogram import permissions as core_permissions
from mentorprogram import selectors as core_selectors
from mentorprogram.models import Program, User
from toolbox import compiled

from . import permissions, scoring
from .models import Answer, Domain, DomainScore, Instrument, InstrumentVersion, Item, Response

REPLACEABLE_KINDS = (Instrument.Kind.READINESS, Instrument.Kind.SKILLS)


# --- Instruments ---------------------------------------------------------------------------


def current_versions(*, program_ids: Iterable[int], now: datetime | None = None) -> dict[int, list[InstrumentVersion]]:
    """The instrument versions each program uses now: the latest published version of every
    active instrument, shared or the program's own. A program's own readiness checklist or
    skills inventory replaces the shared default of that kind. Mentees' feedback on their mentor
    is not among them: nobody takes it as a self-assessment, and it shares the skills inventory's
    domain keys. One query."""
    now = now or timezone.now()
    program_ids = set(program_ids)
    if not program_ids:
        return {}
    # The fewest clauses that pick the rows: the query's cost is Django building it, not PostgreSQL
    # answering it (a few rows), so the latest version and the order are worked out here.
    versions = InstrumentVersion.objects.filter(
        Q(instrument__program__isnull=True) | Q(instrument__program_id__in=program_ids),
        published_at__lte=now, instrument__is_active=True,
    ).select_related("instrument")
    latest: dict[int, InstrumentVersion] = {}
    for version in versions:
        if version.instrument.kind == Instrument.Kind.MENTEE_FEEDBACK:
            continue
        kept = latest.get(version.instrument_id)
        if kept is None or version.number > kept.number:
            latest[version.instrument_id] = version
    result: dict[int, list[InstrumentVersion]] = {}
    for pid in program_ids:
        own = [v for v in latest.values() if v.instrument.program_id == pid]
        replaced = {v.instrument.kind for v in own if v.instrument.kind in REPLACEABLE_KINDS}
        shared = [v for v in latest.values() if v.instrument.program_id is None and v.instrument.kind not in replaced]
        result[pid] = sorted(shared + own, key=lambda v: (v.instrument.kind, v.instrument.name, v.instrument_id))
    return result


def current_version_for(*, program: Program, instrument_id: int, now: datetime | None = None) -> InstrumentVersion:
    """The version of this instrument the program uses now, or 404."""
    for version in current_versions(program_ids=[program.pk], now=now).get(program.pk, []):
        if version.instrument_id == instrument_id:
            return version
    raise Http404("This program does not use that assessment.")


# --- Structures and answers ------------------------------------------------------------------


@dataclass
class Structure:
    """A version's domains (with their items prefetched, in order) and the same as scoring specs."""

    domains: list[Domain]
    specs: list[scoring.DomainSpec]

    @property
    def items(self) -> list[Item]:
        return [item for d in self.domains for item in d.items.all()]


def structures(version_ids: Iterable[int]) -> dict[int, Structure]:
    """Domains and items of the given versions. Two queries."""
    version_ids = set(version_ids)
    if not version_ids:
        return {}
    domains = (
        Domain.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "order", "pk")
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order", "pk")))
    )
    grouped: dict[int, list[Domain]] = defaultdict(list)
    for d in domains:
        grouped[d.version_id].append(d)
    return {
        vid: Structure(domains=grouped[vid], specs=[domain_spec(d) for d in grouped[vid]]) for vid in version_ids
    }


def domain_spec(domain: Domain) -> scoring.DomainSpec:
    return scoring.DomainSpec(
        key=domain.key, name=domain.name,
        items=tuple(scoring.ItemSpec(i.pk, i.prompt, i.response_type, i.required) for i in domain.items.all()),
    )


def answer_value(answer: Answer) -> scoring.AnswerValue:
    return scoring.AnswerValue(answer.choice, answer.rating, answer.not_applicable, answer.willingness, answer.text)


def answers_by_response(response_ids: Iterable[int]) -> dict[int, dict[int, scoring.AnswerValue]]:
    """Answers of the given responses, as scoring values keyed by item id. One query."""
    response_ids = set(response_ids)
    result: dict[int, dict[int, scoring.AnswerValue]] = {rid: {} for rid in response_ids}
    if response_ids:
        for a in Answer.objects.filter(response_id__in=response_ids):
            result[a.response_id][a.item_id] = answer_value(a)
    return result


@dataclass
class ScoredResponse:
    response: Response
    score: scoring.ResponseScore
    structure: Structure
    answers: dict[int, scoring.AnswerValue]

    @property
    def gaps_by_key(self) -> dict[str, scoring.DomainResult]:
        return self.score.gaps_by_key

    @property
    def headline(self) -> float | None:
        """Overall mean rating, or for a checklist the share of "yes"."""
        measure = scoring.primary_measure(self.score)
        return self.score.overall if measure == "score" else self.score.readiness

    @property
    def measure(self) -> str:
        return scoring.primary_measure(self.score)


def score_responses(responses: Sequence[Response]) -> dict[int, ScoredResponse]:
    """Score responses in bulk (program must be loaded for its gap threshold). Three queries."""
    if not responses:
        return {}
    structs = structures(r.version_id for r in responses)
    answers = answers_by_response(r.pk for r in responses)
    return {
        r.pk: ScoredResponse(
            response=r,
            score=scoring.score_response(structs[r.version_id].specs, answers[r.pk], threshold=r.program.gap_threshold),
            structure=structs[r.version_id],
            answers=answers[r.pk],
        )
        for r in responses
    }


# --- One person's assessments ------------------------------------------------------------------


@dataclass
class InstrumentStatus:
    """Where a person stands with one instrument in one program."""

    program: Program
    instrument: Instrument
    version: InstrumentVersion
    draft: Response | None = None
    answered: int = 0
    total: int = 0
    baseline: ScoredResponse | None = None
    latest: ScoredResponse | None = None
    submitted_count: int = 0
    _baseline: Response | None = field(default=None, repr=False)
    _latest: Response | None = field(default=None, repr=False)

    @property
    def state(self) -> str:
        if self.draft is not None:
            return "draft"
        return "submitted" if self.latest is not None else "not_started"

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def comparison(self) -> scoring.Comparison | None:
        if self.baseline is None or self.latest is None or self.baseline.response.pk == self.latest.response.pk:
            return None
        return scoring.compare(self.baseline.score, self.latest.score)

    @property
    def overall_change(self) -> float | None:
        comparison = self.comparison
        return comparison.overall.change if comparison else None

    @property
    def gaps_by_key(self) -> dict[str, scoring.DomainResult]:
        """Gaps of the latest submitted response, by domain key."""
        return self.latest.gaps_by_key if self.latest else {}


def instrument_statuses(
    *, user: User, programs: Iterable[Program], now: datetime | None = None, figures: bool = False,
) -> list[InstrumentStatus]:
    """For each program given and each instrument it uses: the person's draft with its progress,
    their baseline and their latest submitted response, scored (with ``figures``, only their
    headline figures: :class:`TakerStatus`). The caller decides whose statuses may be read; this
    reads ``user``'s own. Two queries with ``figures`` (the versions, then the person's responses
    with their figures and progress), five without (their answers scored)."""
    programs = {p.pk: p for p in programs}
    versions = current_versions(program_ids=programs, now=now)
    instrument_ids = {v.instrument_id for vs in versions.values() for v in vs}
    if not instrument_ids:
        return []
    if figures:
        responses = list(_taken(program_ids=programs, instrument_ids=instrument_ids).raw(user.pk))
    else:
        responses = list(
            Response.objects.filter(user=user, program_id__in=programs, instrument_id__in=instrument_ids)
            .select_related("version")
            .order_by("submitted_at", "pk")
        )
    by_key: dict[tuple[int, int], list[Response]] = defaultdict(list)
    for r in responses:
        r.program = programs[r.program_id]
        by_key[(r.program_id, r.instrument_id)].append(r)

    statuses: list[InstrumentStatus] = []
    wanted: list[Response] = []
    for pid, program_versions in versions.items():
        for version in program_versions:
            own = by_key.get((pid, version.instrument_id), [])
            submitted = [r for r in own if r.status == Response.Status.SUBMITTED]
            status = (TakerStatus if figures else InstrumentStatus)(
                program=programs[pid], instrument=version.instrument, version=version, submitted_count=len(submitted))
            status.draft = next((r for r in own if r.status == Response.Status.DRAFT), None)
            status._baseline = next((r for r in submitted if r.occasion == Response.Occasion.BASELINE), None)
            status._latest = submitted[-1] if submitted else None
            wanted += [r for r in (status.draft, status._baseline, status._latest) if r is not None]
            statuses.append(status)

    if figures:
        scored = {r.pk: _figures(r) for r in wanted if r.status == Response.Status.SUBMITTED}
    else:
        scored = score_responses(list({r.pk: r for r in wanted}.values()))
    for status in statuses:
        if status.draft is not None and figures:
            status.answered, status.total = status.draft.answered, status.draft.items
        elif status.draft is not None:
            status.answered, status.total = scoring.progress(
                scored[status.draft.pk].structure.specs, scored[status.draft.pk].answers)
        status.baseline = scored.get(status._baseline.pk) if status._baseline else None
        status.latest = scored.get(status._latest.pk) if status._latest else None
    statuses.sort(key=lambda s: (s.program.name, s.instrument.kind, s.instrument.name))
    return statuses


# An answer complete enough to count in a draft's progress: scoring.is_answered, in the database.
ANSWERED = (
    Q(item__response_type=scoring.CHECKLIST) & ~Q(choice="")
    | Q(item__response_type=scoring.RATING) & (Q(rating__isnull=False) | Q(not_applicable=True))
    | Q(item__response_type=scoring.ABILITY_WILLINGNESS)
    & (Q(not_applicable=True) | Q(rating__isnull=False) & ~Q(willingness=""))
    | Q(item__response_type=scoring.TEXT) & Q(text__regex=r"\S")
)


def _count(rows) -> Coalesce:
    """The number of ``rows`` (a correlated queryset), as a subquery."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class Figures:
    """A submitted response's headline figures, read from its ``DomainScore`` rows (counted once,
    when it was submitted) instead of scoring its answers again: what a status shows."""

    response: Response
    overall: float | None
    """The mean of the domains' mean ratings."""
    readiness: float | None
    """The share of "yes" over every checklist answer."""
    gap_count: int
    """Domains under the program's threshold, or with a checklist answer other than "yes"."""
    scale_max: int | None

    @property
    def measure(self) -> str:
        """As :func:`scoring.primary_measure`: a mean rating, or failing that a share of "yes"."""
        return "score" if self.overall is not None or self.readiness is None else "readiness"

    @property
    def headline(self) -> float | None:
        return self.overall if self.measure == "score" else self.readiness


def _taken(*, program_ids: Iterable[int], instrument_ids: Iterable[int]) -> compiled.Compiled:
    """A person's responses to these instruments in these programs, oldest submitted first, each
    with its figures read from its domain scores (submitted) and its progress (draft) counted in
    the database: one query, compiled once per programs and instruments (toolbox.compiled)."""
    program_ids, instrument_ids = sorted(set(program_ids)), sorted(set(instrument_ids))

    def build(person_id: int) -> QuerySet[Response]:
        scores = DomainScore.objects.filter(response=OuterRef("pk")).order_by().values("response")

        def total(rows, aggregate) -> Subquery:
            return Subquery(rows.annotate(v=aggregate).values("v"))

        gaps = scores.filter(Q(score__lt=OuterRef("program__gap_threshold")) | Q(checked__gt=F("yes")))
        return (
            Response.objects.filter(user_id=person_id, program_id__in=program_ids, instrument_id__in=instrument_ids)
            .annotate(overall=total(scores.filter(score__isnull=False), Avg("score")),
                      yes_count=total(scores, Sum("yes")), checked_count=total(scores, Sum("checked")),
                      gap_count=total(gaps, Count("pk")),
                      scale_max=total(scores, Max("domain__items__scale_max")),
                      answered=_count(Answer.objects.filter(ANSWERED, response=OuterRef("pk"))),
                      items=_count(Item.objects.filter(domain__version=OuterRef("version_id"))))
            .order_by("submitted_at", "pk")
        )

    return compiled.compiled(("assessments.taken", tuple(program_ids), tuple(instrument_ids)), build)


def _figures(response: Response) -> Figures:
    """The headline figures of a submitted response read by :func:`_taken`."""
    checked = response.checked_count or 0
    return Figures(response=response, overall=response.overall,
                   readiness=(response.yes_count or 0) / checked if checked else None,
                   gap_count=response.gap_count or 0, scale_max=response.scale_max)


@dataclass
class TakerStatus(InstrumentStatus):
    """A status for the person's own pages (the list, the dashboard card): the submitted responses
    as :class:`Figures`; only a draft's answers are read, for its progress."""

    baseline: Figures | None = None
    latest: Figures | None = None

    @property
    def comparison(self) -> None:
        return None

    @property
    def overall_change(self) -> float | None:
        if self.baseline is None or self.latest is None or self.baseline.response.pk == self.latest.response.pk:
            return None
        measure = self.latest.measure
        before = self.baseline.overall if measure == "score" else self.baseline.readiness
        after = self.latest.headline
        return None if before is None or after is None else after - before

    @property
    def gaps_by_key(self) -> dict:
        return {}


def statuses_for_taker(*, user: User, memberships=None, now: datetime | None = None) -> list[TakerStatus]:
    """Statuses in every program where ``user`` takes assessments (mentor or faculty), their
    submitted responses' figures read from the domain scores: two queries (the versions, the
    responses with their figures and their drafts' progress), and one for the memberships with
    their programs when the caller has not read them."""
    if memberships is None:
        memberships = list(core_selectors.memberships_for_user(user=user))
        core_permissions.remember_live_memberships(user, memberships)  # the navigation's checks
    ids = permissions.taking_program_ids_from(memberships)
    programs = {m.program for m in memberships if m.program_id in ids}
    return instrument_statuses(user=user, programs=programs, now=now, figures=True)


def assessment_results(*, user: User, program: Program, now: datetime | None = None) -> list[InstrumentStatus]:
    """For accountability plans: each instrument of ``program`` with ``user``'s baseline and latest
    submitted responses, scored (``status.baseline.gaps_by_key`` / ``status.gaps_by_key`` give
    the gaps by domain key). The caller checks that the viewer may read this person's results."""
    return instrument_statuses(user=user, programs=[program], now=now)


def baseline_gaps(*, user: User, program: Program, now: datetime | None = None) -> dict[str, scoring.DomainResult]:
    """The gaps of ``user``'s baseline responses in ``program``, by domain key, over every
    instrument (domain keys are unique across the default instruments). Empty without a
    baseline. Plans are proposed from these."""
    gaps: dict[str, scoring.DomainResult] = {}
    for status in assessment_results(user=user, program=program, now=now):
        if status.baseline is not None:
            gaps.update(status.baseline.gaps_by_key)
    return gaps


def latest_gaps(*, user: User, program: Program, now: datetime | None = None) -> dict[str, scoring.DomainResult]:
    """Like :func:`baseline_gaps` for the latest submitted response of each instrument."""
    gaps: dict[str, scoring.DomainResult] = {}
    for status in assessment_results(user=user, program=program, now=now):
        gaps.update(status.gaps_by_key)
    return gaps


def submitted_history(*, user: User) -> list[ScoredResponse]:
    """Every response ``user`` has submitted, newest first, scored. Four queries."""
    responses = list(
        Response.objects.filter(user=user, status=Response.Status.SUBMITTED)
        .select_related("program", "instrument", "version")
        .order_by("-submitted_at")
    )
    scored = score_responses(responses)
    return [scored[r.pk] for r in responses]


# --- One response ------------------------------------------------------------------------------


def _response_queryset():
    return Response.objects.select_related("program", "instrument", "version__instrument", "user")


def get_draft_for_user(*, user: User, pk: int) -> Response:
    """The author's own draft; a 404 for anyone else (coordinators included: drafts are private).
    A submitted response raises :class:`AlreadySubmitted` for its author."""
    response = _response_queryset().filter(pk=pk).first()
    if response is None or response.user_id != user.pk:
        raise Http404("No such assessment.")
    if response.status != Response.Status.DRAFT:
        raise AlreadySubmitted(response)
    return response


class AlreadySubmitted(Exception):
    def __init__(self, response: Response):
        super().__init__("This response is already submitted.")
        self.response = response


def get_response_for_user(*, user: User, pk: int) -> Response:
    """A submitted response, for its author and its program's coordinators; a 404 for anyone else.
    A coordinator's (or superuser's) look is recorded in the author's audit trail."""
    response = _response_queryset().filter(pk=pk, status=Response.Status.SUBMITTED).first()
    if response is None or not permissions.can_view_response(user, response):
        raise Http404("No such assessment.")
    audit.record_access(viewer=user, obj=response, person_id=response.user_id, what="assessment results")
    return response


@dataclass
class Results:
    """Everything the results page shows for one submitted response."""

    current: ScoredResponse
    history: list[ScoredResponse]
    baseline: ScoredResponse | None
    latest: ScoredResponse
    comparison: scoring.Comparison | None = None
    compared: tuple[ScoredResponse, ScoredResponse] | None = None
    review: list = field(default_factory=list)


def response_results(*, response: Response) -> Results:
    """The response scored, its author's history with this instrument in this program, and the
    comparison shown: the baseline against this response, or — on the baseline itself — the
    baseline against the latest. Four queries."""
    history_rows = list(
        Response.objects.filter(user_id=response.user_id, program_id=response.program_id,
                                instrument_id=response.instrument_id, status=Response.Status.SUBMITTED)
        .select_related("version")
        .order_by("submitted_at", "pk")
    )
    for r in history_rows:
        r.program, r.instrument, r.user = response.program, response.instrument, response.user
    scored = score_responses(history_rows)
    history = [scored[r.pk] for r in history_rows]
    current = scored[response.pk]
    baseline = next((s for s in history if s.response.occasion == Response.Occasion.BASELINE), None)
    latest = history[-1]
    results = Results(current=current, history=history, baseline=baseline, latest=latest)
    if baseline is not None and baseline is not current:
        results.compared = (baseline, current)
    elif baseline is current and latest is not current:
        results.compared = (current, latest)
    if results.compared:
        results.comparison = scoring.compare(results.compared[0].score, results.compared[1].score)
    results.review = [
        (domain, [(item, current.answers.get(item.pk)) for item in domain.items.all()])
        for domain in current.structure.domains
    ]
    return results


# --- Program aggregates (reporting) ------------------------------------------------------------


@dataclass(frozen=True)
class DomainAggregate:
    key: str
    name: str
    n: int
    """People with a scored answer in this domain at their baseline."""
    baseline_mean: float | None
    latest_mean: float | None
    hidden: bool
    n_change: int = 0
    """People with a scored answer in this domain at both their baseline and a follow-up."""
    mean_change: float | None = None
    """Mean of those people's own changes (latest follow-up minus baseline); hidden below the threshold."""

    @property
    def change(self) -> float | None:
        """Latest mean minus baseline mean, over everyone (people without a follow-up add 0)."""
        if self.baseline_mean is None or self.latest_mean is None:
            return None
        return self.latest_mean - self.baseline_mean


@dataclass(frozen=True)
class ProgramAggregates:
    instrument: Instrument
    n: int
    """People with a submitted response (each has exactly one baseline)."""
    threshold: int
    hidden: bool
    """True when fewer people responded than the program's privacy threshold: no figures at all
    (the domains are still listed, by name, without means)."""
    measure: str = "score"
    """"score" (mean rating, 1–7 by default) or "readiness" (share of "yes", 0–1)."""
    domains: tuple[DomainAggregate, ...] = ()


def program_aggregates(*, program: Program, instrument: Instrument) -> ProgramAggregates:
    """By domain: the mean of people's baseline domain scores, the mean of
    their latest ones, the number of people, and for people with a follow-up the mean of their
    own changes. Each person counts once per domain (the mean of their own answers first, so a
    person answering more items does not weigh more).

    Privacy: with fewer people with a baseline (``n``) than ``program.privacy_threshold`` the
    result is ``hidden`` and carries no figures; a domain (or a change) that fewer people answered
    is hidden on its own. The caller checks that the viewer coordinates ``program``. One query
    (:func:`program_aggregate_rows`), and one more when hidden (the domains' names)."""
    return aggregates_from_rows(program=program, instrument=instrument,
                                rows=program_aggregate_rows(program=program, instruments=[instrument])[instrument.pk])


def program_aggregate_rows(*, program: Program, instruments: Sequence[Instrument]) -> dict[int, list[dict]]:
    """For :func:`aggregates_from_rows`, per instrument (by id): one row per domain of the
    figures of the responses' ``DomainScore`` rows, aggregated in the database, each with the
    instrument's count of people with a baseline. One query for every instrument, compiled once
    per program and instruments (``toolbox.compiled.statement``: what is kept is the SQL)."""
    if not instruments:
        return {}
    key = ("assessments.program_aggregate_rows", program.pk, tuple(sorted(i.pk for i in instruments)))
    rows_of: dict[int, list[dict]] = defaultdict(list)
    for row in compiled.statement(key, lambda: _aggregate_rows_query(program, instruments)).rows():
        row["baselines"] = row[f"baselines_{row['response__instrument_id']}"]
        rows_of[row["response__instrument_id"]].append(row)
    return {instrument.pk: rows_of[instrument.pk] for instrument in instruments}


def _aggregate_rows_query(program: Program, instruments: Sequence[Instrument]) -> QuerySet[DomainScore]:
    submitted = Response.objects.filter(program=program, instrument__in=instruments, status=Response.Status.SUBMITTED)

    # Per domain, over each person's baseline and latest response (often one and the same): the
    # means of their figures, how many people have one, and the mean of the follow-ups' changes.
    baseline = Q(response__occasion=Response.Occasion.BASELINE)
    latest = Q(response__in=submitted.filter(~Exists(_later(submitted))))
    totals = {}
    for figure in ("score", "readiness"):
        totals |= {
            f"{figure}_baseline": Avg(figure, filter=baseline), f"{figure}_n": Count(figure, filter=baseline),
            f"{figure}_latest": Avg(figure, filter=latest),
            f"{figure}_mean_change": Avg(f"{figure}_change", filter=latest),
            f"{figure}_n_change": Count(f"{figure}_change", filter=latest),
        }
    # One uncorrelated count per instrument: the database counts each once, where a subquery
    # correlated to the rows' instrument was a GROUP BY key counted again for every DomainScore row.
    baselines = {f"baselines_{instrument.pk}": _count(Response.objects.filter(
        program=program, instrument=instrument, status=Response.Status.SUBMITTED,
        occasion=Response.Occasion.BASELINE)) for instrument in instruments}
    counted = submitted.filter(Q(occasion=Response.Occasion.BASELINE) | ~Exists(_later(submitted)))
    return (DomainScore.objects.filter(response__in=counted).values("response__instrument_id", "domain__key")
            .order_by().annotate(order=Min("domain__order"), name=Max("domain__name"), **totals)
            .annotate(**baselines))


def aggregates_from_rows(*, program: Program, instrument: Instrument, rows: list[dict]) -> ProgramAggregates:
    """:func:`program_aggregates` from the instrument's :func:`program_aggregate_rows`: no query
    unless hidden. Without rows nobody has a figure, so ``n`` is 0."""
    threshold = program.privacy_threshold
    n = rows[0]["baselines"] if rows else 0
    measure = "readiness" if instrument.kind == Instrument.Kind.READINESS else "score"
    if n < threshold:
        return ProgramAggregates(instrument=instrument, n=n, threshold=threshold, hidden=True, measure=measure,
                                 domains=tuple(_hidden_domains(instrument, n)))
    if instrument.kind == Instrument.Kind.OTHER:
        measure = "score" if any(row["score_n"] for row in rows) else "readiness"

    domains = []
    for row in sorted(rows, key=lambda r: (r["order"], r["domain__key"])):
        people = row[f"{measure}_n"]
        hidden = people < threshold
        n_change = row[f"{measure}_n_change"]
        domains.append(DomainAggregate(
            key=row["domain__key"], name=row["name"], n=people, hidden=hidden,
            baseline_mean=None if hidden else row[f"{measure}_baseline"],
            latest_mean=None if hidden else row[f"{measure}_latest"],
            n_change=n_change, mean_change=None if n_change < threshold else row[f"{measure}_mean_change"],
        ))
    return ProgramAggregates(instrument=instrument, n=n, threshold=threshold, hidden=False, measure=measure,
                             domains=tuple(domains))


def program_readiness_shares(*, program: Program, instrument: Instrument, n: int | None = None) -> list[float]:
    """Each person's latest share of "yes" on a checklist, in percent, in no particular order.
    Empty when fewer people than the program's privacy threshold have one. Two queries (one when
    ``n``, the count of baselines that :func:`programs_aggregates` gives, is given)."""
    submitted = Response.objects.filter(program=program, instrument=instrument, status=Response.Status.SUBMITTED)
    if n is None:
        n = submitted.filter(occasion=Response.Occasion.BASELINE).count()
    if n < program.privacy_threshold:
        return []

    def build() -> QuerySet[DomainScore]:
        return (DomainScore.objects.filter(response__in=submitted.filter(~Exists(_later(submitted))), checked__gt=0)
                .values("response_id").order_by().annotate(share=Sum("yes") * 100.0 / Sum("checked"))
                .values("share"))

    statement = compiled.statement(("assessments.readiness_shares", program.pk, instrument.pk), build)
    return [row["share"] for row in statement.rows()]


@dataclass(frozen=True)
class PairedChange:
    """People whose latest follow-up has a score in a domain their baseline has one in too."""

    key: str
    name: str
    order: int
    n: int
    follow_up_mean: float | None
    mean_change: float | None
    trained: bool = False

    @property
    def baseline_mean(self) -> float | None:
        """Over the same people: the mean of their baselines is the follow-up mean less the mean change."""
        if self.follow_up_mean is None or self.mean_change is None:
            return None
        return self.follow_up_mean - self.mean_change


def paired_changes(*, program: Program, instrument: Instrument, trained=None) -> list[PairedChange]:
    """Per domain key, over the people with a baseline and a follow-up of ``instrument`` whose
    latest follow-up and baseline both score the domain: how many, their follow-up mean and the
    mean of their own changes (``DomainScore.score_change``). With ``trained``, a function
    ``(user, domain_key, start, end) -> boolean expression`` of outer references (the person, the
    domain's key, the baseline's and the follow-up's submission dates), each domain comes in two
    rows, one per answer of it. One aggregate query, whatever the number of people; the caller
    applies the privacy rule and checks that the viewer coordinates ``program``. Compiled once per
    program, instrument and ``trained`` (``toolbox.compiled.statement``), which is named in the key
    and so must build the same expression on every call."""
    key = ("assessments.paired_changes", program.pk, instrument.pk,
           None if trained is None else f"{trained.__module__}.{trained.__qualname__}")
    rows = compiled.statement(key, lambda: _paired_changes_query(program, instrument, trained)).rows()
    return sorted((PairedChange(key=r["domain__key"], name=r["name"], order=r["order"], n=r["n"],
                                follow_up_mean=r["follow_up"], mean_change=r["change"], trained=bool(r["trained"]))
                   for r in rows), key=lambda c: (c.order, c.key, c.trained))


def _paired_changes_query(program: Program, instrument: Instrument, trained) -> QuerySet[DomainScore]:
    submitted = Response.objects.filter(program=program, instrument=instrument, status=Response.Status.SUBMITTED)
    latest = submitted.filter(occasion=Response.Occasion.FOLLOW_UP).filter(~Exists(_later(submitted)))
    rows = DomainScore.objects.filter(response__in=latest, score_change__isnull=False)
    if trained is None:
        rows = rows.annotate(trained=Value(False, output_field=BooleanField()))
    else:
        baseline_at = Subquery(Response.objects.filter(
            user=OuterRef("response__user"), program=program, instrument=instrument,
            occasion=Response.Occasion.BASELINE).values("submitted_at")[:1])
        rows = rows.annotate(baseline_on=TruncDate(baseline_at, output_field=DateField()),
                             follow_up_on=TruncDate("response__submitted_at")).annotate(trained=trained(
            user=OuterRef("response__user"), domain_key=OuterRef("domain__key"), start=OuterRef("baseline_on"),
            end=OuterRef("follow_up_on")))
    return (rows.values("domain__key", "trained").order_by()
            .annotate(order=Min("domain__order"), name=Max("domain__name"), n=Count("pk"),
                      follow_up=Avg("score"), change=Avg("score_change")))


def _later(submitted):
    return submitted.model.objects.filter(
        user=OuterRef("user"), program=OuterRef("program"), instrument=OuterRef("instrument"),
        status=Response.Status.SUBMITTED, submitted_at__gt=OuterRef("submitted_at"),
    )


def _hidden_domains(instrument: Instrument, n: int) -> list[DomainAggregate]:
    latest = instrument.versions.filter(published_at__isnull=False).order_by("-number").first()
    if latest is None:
        return []
    return [DomainAggregate(key=d.key, name=d.name, n=n, baseline_mean=None, latest_mean=None, hidden=True)
            for d in Domain.objects.filter(version=latest).order_by("order", "pk")]


# --- For coordinators ------------------------------------------------------------------------


def submitted_list(*, person: User, program: Program) -> list[Response]:
    """The person's submitted responses in the program — instrument, occasion and date, for a
    coordinator's summary; no answers and no scores. One query."""
    return list(
        Response.objects.filter(user=person, program=program, status=Response.Status.SUBMITTED)
        .select_related("instrument").order_by("-submitted_at", "-pk")
    )
