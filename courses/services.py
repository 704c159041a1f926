"""Writes for the catalog and completions. Each validates fully before it saves."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from mentorprogram.models import User
from toolbox import datetimes
from toolbox.periods import academic_year, local_today

from . import permissions
from .models import Completion, Course, CourseDomain, Theme
from .selectors import academic_start_month_for


@transaction.atomic
def completion_record(
    *, user: User, course: Course, status: str, completed_on: datetime.date | None = None,
    credit_hours: Decimal | None = None, now: datetime.datetime | None = None,
) -> Completion:
    """Record the person's plan, enrolment or completion of a course.

    A person has one record of a course per academic year, and it only moves forward (planned →
    enrolled → completed): an open record is updated in place, a step back is refused, and saving
    what is already recorded changes nothing. A completion needs a date no later than today in the
    person's time zone and claims at most the course's CME credit. Dates and credit of a
    completion are changed with ``completion_correct``; verified records are never changed here.
    """
    now = now or timezone.now()
    if status not in dict(course.status_choices()):
        raise ValidationError({"status": f"A {course.get_modality_display().lower()} cannot be recorded as "
                                         f"{dict(Completion.Status.choices).get(status, status).lower()}."})
    if not course.is_active and status != Completion.Status.COMPLETED:
        raise ValidationError({"status": "This course is no longer offered; you can only record having completed it."})
    start_month = academic_start_month_for(person=user)
    completing = status == Completion.Status.COMPLETED
    year = academic_year(completed_on if completing and completed_on else local_today(user.time_zone, now),
                         start_month)
    records = list(Completion.objects.select_for_update().filter(
        Q(status__in=[Completion.Status.PLANNED, Completion.Status.ENROLLED]) | Q(academic_year=year.start.year),
        user=user, course=course,
    ))
    done = next((r for r in records if not r.is_open), None)
    if done is not None:
        if completing and (done.completed_on, done.credit_hours) == (completed_on, credit_hours):
            return done  # the same completion saved again
        if not completing:
            raise ValidationError({"status": (
                f"You completed this course on {datetimes.format_date(done.completed_on)}, in {year.label.lower()}; "
                "a record "
                "only moves forward. Correct or remove that record instead."
            )})
    completion = next((r for r in records if r.is_open), None) or Completion(user=user, course=course)
    if Completion.STATUS_RANK[status] < Completion.STATUS_RANK[completion.status] and completion.pk:
        raise ValidationError({"status": (
            f"This course is already recorded as {completion.status_label.lower()}; a record only moves "
            "forward. Remove it to start over."
        )})
    if completion.pk and status == completion.status:
        return completion  # nothing to change
    if completing:
        _check_completion(user=user, course=course, completed_on=completed_on, credit_hours=credit_hours, now=now)
    completion.status = status
    completion.completed_on = completed_on if completing else None
    completion.credit_hours = credit_hours if completing else Decimal("0")
    completion.assign_academic_year(start_month=start_month, today=local_today(user.time_zone, now))
    return _save(completion)


def _check_completion(*, user: User, course: Course, completed_on: datetime.date | None,
                      credit_hours: Decimal | None, now: datetime.datetime, excluding: int | None = None) -> None:
    """A completion needs a date no later than the person's today, credit within the course's, and
    no other completion of the course in that academic year (``excluding`` the record corrected)."""
    errors = {}
    if completed_on is None:
        errors["completed_on"] = "Give the date you completed the course."
    elif completed_on > local_today(user.time_zone, now):
        errors["completed_on"] = "The completion date cannot be in the future."
    if credit_hours is None:
        errors["credit_hours"] = "Give the credit hours you claim (0 if none)."
    elif credit_hours < 0 or credit_hours > course.cme_credit_hours:
        errors["credit_hours"] = f"This course carries at most {course.cme_credit_hours} CME credit hours."
    if "completed_on" not in errors:
        start_month = academic_start_month_for(person=user)
        year = academic_year(completed_on, start_month)
        if Completion.objects.filter(user=user, course=course, status=Completion.Status.COMPLETED,
                                     completed_on__gte=year.start, completed_on__lt=year.end,
                                     ).exclude(pk=excluding).exists():
            errors["completed_on"] = (
                f"You already recorded this course as completed in {year.label.lower()}. "
                "Correct or remove that record instead."
            )
    if errors:
        raise ValidationError(errors)


def _save(completion: Completion) -> Completion:
    completion.full_clean()
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        raise ValidationError({"completed_on": "You already have a record of this course in that academic year. "
                                               "Correct or remove it instead."}) from None
    return completion


@transaction.atomic
def completion_correct(*, user: User, completion: Completion, completed_on: datetime.date,
                       credit_hours: Decimal, now: datetime.datetime | None = None) -> Completion:
    """The person corrects the date or the credit of one of their completed records, unless a
    coordinator has verified it."""
    completion = Completion.objects.select_for_update().select_related("course").get(pk=completion.pk)
    if completion.user_id != user.pk:
        raise PermissionDenied("Only the person may correct their own record.")
    if completion.is_verified:
        raise ValidationError("A verified record cannot be changed; ask your coordinator.")
    if completion.status != Completion.Status.COMPLETED:
        raise ValidationError("Only a completed record has a date and credit to correct.")
    _check_completion(user=user, course=completion.course, completed_on=completed_on, credit_hours=credit_hours,
                      now=now or timezone.now(), excluding=completion.pk)
    completion.completed_on = completed_on
    completion.credit_hours = credit_hours
    completion.assign_academic_year(start_month=academic_start_month_for(person=user),
                                    today=local_today(user.time_zone, now))
    return _save(completion)


def completion_remove(*, user: User, completion: Completion) -> None:
    """A person removes one of their own records, unless a coordinator has verified it."""
    if completion.user_id != user.pk:
        raise PermissionDenied("Only the person may remove their own record.")
    if completion.is_verified:
        raise ValidationError("A verified record cannot be removed; ask your coordinator.")
    completion.delete()


def completion_verify(*, completion: Completion, by: User, now: datetime.datetime | None = None) -> Completion:
    """A coordinator of one of the person's programs confirms a completed course."""
    if not permissions.may_verify_completion(by, completion.user):
        raise PermissionDenied("Only a coordinator of the person's program may verify their records.")
    if completion.status != Completion.Status.COMPLETED:
        raise ValidationError("Only a completed course can be verified.")
    if completion.is_verified:
        return completion
    completion.verified_at = now or timezone.now()
    completion.verified_by = by
    completion.full_clean()
    completion.save(update_fields=["verified_at", "verified_by", "updated_at"])
    return completion


def completion_unverify(*, completion: Completion, by: User) -> Completion:
    if not permissions.may_verify_completion(by, completion.user):
        raise PermissionDenied("Only a coordinator of the person's program may change a verification.")
    completion.verified_at = None
    completion.verified_by = None
    completion.save(update_fields=["verified_at", "verified_by", "updated_at"])
    return completion


def themes_from_names(names: list[str]) -> list[Theme]:
    """The themes with these names, made when missing (matched by slug, so case does not matter)."""
    found = []
    for name in names:
        name = " ".join(name.split())
        slug = slugify(name)[:100]
        if not slug:
            continue
        theme, _ = Theme.objects.get_or_create(slug=slug, defaults={"name": name[:100]})
        found.append(theme)
    return found


@transaction.atomic
def course_set_domains(*, course: Course, domain_keys: list[str]) -> None:
    """Make the course address exactly these domains."""
    keys = set(domain_keys)
    course.domains.exclude(domain_key__in=keys).delete()
    existing = set(course.domains.values_list("domain_key", flat=True))
    new = [CourseDomain(course=course, domain_key=k) for k in sorted(keys - existing)]
    for row in new:
        row.full_clean(exclude=["course"])
    CourseDomain.objects.bulk_create(new)
