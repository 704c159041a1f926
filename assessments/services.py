"""Writes for assessments: starting, saving and submitting responses; versioning instruments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, FloatField, Max, Q
from django.utils import timezone

from mentorprogram import audit
from mentorprogram.models import Program, User

from . import scoring
from .models import Answer, Domain, DomainScore, Instrument, InstrumentVersion, Item, Response


class NotADraft(Exception):
    """The response is already submitted: it cannot change any more."""


class InvalidAnswers(Exception):
    """Answers that no honest form could send: an item of another version, a value off the scale."""


class IncompleteResponse(ValidationError):
    """Required items without an answer; ``missing`` holds their ids in order."""

    def __init__(self, missing: list[int]):
        super().__init__(f"{len(missing)} required question(s) have no answer.")
        self.missing = missing


def response_start(*, user: User, program: Program, version: InstrumentVersion) -> Response:
    """The person's open draft of this instrument in this program, or a new one on ``version``.
    The caller checks that the person takes assessments in ``program`` and that the program
    uses ``version``. A draft of an older version is resumed rather than duplicated."""
    existing = Response.objects.filter(
        user=user, program=program, instrument_id=version.instrument_id, status=Response.Status.DRAFT
    ).first()
    if existing is not None:
        return existing
    response = Response(user=user, program=program, instrument_id=version.instrument_id, version=version)
    response.full_clean(exclude=["user", "program", "instrument", "version"], validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # Two clicks at once: the other request created the draft.
        return Response.objects.get(
            user=user, program=program, instrument_id=version.instrument_id, status=Response.Status.DRAFT
        )
    return response


def validate_answers(items: Mapping[int, Item], answers: Mapping[int, scoring.AnswerValue]) -> None:
    """Every answer belongs to an item of the version and holds a value that item allows."""
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            raise InvalidAnswers(f"Item {item_id} is not part of this assessment.")
        kind = item.response_type
        if kind == Item.ResponseType.CHECKLIST:
            ok = value.choice in Answer.Choice.values and value.rating is None and not value.not_applicable
        elif kind in (Item.ResponseType.RATING, Item.ResponseType.ABILITY_WILLINGNESS):
            rating_ok = value.rating is None or (item.scale_min <= value.rating <= item.scale_max)
            na_ok = not value.not_applicable or (item.allow_not_applicable and value.rating is None)
            willing_ok = value.willingness == "" or (
                kind == Item.ResponseType.ABILITY_WILLINGNESS and value.willingness in Answer.Willingness.values
            )
            ok = rating_ok and na_ok and willing_ok and value.choice == ""
        else:
            ok = value.choice == "" and value.rating is None and not value.not_applicable and len(value.text) <= 5000
        if not ok:
            raise InvalidAnswers(f"The answer to item {item_id} is not one this question allows.")


def _write_answers(response: Response, answers: Mapping[int, scoring.AnswerValue]) -> None:
    """Replace the response's answers with ``answers`` in two statements, whatever their number,
    and record in the audit trail what changed (one read, one entry: a bulk upsert sends no signals)."""
    before = {a.item_id: a for a in Answer.objects.filter(response=response)}
    Answer.objects.filter(response=response).exclude(item_id__in=list(answers)).delete()
    rows = [
        Answer(response=response, item_id=item_id, choice=v.choice, rating=v.rating,
               not_applicable=v.not_applicable, willingness=v.willingness, text=v.text)
        for item_id, v in answers.items()
    ]
    if rows:
        Answer.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["response", "item"],
            update_fields=["choice", "rating", "not_applicable", "willingness", "text"],
        )
    changes = {}
    for item_id in sorted(set(before) | set(answers)):
        old = _answer_shown(before[item_id]) if item_id in before else None
        new = _answer_shown(answers[item_id]) if item_id in answers else None
        if old != new:
            changes[f"answer to item {item_id}"] = [old, new]
    audit.record_change(response, changes)


def _answer_shown(value) -> str | None:
    """An answer as the trail keeps it: the choice or rating; free text only as "(private text)"."""
    parts = [str(p) for p in (value.choice, value.rating, value.willingness) if p not in ("", None)]
    if value.not_applicable:
        parts.append("not applicable")
    if value.text:
        parts.append(audit.PRIVATE_TEXT)
    return ", ".join(parts) or None


def _locked_draft(response_id: int) -> Response:
    # With what its name shows (the audit trail names it), locking the response's row only.
    response = Response.objects.select_for_update(of=("self",)).select_related("version__instrument", "user").get(
        pk=response_id)
    if response.status != Response.Status.DRAFT:
        raise NotADraft("This response is already submitted and can no longer change.")
    return response


def _version_items(version_id: int) -> dict[int, Item]:
    return {i.pk: i for i in Item.objects.filter(domain__version_id=version_id)}


@transaction.atomic
def response_save_draft(
    *, response: Response, answers: Mapping[int, scoring.AnswerValue], items: Mapping[int, Item] | None = None,
    now: datetime | None = None,
) -> Response:
    """Keep the answers given so far (blank ones removed). Incomplete is fine for a draft;
    invalid values are not. The row lock makes a save racing a submit wait, then fail."""
    locked = _locked_draft(response.pk)
    validate_answers(items if items is not None else _version_items(locked.version_id), answers)
    _write_answers(locked, answers)
    locked.updated_at = now or timezone.now()
    Response.objects.filter(pk=locked.pk).update(updated_at=locked.updated_at)
    return locked


@transaction.atomic
def response_submit(
    *, response: Response, answers: Mapping[int, scoring.AnswerValue], specs: list[scoring.DomainSpec] | None = None,
    items: Mapping[int, Item] | None = None, now: datetime | None = None,
) -> Response:
    """Submit a draft with its final answers. Every required item must be answered, or nothing
    is saved (:class:`IncompleteResponse`). The first submitted response of a person, program
    and instrument is the baseline, later ones are follow-ups. The draft's row is locked, so
    two submits of the same draft give one submitted response; the loser gets
    :class:`NotADraft`. Once submitted the response never changes."""
    locked = _locked_draft(response.pk)
    if items is None or specs is None:
        from .selectors import structures

        structure = structures([locked.version_id])[locked.version_id]
        items, specs = {i.pk: i for i in structure.items}, structure.specs
    validate_answers(items, answers)
    missing = scoring.missing_required(specs, answers)
    if missing:
        raise IncompleteResponse(missing)
    _write_answers(locked, answers)
    has_baseline = Response.objects.filter(
        user_id=locked.user_id, program_id=locked.program_id, instrument_id=locked.instrument_id,
        occasion=Response.Occasion.BASELINE,
    ).exists()
    locked.status = Response.Status.SUBMITTED
    locked.submitted_at = now or timezone.now()
    locked.occasion = Response.Occasion.FOLLOW_UP if has_baseline else Response.Occasion.BASELINE
    locked.full_clean(exclude=["user", "program", "instrument", "version"], validate_constraints=False)
    locked.save(update_fields=["status", "submitted_at", "occasion", "updated_at"])
    domain_scores_record(response_ids=[locked.pk])
    return locked


def domain_scores_record(*, response_ids, Answer=Answer, DomainScore=DomainScore) -> int:  # noqa: N803
    """Count each submitted response's figures per domain (``DomainScore``) from its answers, by the
    scoring rules: the mean of the ratings that are not "not applicable", the share of "yes" of the
    checklist answers, and for a follow-up the change from the person's baseline. Three queries
    whatever the number of responses (the answers aggregated, the baselines' figures, one insert).
    The model classes are parameters so that the migration that fills in older responses shares it."""
    scored = Q(item__response_type__in=scoring.SCORED_TYPES, not_applicable=False, rating__isnull=False)
    checked = Q(item__response_type=scoring.CHECKLIST) & ~Q(choice="")
    person = ("response__user_id", "response__program_id", "response__instrument_id")
    rows = list(Answer.objects.filter(response_id__in=response_ids).filter(scored | checked)
                .values("response_id", "response__occasion", *person, "item__domain_id", "item__domain__key")
                .order_by()
                .annotate(score=Avg("rating", filter=scored, output_field=FloatField()),
                          checked=Count("pk", filter=checked), yes=Count("pk", filter=checked & Q(choice=scoring.YES))))
    for row in rows:
        row["readiness"] = row["yes"] / row["checked"] if row["checked"] else None

    def key(row: dict, prefix: str = "") -> tuple:
        return (*(row[prefix + field] for field in person), row[prefix + "item__domain__key"])

    follow_ups = [row for row in rows if row["response__occasion"] != Response.Occasion.BASELINE]
    baselines = {key(row): row for row in rows if row["response__occasion"] == Response.Occasion.BASELINE}
    if follow_ups:
        stored = (DomainScore.objects.filter(response__occasion=Response.Occasion.BASELINE,
                                             response__user_id__in={row["response__user_id"] for row in follow_ups})
                  .values(*person, "domain__key", "score", "readiness"))
        baselines |= {(*(row[field] for field in person), row["domain__key"]): row for row in stored}

    def change(row: dict, figure: str) -> float | None:
        if row["response__occasion"] == Response.Occasion.BASELINE:
            return None
        base = baselines.get(key(row))
        if base is None or row[figure] is None or base[figure] is None:
            return None
        return row[figure] - base[figure]

    made = DomainScore.objects.bulk_create([
        DomainScore(response_id=row["response_id"], domain_id=row["item__domain_id"], score=row["score"],
                    readiness=row["readiness"], checked=row["checked"], yes=row["yes"],
                    score_change=change(row, "score"), readiness_change=change(row, "readiness"))
        for row in rows
    ], batch_size=1000, ignore_conflicts=True)
    return len(made)


# --- Instrument versions -------------------------------------------------------------------------


@transaction.atomic
def version_copy(*, version: InstrumentVersion) -> InstrumentVersion:
    """"New version from this": an unpublished copy of the version's domains and items, numbered
    after the instrument's highest version. Old responses keep pointing at their own version."""
    Instrument.objects.select_for_update().get(pk=version.instrument_id)  # one copy numbered at a time
    number = (InstrumentVersion.objects.filter(instrument_id=version.instrument_id)
              .aggregate(m=Max("number"))["m"] or 0) + 1
    copy = InstrumentVersion(instrument_id=version.instrument_id, number=number, published_at=None)
    copy.full_clean()
    copy.save()
    domains = list(Domain.objects.filter(version=version).order_by("order", "pk").prefetch_related("items"))
    new_domains = Domain.objects.bulk_create([
        Domain(version=copy, key=d.key, name=d.name, description=d.description, order=d.order) for d in domains
    ])
    by_key = {d.key: d for d in new_domains}
    if any(d.pk is None for d in new_domains):  # databases that do not return ids from bulk inserts
        by_key = {d.key: d for d in Domain.objects.filter(version=copy)}
    Item.objects.bulk_create([
        Item(domain=by_key[d.key], order=i.order, prompt=i.prompt, help_text=i.help_text,
             response_type=i.response_type, required=i.required, scale_min=i.scale_min, scale_max=i.scale_max,
             scale_labels=i.scale_labels, allow_not_applicable=i.allow_not_applicable)
        for d in domains for i in d.items.all()
    ])
    return copy


def version_publish(*, version: InstrumentVersion, now: datetime | None = None) -> InstrumentVersion:
    """Publish a version: from now on new responses use it (drafts already begun keep theirs)."""
    if not Item.objects.filter(domain__version=version).exists():
        raise ValidationError("Add at least one domain with one item before publishing this version.")
    if version.published_at is None:
        version.published_at = now or timezone.now()
        version.save(update_fields=["published_at"])
    return version


@transaction.atomic
def instrument_copy_to_program(*, instrument: Instrument, program: Program) -> Instrument:
    """A program's own editable copy of a shared instrument (latest version, unpublished). Once
    published it replaces the shared one of the same kind for that program."""
    source = instrument.versions.order_by("-number").first()
    slug = instrument.slug
    copy = Instrument(program=program, kind=instrument.kind, slug=slug, name=instrument.name,
                      description=instrument.description, is_active=True)
    copy.full_clean(validate_constraints=False)
    if Instrument.objects.filter(program=program, slug=slug).exists():
        raise ValidationError(f"{program} already has its own “{instrument.name}”.")
    copy.save()
    if source is not None:
        new_version = version_copy(version=source)
        new_version.instrument = copy
        new_version.number = 1
        new_version.save(update_fields=["instrument", "number"])
    return copy
