"""What accountability reads from the apps below it (DESIGN §10): assessment gaps, catalog
suggestions, community attendance and training credit.

Each function is the one place where that app is consulted, so a change in the other app
touches one function here. Functions return ``None`` when the app they read has no data
source to offer (yet): progress then says "no data" instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet

from assessments.models import Answer, Item
from assessments.models import Response as AssessmentResponse
from mentorprogram.models import Program, User


@dataclass(frozen=True)
class Gap:
    """A baseline domain under the program's threshold, or a checklist item not yet in place."""

    domain_key: str
    domain_name: str
    score: float | None = None
    item_id: int | None = None
    item_prompt: str = ""
    answer: str = ""

    @property
    def is_checklist_item(self) -> bool:
        return self.item_id is not None


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    kind: str  # "course" or "reading" (PlanItem.Kind values)
    link: str = ""
    description: str = ""
    domains: tuple[str, ...] = field(default_factory=tuple)


def _day_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return datetime.combine(start, time.min, zone), datetime.combine(end, time.min, zone)


def baseline_gaps(*, user: User, program: Program) -> list[Gap]:
    """Gaps of this person's baseline responses in the program, weakest domain first.

    The baseline is the first submitted response per instrument. A rating domain is a gap when
    the mean of its numeric answers (not-applicable ignored) is under ``program.gap_threshold``;
    each checklist item answered "not yet" or "unsure" is a gap of its own.
    """
    baselines = list(
        AssessmentResponse.objects.filter(
            user=user, program=program, status=AssessmentResponse.Status.SUBMITTED,
            occasion=AssessmentResponse.Occasion.BASELINE,
        ).values_list("pk", flat=True)
    )
    if not baselines:
        return []
    answers = (
        Answer.objects.filter(response_id__in=baselines)
        .select_related("item__domain")
        .order_by("item__domain__order", "item__order", "item__pk")
    )
    ratings: dict[tuple[str, str], list[int]] = defaultdict(list)
    checklist: list[Gap] = []
    for answer in answers:
        item, domain = answer.item, answer.item.domain
        if item.response_type == Item.ResponseType.CHECKLIST:
            if answer.choice in (Answer.Choice.NOT_YET, Answer.Choice.UNSURE):
                checklist.append(Gap(domain.key, domain.name, item_id=item.pk, item_prompt=item.prompt,
                                     answer=answer.get_choice_display()))
        elif (item.response_type in (Item.ResponseType.RATING, Item.ResponseType.ABILITY_WILLINGNESS)
              and answer.rating is not None and not answer.not_applicable):
            ratings[(domain.key, domain.name)].append(answer.rating)
    threshold = float(program.gap_threshold)
    domain_gaps = [
        Gap(key, name, score=round(sum(values) / len(values), 2))
        for (key, name), values in ratings.items()
        if sum(values) / len(values) < threshold
    ]
    domain_gaps.sort(key=lambda g: (g.score, g.domain_name))
    return domain_gaps + checklist


def suggestions_for_domains(*, program: Program, domain_keys: list[str]) -> dict[str, list[Suggestion]]:
    """Catalog courses and readings tagged with each domain, best first.

    The training catalog (courses app) is not available on this branch yet; until it is, no
    domain has suggestions and the plan proposes a free-text activity for each gap.
    """
    return {}


def community_attendance(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, tuple[int, int]] | None:
    """For each mentor, (community meetings attended, meetings held) in the period.

    ``None`` while the community app offers no attendance records.
    """
    return None


def training_credit_hours(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, Decimal] | None:
    """Credit hours of completed training per mentor in the period; ``None`` without a catalog."""
    return None


def assessments_submitted(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, int]:
    """Self-assessments each mentor submitted in the period (the re-assessment cadence)."""
    since, until = _day_bounds(start, end, program.time_zone)
    rows = (
        AssessmentResponse.objects.filter(
            program=program, user_id__in=mentor_ids, status=AssessmentResponse.Status.SUBMITTED,
            submitted_at__gte=since, submitted_at__lt=until,
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    return dict(rows)
