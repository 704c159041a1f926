"""Nudges: one email when a plan item becomes overdue, one a month while a requirement is behind.

The dispatcher records a ``Nudge`` row per (person, kind, key) — the unique constraint makes a
second run a no-op — together with its email in the outbox, and queues the new ones after its
transaction commits. The outbox claims, sends, retries and recovers them exactly as it does
every automatic email (mentorprogram/outbox/, README "Exactly once"); this module's composer
builds each message when it is sent and skips a nudge whose reason has gone (the item was
completed, the requirement caught up).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.models import Membership, OutboundEmail, Program
from mentorprogram.outbox import Composed, Skip, outbox_enqueue, outbox_queue, outbox_resend
from toolbox.periods import local_today

from . import coordinators
from . import progress as requirement_progress
from .models import Nudge, PlanItem
from .standing import BEHIND


def nudges_dispatch(*, now: datetime | None = None) -> list[int]:
    """Record the nudges now due and queue their emails (after commit). Returns the outbox ids
    queued; running it twice records and queues nothing new the second time."""
    now = now or timezone.now()
    wanted: list[Nudge] = []
    programs = Program.objects.filter(
        Q(reporting_requirements__is_active=True) | Q(accountability_plans__isnull=False)
    ).distinct()
    for program in programs:
        wanted += _due_for_program(program, now)
    token = uuid.uuid4().hex
    with transaction.atomic():
        emails = outbox_enqueue([
            OutboundEmail(kind=OutboundEmail.Kind.NUDGE, dedupe_key=_dedupe_key(n), program=n.program,
                          user_id=n.person_id) for n in wanted
        ], now=now, dispatch_token=token)
        for nudge in wanted:
            nudge.email = emails[_dedupe_key(nudge)]
        Nudge.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=500)
        return outbox_queue(dispatch_token=token)


def _dedupe_key(nudge: Nudge) -> str:
    return f"{nudge.person_id}:{nudge.kind}:{nudge.key}"


def _item_key(item_id: int) -> str:
    return f"item:{item_id}"


def _requirement_key(requirement_id: int, today) -> str:
    return f"requirement:{requirement_id}:{today:%Y-%m}"


def _due_for_program(program: Program, now: datetime) -> list[Nudge]:
    today = local_today(program.time_zone, now)
    mentors = Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR, status=Membership.Status.ACTIVE, user__is_active=True,
        user__reminders_opt_out=False, user__nudges_opt_out=False,
    )
    nudges = [
        Nudge(program=program, person_id=mentor_id, kind=Nudge.Kind.ITEM_OVERDUE, key=_item_key(item_id))
        for item_id, mentor_id in PlanItem.objects.filter(
            plan__program=program, plan__mentor__in=mentors.values("user_id"),
            status__in=PlanItem.OPEN_STATUSES, due_on__lt=today,
        ).values_list("pk", "plan__mentor_id")
    ]
    _, rows = coordinators.compliance_table(program=program, today=today)
    allowed = set(mentors.values_list("user_id", flat=True))
    for row in rows:
        if row.mentor.pk not in allowed:
            continue
        for cell in row.cells:
            if cell.status == BEHIND:
                nudges.append(Nudge(program=program, person=row.mentor, kind=Nudge.Kind.REQUIREMENT_BEHIND,
                                    key=_requirement_key(cell.requirement.pk, today)))
    return nudges


def nudges_resend(*, nudges: QuerySet[Nudge]) -> int:
    """Give the failed ones among ``nudges`` a fresh set of attempts and queue them (after
    commit). Returns how many; nudges in any other state are left alone."""
    return outbox_resend(emails=OutboundEmail.objects.filter(nudge__in=nudges))


class NudgeComposer:
    """Builds each nudge's message when the outbox sends it."""

    def prepare(self, emails: list[OutboundEmail], now: datetime):
        nudges = {n.email_id: n for n in Nudge.objects.filter(email_id__in=[e.pk for e in emails])
                  .select_related("person", "program")}

        def build(email: OutboundEmail) -> Composed:
            nudge = nudges.get(email.pk)
            if nudge is None:
                raise Skip("The nudge was removed.")
            person = nudge.person
            if not person.is_active:
                raise Skip("The account is deactivated.")
            if person.reminders_opt_out or person.nudges_opt_out:
                raise Skip("The person turned these emails off.")
            if nudge.kind == Nudge.Kind.FROM_COORDINATOR:
                return Composed(coordinator_message(person=person, program=nudge.program, now=now,
                                                    by_name=email.context.get("by", "")), unsubscribe="nudges")
            return Composed(_message(nudge, now), unsubscribe="nudges")

        return build


