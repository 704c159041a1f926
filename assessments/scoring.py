"""Scoring of one response, as pure functions over plain data (no database).

The rules (DESIGN §3):

* A domain's **score** is the mean of the numeric answers in it: rating items and the ability
  half of ability-and-willingness items. "Not applicable" answers are left out; a domain with
  no numeric answer has no score (``None``), rather than a score of zero.
* The **overall** score is the mean of the domain scores that exist, each domain weighing the
  same whatever its number of items.
* **Readiness** is the share of checklist answers that are "yes" — per domain and overall.
  "Unsure" counts as not yet ready.
* **Willingness** is reported on its own, per domain, as counts and the share "willing". It is
  never averaged into ability: a mentor who rates an ability 2 and is willing to work on it has
  a gap *and* a good prospect, and mixing the two would hide both.
* A **gap** is a domain whose score is below the program's threshold (default 4 of 7), or a
  domain with a checklist item answered "not yet" or "unsure" (those items are listed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

CHECKLIST = "checklist"
RATING = "rating"
ABILITY_WILLINGNESS = "ability_willingness"
TEXT = "text"
SCORED_TYPES = (RATING, ABILITY_WILLINGNESS)

YES, NOT_YET, UNSURE = "yes", "not_yet", "unsure"
WILLING, NOT_SURE, NOT_WILLING = "willing", "not_sure", "not_willing"


@dataclass(frozen=True)
class ItemSpec:
    id: int
    prompt: str
    response_type: str
    required: bool = True


@dataclass(frozen=True)
class DomainSpec:
    key: str
    name: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class AnswerValue:
    choice: str = ""
    rating: int | None = None
    not_applicable: bool = False
    willingness: str = ""
    text: str = ""


@dataclass(frozen=True)
class Willingness:
    willing: int = 0
    not_sure: int = 0
    not_willing: int = 0

    @property
    def answered(self) -> int:
        return self.willing + self.not_sure + self.not_willing

    @property
    def willing_share(self) -> float | None:
        return self.willing / self.answered if self.answered else None


@dataclass(frozen=True)
class DomainResult:
    key: str
    name: str
    score: float | None
    """Mean of the numeric answers; None when there is none."""
    readiness: float | None
    """Share of checklist answers that are "yes"; None when the domain has no checklist answer."""
    willingness: Willingness
    gap: bool
    gap_items: tuple[tuple[str, str], ...] = ()
    """(prompt, answer) of each checklist item answered "not yet" or "unsure"."""


@dataclass(frozen=True)
class ResponseScore:
    domains: tuple[DomainResult, ...]
    overall: float | None
    readiness: float | None
    threshold: float

    @property
    def gaps(self) -> tuple[DomainResult, ...]:
        return tuple(d for d in self.domains if d.gap)

    @property
    def gaps_by_key(self) -> dict[str, DomainResult]:
        return {d.key: d for d in self.domains if d.gap}

    def domain(self, key: str) -> DomainResult | None:
        return next((d for d in self.domains if d.key == key), None)


@dataclass(frozen=True)
class DomainChange:
    key: str
    name: str
    baseline: float | None
    latest: float | None

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


@dataclass(frozen=True)
class Comparison:
    domains: tuple[DomainChange, ...]
    overall: DomainChange
    measure: str = field(default="score")
    """"score" (mean rating) or "readiness" (share of "yes")."""


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def numeric_value(item: ItemSpec, answer: AnswerValue | None) -> int | None:
    """The number an answer contributes to its domain score, or None (not applicable, unanswered)."""
    if answer is None or item.response_type not in SCORED_TYPES or answer.not_applicable:
        return None
    return answer.rating


def domain_score(values: Iterable[int | None]) -> float | None:
    return mean(v for v in values if v is not None)


def overall_score(domain_scores: Iterable[float | None]) -> float | None:
    return mean(s for s in domain_scores if s is not None)


def readiness_share(choices: Iterable[str]) -> float | None:
    """Share of "yes" among the given checklist answers (blank ones are not counted)."""
    answered = [c for c in choices if c]
    return sum(c == YES for c in answered) / len(answered) if answered else None


def willingness_counts(values: Iterable[str]) -> Willingness:
    values = list(values)
    return Willingness(values.count(WILLING), values.count(NOT_SURE), values.count(NOT_WILLING))


def is_answered(item: ItemSpec, answer: AnswerValue | None) -> bool:
    """Complete enough to count in the progress bar and to satisfy a required item."""
    if answer is None:
        return False
    if item.response_type == CHECKLIST:
        return bool(answer.choice)
    if item.response_type == RATING:
        return answer.rating is not None or answer.not_applicable
    if item.response_type == ABILITY_WILLINGNESS:
        if answer.not_applicable:
            return True
        return answer.rating is not None and bool(answer.willingness)
    return bool(answer.text.strip())


def score_domain(domain: DomainSpec, answers: Mapping[int, AnswerValue], threshold: float) -> DomainResult:
    score = domain_score(numeric_value(item, answers.get(item.id)) for item in domain.items)
    checklist = [(item, answers.get(item.id)) for item in domain.items if item.response_type == CHECKLIST]
    readiness = readiness_share(a.choice for _, a in checklist if a is not None)
    gap_items = tuple(
        (item.prompt, a.choice) for item, a in checklist if a is not None and a.choice in (NOT_YET, UNSURE)
    )
    willingness = willingness_counts(
        answers[item.id].willingness
        for item in domain.items
        if item.response_type == ABILITY_WILLINGNESS and item.id in answers and not answers[item.id].not_applicable
    )
    gap = (score is not None and score < threshold) or bool(gap_items)
    return DomainResult(domain.key, domain.name, score, readiness, willingness, gap, gap_items)


def score_response(
    domains: Sequence[DomainSpec], answers: Mapping[int, AnswerValue], *, threshold: float | Decimal = 4.0
) -> ResponseScore:
    """Score every domain, the overall mean of domain scores and the overall readiness share."""
    threshold = float(threshold)
    results = tuple(score_domain(d, answers, threshold) for d in domains)
    all_choices = [
        answers[item.id].choice
        for d in domains for item in d.items
        if item.response_type == CHECKLIST and item.id in answers
    ]
    return ResponseScore(
        domains=results,
        overall=overall_score(r.score for r in results),
        readiness=readiness_share(all_choices),
        threshold=threshold,
    )


def primary_measure(score: ResponseScore) -> str:
    """What the headline figure of a response is: a mean rating, or failing that a share of "yes"."""
    return "score" if score.overall is not None or score.readiness is None else "readiness"


def compare(baseline: ResponseScore, latest: ResponseScore) -> Comparison:
    """Domain by domain (matched by key, in the latest version's order), baseline against latest."""
    measure = primary_measure(latest)

    def value(result: DomainResult | None) -> float | None:
        if result is None:
            return None
        return result.score if measure == "score" else result.readiness

    rows = tuple(DomainChange(d.key, d.name, value(baseline.domain(d.key)), value(d)) for d in latest.domains)
    overall_of = (lambda s: s.overall) if measure == "score" else (lambda s: s.readiness)
    return Comparison(
        domains=rows,
        overall=DomainChange("overall", "Overall", overall_of(baseline), overall_of(latest)),
        measure=measure,
    )


def missing_required(domains: Sequence[DomainSpec], answers: Mapping[int, AnswerValue]) -> list[int]:
    """Ids of required items without a complete answer, in order."""
    return [
        item.id for d in domains for item in d.items if item.required and not is_answered(item, answers.get(item.id))
    ]


def progress(domains: Sequence[DomainSpec], answers: Mapping[int, AnswerValue]) -> tuple[int, int]:
    """(answered, total) over every item."""
    items = [item for d in domains for item in d.items]
    return sum(is_answered(i, answers.get(i.id)) for i in items), len(items)
