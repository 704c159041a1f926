"""Nudges: one email when a plan item becomes overdue, one a month while a requirement is behind.

Exactly once: the dispatcher records a ``Nudge`` row per (person, kind, key) — the unique
constraint makes a second run a no-op — and the sender claims a pending row with a conditional
update before it sends, so a duplicate message or a second worker never sends twice. Email goes
out after the claim has committed, never inside a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.models import Membership, Program

from . import selectors
from .models import Nudge, PlanItem
from .selectors import BEHIND, local_today

logger = logging.getLogger(__name__)


def _item_key(item_id: int) -> str:
    return f"item:{item_id}"


def _requirement_key(requirement_id: int, today) -> str:
    return f"requirement:{requirement_id}:{today:%Y-%m}"


def nudges_dispatch(*, now: datetime | None = None, enqueue: Callable[[int], None] | None = None) -> list[int]:
    """Record the nudges now due and hand each pending one to ``enqueue`` (after commit).

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
        # Every pending row, including any whose message was lost: the sender's claim makes a repeat harmless.
        pending = list(Nudge.objects.filter(status=Nudge.Status.PENDING).values_list("pk", flat=True))
        if enqueue:
            for pk in pending:
                transaction.on_commit(lambda pk=pk: enqueue(pk))
    return pending


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


def nudge_send(*, nudge_id: int, now: datetime | None = None) -> bool:
    """Claim the nudge (pending → sending) and send it. Returns whether this call sent it."""
    claimed = Nudge.objects.filter(pk=nudge_id, status=Nudge.Status.PENDING).update(status=Nudge.Status.SENDING)
    if claimed != 1:
        return False
    nudge = Nudge.objects.select_related("person", "program").get(pk=nudge_id)
    try:
        message = _message(nudge, now or timezone.now())
    except _Gone as gone:
        Nudge.objects.filter(pk=nudge_id).update(status=Nudge.Status.SKIPPED, error=str(gone))
        return False
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 — recorded on the row, visible in the admin
        logger.exception("Nudge %s failed", nudge_id)
        Nudge.objects.filter(pk=nudge_id).update(status=Nudge.Status.FAILED, error=str(error)[:2000])
        return False
    Nudge.objects.filter(pk=nudge_id).update(status=Nudge.Status.SENT, sent_at=timezone.now())
    return True


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
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message


def _absolute(path: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else path