def _message(nudge: Nudge, now: datetime) -> EmailMultiAlternatives:
    person, program = nudge.person, nudge.program
    context = {"person": person, "program": program, "site_name": getattr(settings, "SITE_NAME", "mentorprogram")}
    if nudge.kind == Nudge.Kind.ITEM_OVERDUE:
        item = PlanItem.objects.select_related("plan").filter(pk=int(nudge.key.split(":")[1])).first()
        if item is None or not item.is_open:
            raise Skip("The item is no longer open.")
        context |= {"item": item, "url": reverse("accountability:item_edit", args=[item.pk])}
        template = "emails/accountability_item_overdue"
    else:
        requirement_id = int(nudge.key.split(":")[1])
        progress = requirement_progress.progress_for_mentor(user=person, program=program,
                                                            today=local_today(program.time_zone, now))
        cell = next((p for p in progress if p.requirement.pk == requirement_id), None)
        if cell is None or cell.status != BEHIND:
            raise Skip("The requirement is no longer behind.")
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


# --- A reminder a coordinator sends from a person's summary ----------------------------------

@dataclass
class ReminderPreview:
    """What a coordinator's reminder to this person would say, and whether it can go now."""

    subject: str
    text: str
    blocked: str  # why nothing can be sent now ("" when it can)


def _coordinator_key(program: Program, today) -> str:
    return f"coordinator:{program.pk}:{today:%Y-%m-%d}"


def coordinator_message(*, person, program: Program, by_name: str, now: datetime) -> EmailMultiAlternatives:
    """The reminder: where the person stands on each requirement and their overdue plan items,
    as it is when the email is built (the preview and the sending build it the same way)."""
    today = local_today(program.time_zone, now)
    progress = requirement_progress.progress_for_mentor(user=person, program=program, today=today)
    overdue = list(PlanItem.objects.filter(plan__program=program, plan__mentor=person, due_on__lt=today,
                                           status__in=PlanItem.OPEN_STATUSES).order_by("due_on", "pk")[:10])
    context = {
        "person": person, "program": program, "by_name": by_name, "progress": progress, "overdue": overdue,
        "behind": [p for p in progress if p.status == BEHIND],
        "url": _absolute(reverse("accountability:home")),
        "site_name": getattr(settings, "SITE_NAME", "mentorprogram"),
    }
    template = "emails/accountability_from_coordinator"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{template}.txt", context), to=[person.email])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _blocked(person, program: Program, today) -> str:
    if not person.is_active:
        return "The account is deactivated."
    if person.reminders_opt_out or person.nudges_opt_out:
        return f"{person} has turned accountability emails off; nothing can be sent."
    if Nudge.objects.filter(person=person, kind=Nudge.Kind.FROM_COORDINATOR,
                            key=_coordinator_key(program, today)).exists():
        return f"A reminder from {program.name} already went to {person} today; one a day is enough."
    return ""


def coordinator_reminder_preview(*, program: Program, person, by, now: datetime | None = None) -> ReminderPreview:
    now = now or timezone.now()
    message = coordinator_message(person=person, program=program, by_name=str(by), now=now)
    return ReminderPreview(subject=message.subject, text=message.body,
                           blocked=_blocked(person, program, local_today(program.time_zone, now)))


def coordinator_reminder_send(*, program: Program, person, by, now: datetime | None = None) -> Nudge | None:
    """Record a coordinator's reminder to one person of their program and queue it through the
    outbox (after commit). At most one a day per person and program — a second click, or a
    second coordinator, records nothing — and none to someone who turned these emails off.
    Returns the nudge, or None when nothing was recorded."""
    now = now or timezone.now()
    today = local_today(program.time_zone, now)
    if _blocked(person, program, today):
        return None
    nudge = Nudge(program=program, person=person, kind=Nudge.Kind.FROM_COORDINATOR,
                  key=_coordinator_key(program, today))
    token = uuid.uuid4().hex
    with transaction.atomic():
        emails = outbox_enqueue([OutboundEmail(kind=OutboundEmail.Kind.NUDGE, dedupe_key=_dedupe_key(nudge),
                                               program=program, user=person, to_address=person.email,
                                               context={"by": str(by)})], now=now, dispatch_token=token)
        nudge.email = emails[_dedupe_key(nudge)]
        Nudge.objects.bulk_create([nudge], ignore_conflicts=True)
        queued = outbox_queue(dispatch_token=token)
    return nudge if queued else None
