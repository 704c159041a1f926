"""Mentees who take part themselves: invited by email, linked to their record once they accept,
with a small home of their own (DESIGN §6, issue "the evidence loop").

The rules:

* Only the mentee's mentor, or a coordinator of the mentee's program, invites. The invitation
  goes through the outbox, once per request (a double click sends one email).
* An address with no account gets one without a password; the email's link sets it, as a
  program invitation's does. An existing account is only asked: nothing links until the person
  accepts on their own page, and a mentor never learns whether the address had an account.
* An accepted mentee sees their mentorship, the date, length and mode of each meeting (never
  the mentor's notes), the goals (never the mentor's notes on them) and the feedback asked of
  them. They may mark a goal's progress and add goals of their own.
"""

from __future__ import annotations

import datetime as dt
import uuid

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.models import OutboundEmail, User
from mentorprogram.outbox import Composed, Skip, outbox_enqueue, outbox_queue

from . import permissions
from .models import FeedbackRequest, Mentee, MenteeGoal, MenteeMeeting, Mentorship

GOAL_STATUSES = (MenteeGoal.Status.OPEN, MenteeGoal.Status.ACHIEVED, MenteeGoal.Status.DROPPED)


# --- Inviting -------------------------------------------------------------------------------

def mentee_invite(*, by: User, mentee: Mentee, base_url: str, now: dt.datetime | None = None) -> bool:
    """Invite the mentee's person to take part, through the outbox. Returns False when the same
    request (within the minute) already recorded the invitation."""
    now = now or timezone.now()
    if not permissions.can_invite_mentee(by, mentee):
        raise Http404("No such mentee.")
    email = (mentee.email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Add the mentee's email address first: the invitation goes there."})
    if mentee.accepted_at is not None:
        raise ValidationError("This mentee has already accepted; they see their page when they sign in.")
    if email == mentee.mentor.email.lower():
        raise ValidationError({"email": "This is the mentor's own address; give the mentee's."})
    requested = now.replace(second=0, microsecond=0).isoformat()
    token = uuid.uuid4().hex
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            email=email, defaults={"display_name": mentee.name[:150], "password": make_password(None)})
        if created:
            EmailAddress.objects.get_or_create(user=user, email=user.email,
                                               defaults={"verified": True, "primary": True})
        key = f"{mentee.pk}:{user.pk}:{requested}"
        before = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MENTEE_INVITATION, dedupe_key=key).exists()
        outbox_enqueue([OutboundEmail(kind=OutboundEmail.Kind.MENTEE_INVITATION, dedupe_key=key,
                                      program_id=mentee.program_id, user=user, to_address=user.email,
                                      context={"mentee": mentee.pk, "base_url": base_url})],
                       now=now, dispatch_token=token)
        Mentee.objects.filter(pk=mentee.pk).update(user=user, invited_at=now, declined_at=None)
        outbox_queue(dispatch_token=token)
    mentee.user, mentee.invited_at, mentee.declined_at = user, now, None
    return not before


def pending_mentee_invitations(*, user: User):
    """The invitations to take part as a mentee that wait for this person's answer."""
    if not user.is_authenticated or not user.is_active:
        return Mentee.objects.none()
    return (Mentee.objects.filter(user=user, invited_at__isnull=False, accepted_at__isnull=True,
                                  declined_at__isnull=True)
            .select_related("mentor", "program").order_by("invited_at", "pk"))


