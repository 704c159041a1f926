"""Nudges: one email when a plan item becomes overdue, one a month while a requirement is behind.

Exactly once, as the meeting reminders keep it (README, "Reminders in production"):

* The dispatcher records a ``Nudge`` row per (person, kind, key) — the unique constraint makes a
  second run a no-op — and hands on, after its transaction commits, every pending nudge whose
  time has come and every "sending" one whose claim is older than REMINDERS_CLAIM_TIMEOUT (its
  worker is certainly gone: the claim timeout is longer than the task time limit).
* The sender claims a nudge with one conditional update (→ sending, with ``claimed_at`` and a
  token of its own) before it sends, so a duplicate message, a second dispatcher or a second
  worker never sends twice; the outcome is written only while the claim is still its own.
  Email goes out after the claim has committed, never inside a transaction.
* A 4xx answer or network trouble puts the nudge back to pending with the error and a backoff
  (the task queues itself again for then); a 5xx answer, or the last of REMINDERS_MAX_ATTEMPTS,
  fails it with the server's words, to be sent again from the admin.

A worker killed after the server accepted the message but before it was marked sent sends it
once more after the claim timeout, with the same Message-ID: a lost nudge is worse than a rare
duplicate.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.mail import classify_smtp_error, mail_domain, retry_delay
from mentorprogram.models import Membership, Program
from toolbox.periods import local_today

from . import selectors
from .models import Nudge, PlanItem
from .selectors import BEHIND

logger = logging.getLogger(__name__)

Status = Nudge.Status
EARLY = timedelta(seconds=5)
"""A retry whose task runs this much before its time (clocks differ a little) may still claim."""


def _item_key(item_id: int) -> str:
    return f"item:{item_id}"


def _requirement_key(requirement_id: int, today) -> str:
    return f"requirement:{requirement_id}:{today:%Y-%m}"


def nudges_dispatch(*, now: datetime | None = None, enqueue: Callable[[int], None] | None = None) -> list[int]:
    """Record the nudges now due and hand each claimable one to ``enqueue`` (after commit).

    Returns the ids handed on. Running it twice records nothing new the second time.
    """
    now = now or timezone.now()
    wanted: list[Nudge] = []
    programs = Program.objects.filter(
        Q(reporting_requirements__is_active=True) | Q(accountability_plans__isnull=False)
    ).distinct()
    for program in programs:
        wanted += _due_for_program(program, now)
    with transaction.atomic():
        Nudge.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=500)
        # Every claimable row, including any whose message was lost: the sender's claim makes a repeat harmless.
        handed = list(Nudge.objects.filter(_claimable(now)).order_by("pk").values_list("pk", flat=True))
        if enqueue:
            for pk in handed:
                transaction.on_commit(partial(enqueue, pk))
    return handed


def _claimable(now: datetime) -> Q:
    """Pending nudges whose (next) attempt is due, and nudges whose sender was lost."""
    stale = now - timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY)
    return (Q(status=Status.PENDING) & due) | Q(status=Status.SENDING, claimed_at__lt=stale)


def _due_for_program(program: Program, now: datetime) -> list[Nudge]:
    today = local_today(program.time_zone, now)
    mentors = Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR, status=Membership.Status.ACTIVE, user__is_active=True,
        user__reminders_opt_out=False,
    )
    nudges = [
        Nudge(program=program, person_id=mentor_id, kind=Nudge.Kind.ITEM_OVERDUE, key=_item_key(item_id))
        for item_id, mentor_id in PlanItem.objects.filter(
            plan__program=program, plan__mentor__in=mentors.values("user_id"),
            status__in=PlanItem.OPEN_STATUSES, due_on__lt=today,
        ).values_list("pk", "plan__mentor_id")
    ]
    _, rows = selectors.compliance_table(program=program, today=today)
    allowed = set(mentors.values_list("user_id", flat=True))
    for row in rows:
        if row.mentor.pk not in allowed:
            continue
        for cell in row.cells:
            if cell.status == BEHIND:
                nudges.append(Nudge(program=program, person=row.mentor, kind=Nudge.Kind.REQUIREMENT_BEHIND,
                                    key=_requirement_key(cell.requirement.pk, today)))
    return nudges


def nudges_resend(*, nudges: QuerySet[Nudge], enqueue: Callable[[int], None]) -> int:
    """Give the failed ones among ``nudges`` a fresh set of attempts and hand them to ``enqueue``
    (after commit). Returns how many; nudges in any other state are left alone."""
    with transaction.atomic():
        ids = list(Nudge.objects.select_for_update().filter(pk__in=nudges.values("pk"), status=Status.FAILED)
                   .order_by("pk").values_list("pk", flat=True))
        Nudge.objects.filter(pk__in=ids).update(status=Status.PENDING, attempts=0, next_attempt_at=None, error="")
        for pk in ids:
            transaction.on_commit(partial(enqueue, pk))
    return len(ids)


@dataclass(frozen=True)
class SendOutcome:
    """What one ``nudge_send`` call did: the status it left the nudge in (None when it could not
    claim it: sent already, or held by a live worker), and when to try again after a transient
    failure."""

    status: str | None
    retry_in: float | None = None

    @property
    def sent(self) -> bool:
        return self.status == Status.SENT


def nudge_send(*, nudge_id: int, now: datetime | None = None) -> SendOutcome:
    """Claim the nudge and send it; record what the mail server said (see the module docstring)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = Nudge.objects.filter(_claimable(now), pk=nudge_id).update(
        status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return SendOutcome(None)
    mine = Nudge.objects.filter(pk=nudge_id, status=Status.SENDING, claim_token=token)
    nudge = Nudge.objects.select_related("person", "program").get(pk=nudge_id)
    try:
        message = _message(nudge, now)
    except _Gone as gone:
        mine.update(status=Status.SKIPPED, error=str(gone))
        return SendOutcome(Status.SKIPPED)
    except Exception as error:  # a bad row is recorded, not retried
        logger.exception("Could not build nudge %s", nudge_id)
        mine.update(status=Status.FAILED, error=f"Could not build the email: {error.__class__.__name__}: {error}")
        return SendOutcome(Status.FAILED)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 — recorded on the row, visible in the admin
        transient, _, error = classify_smtp_error(exc)
        logger.warning("Nudge %s not sent (attempt %s): %s", nudge_id, nudge.attempts, error)
        if transient and nudge.attempts < settings.REMINDERS_MAX_ATTEMPTS:
            delay = retry_delay(nudge.attempts)
            mine.update(status=Status.PENDING, next_attempt_at=now + timedelta(seconds=delay), error=error[:2000])
            return SendOutcome(Status.PENDING, retry_in=delay)
        if transient:
            error = f"{error} (gave up after {nudge.attempts} attempts)"
        mine.update(status=Status.FAILED, next_attempt_at=None, error=error[:2000])
        return SendOutcome(Status.FAILED)
    mine.update(status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, error="")
    return SendOutcome(Status.SENT)


class _Gone(Exception):
    """What the nudge was about is no longer true (the item was completed, the mentor left)."""


def _message(nudge: Nudge, now: datetime) -> EmailMultiAlternatives:
    person, program = nudge.person, nudge.program
    context = {"person": person, "program": program, "site_name": getattr(settings, "SITE_NAME", "mentorprogram")}
    if nudge.kind == Nudge.Kind.ITEM_OVERDUE:
        item = PlanItem.objects.select_related("plan").filter(pk=int(nudge.key.split(":")[1])).first()
        if item is None or not item.is_open:
            raise _Gone("The item is no longer open.")
        context |= {"item": item, "url": reverse("accountability:item_edit", args=[item.pk])}
        template = "emails/accountability_item_overdue"
    else:
        requirement_id = int(nudge.key.split(":")[1])
        progress = selectors.progress_for_mentor(user=person, program=program,
                                                 today=local_today(program.time_zone, now))
        cell = next((p for p in progress if p.requirement.pk == requirement_id), None)
        if cell is None or cell.status != BEHIND:
            raise _Gone("The requirement is no longer behind.")
        context |= {"progress": cell, "url": reverse("accountability:home")}
        template = "emails/accountability_requirement_behind"
    context["url"] = _absolute(context["url"])
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    # The same Message-ID on every attempt, so a receiving server can fold a rare duplicate.
    message = EmailMultiAlternatives(subject, text, to=[person.email],
                                     headers={"Message-ID": f"<nudge-{nudge.pk}@{mail_domain()}>"})
    message.attach_alternative(html, "text/html")
    return message


def _absolute(path: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else path