def takes_part_as_mentee(*, user: User) -> bool:
    """Whether the person has a mentee page: an accepted invitation, or one waiting for an answer."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Mentee.objects.filter(user=user, invited_at__isnull=False, declined_at__isnull=True).exists()


def _pending(user: User, pk: int) -> Mentee:
    mentee = pending_mentee_invitations(user=user).filter(pk=pk).first()
    if mentee is None:
        raise Http404("No such invitation.")
    return mentee


def mentee_invitation_accept(*, user: User, pk: int, now: dt.datetime | None = None) -> Mentee:
    mentee = _pending(user, pk)
    mentee.accepted_at = now or timezone.now()
    Mentee.objects.filter(pk=mentee.pk, user=user, accepted_at__isnull=True).update(accepted_at=mentee.accepted_at)
    return mentee


def mentee_invitation_decline(*, user: User, pk: int, now: dt.datetime | None = None) -> Mentee:
    """A no: the record keeps no link to the account, and the mentor may invite again."""
    mentee = _pending(user, pk)
    Mentee.objects.filter(pk=mentee.pk, user=user, accepted_at__isnull=True).update(
        user=None, declined_at=now or timezone.now())
    return mentee


class MenteeInvitationComposer:
    """Builds each mentee invitation when the outbox sends it (the set-password link is fresh)."""

    def prepare(self, emails: list[OutboundEmail], now: dt.datetime):
        mentees = Mentee.objects.select_related("mentor", "program", "user").in_bulk(
            {e.context.get("mentee") for e in emails})

        def build(email: OutboundEmail) -> Composed:
            mentee = mentees.get(email.context.get("mentee"))
            if mentee is None or mentee.user_id is None or mentee.user_id != email.user_id:
                raise Skip("The invitation was withdrawn or declined.")
            if mentee.accepted_at is not None:
                raise Skip("The mentee has already accepted.")
            if not mentee.user.is_active:
                raise Skip("The account is deactivated.")
            return Composed(invitation_message(mentee, email.context.get("base_url", "")))
        return build


def invitation_message(mentee: Mentee, base_url: str) -> EmailMultiAlternatives:
    user = mentee.user
    context = {
        "mentee": mentee, "user": user, "mentor": mentee.mentor, "program": mentee.program,
        "respond_url": base_url + reverse("accountability:mentee_home"),
        "set_password_url": None,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if not user.has_usable_password():
        key = default_token_generator.make_token(user)
        context["set_password_url"] = base_url + reverse(
            "invitation_welcome", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    subject = " ".join(render_to_string("emails/mentee_invitation_subject.txt", context).split())
    message = EmailMultiAlternatives(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
                                     body=render_to_string("emails/mentee_invitation.txt", context), to=[user.email])
    message.attach_alternative(render_to_string("emails/mentee_invitation.html", context), "text/html")
    return message


# --- The mentee's own pages -----------------------------------------------------------------

def mentee_home(*, user: User) -> dict:
    """Everything the mentee's home shows, in a fixed number of queries: their accepted records
    with mentor, program, mentorships, meetings (without notes), goals (without notes) and the
    feedback asked of them; and the invitations waiting for an answer."""
    records = list(
        permissions.own_mentee_records(user).select_related("mentor", "program").prefetch_related(
            Prefetch("mentorships", queryset=Mentorship.objects.order_by("-started_on", "-pk")),
            Prefetch("meetings", queryset=MenteeMeeting.objects.only(
                "pk", "mentee_id", "held_on", "duration_minutes", "mode").order_by("-held_on", "-pk")),
            Prefetch("goals", queryset=MenteeGoal.objects.only(
                "pk", "mentee_id", "text", "set_on", "target_date", "status", "added_by_mentee")),
            Prefetch("feedback_requests", queryset=FeedbackRequest.objects.only(
                "pk", "mentee_id", "reason", "asked_at", "answered_at").order_by("-asked_at", "-pk")),
        ).order_by("program__name", "pk")
    )
    return {"records": records, "invitations": list(pending_mentee_invitations(user=user))}


def get_own_record(*, user: User, pk: int) -> Mentee:
    mentee = permissions.own_mentee_records(user).filter(pk=pk).first()
    if mentee is None:
        raise Http404("No such mentorship.")
    return mentee


def get_own_goal_as_mentee(*, user: User, pk: int) -> MenteeGoal:
    goal = MenteeGoal.objects.filter(pk=pk, mentee__in=permissions.own_mentee_records(user)).first()
    if goal is None:
        raise Http404("No such goal.")
    return goal


def mentee_goal_add(*, user: User, mentee: Mentee, text: str, target_date: dt.date | None = None,
                    now: dt.datetime | None = None) -> MenteeGoal:
    """A goal the mentee sets themselves; their mentor sees it with the others."""
    if mentee.user_id != user.pk or mentee.accepted_at is None:
        raise Http404("No such mentorship.")
    today = timezone.localdate(now or timezone.now(), timezone=_zone(user))
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what the goal is."})
    if target_date is not None and target_date < today:
        raise ValidationError({"target_date": "The target date cannot be in the past."})
    goal = MenteeGoal(mentee=mentee, text=text, set_on=today, target_date=target_date, added_by_mentee=True)
    goal.full_clean()
    goal.save()
    return goal


def mentee_goal_progress(*, user: User, goal: MenteeGoal, status: str) -> MenteeGoal:
    """The mentee marks how far a goal has come; only its status changes."""
    if status not in GOAL_STATUSES:
        raise ValidationError({"status": "Choose in progress, achieved or set aside."})
    MenteeGoal.objects.filter(pk=goal.pk, mentee__user=user, mentee__accepted_at__isnull=False).update(
        status=status, updated_at=timezone.now())
    goal.status = status
    return goal


def _zone(user: User):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
