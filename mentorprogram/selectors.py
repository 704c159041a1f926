"""Reads for people and programs. Each takes the user and returns only what they may see."""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.http import Http404

from . import permissions
from .models import Membership, OutboundEmail, Program, User


def get_program_for_user(*, user: User, slug: str) -> Program:
    """The program page is for its members and coordinators; anyone else gets a 404."""
    try:
        return permissions.visible_programs(user).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, status__in=permissions.LIVE_STATUSES)
        .select_related("program")
        .order_by("program__name", "role")
    )


def program_members(*, program: Program, role: str | None = None) -> QuerySet[Membership]:
    qs = program.memberships.filter(status=Membership.Status.ACTIVE).select_related("user")
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("user__display_name", "user__email")


def membership_counts(*, program: Program) -> dict[tuple[str, str], int]:
    """How many people hold each role in each status in the program, in one aggregate query."""
    rows = program.memberships.values("role", "status").annotate(n=Count("pk")).order_by()
    return {(r["role"], r["status"]): r["n"] for r in rows}


def pending_invitations_for_user(*, user: User) -> QuerySet[Membership]:
    """The person's own invitations that wait for their answer."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, status=Membership.Status.INVITED, declined_at__isnull=True)
        .select_related("program").order_by("program__name", "role")
    )


def memberships_and_invitations_for_user(*, user: User) -> tuple[list[Membership], list[Membership]]:
    """``memberships_for_user`` and ``pending_invitations_for_user`` read in one query (a home page
    shows both): a person has a handful of memberships."""
    rows = list(
        Membership.objects.filter(Q(status__in=permissions.LIVE_STATUSES)
                                  | Q(status=Membership.Status.INVITED, declined_at__isnull=True), user=user)
        .select_related("program").order_by("program__name", "role")
    )
    return ([m for m in rows if m.status in permissions.LIVE_STATUSES],
            [m for m in rows if m.status == Membership.Status.INVITED])


def get_invitation_for_user(*, user: User, pk: int) -> Membership:
    """One of the person's own open invitations; anyone else's, or a settled one, is a 404."""
    membership = pending_invitations_for_user(user=user).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such invitation.")
    return membership


def unanswered_invitations(*, program: Program, limit: int = 10) -> dict:
    """For the program's coordinators: invitations nobody has answered yet (the oldest first, up
    to ``limit``), how many there are, and how many ask an account from outside the program —
    those are counted but not shown, as the coordinator does not see those people until they
    accept. One query: those seen come first, each row with both counts."""
    sees = permissions.coordinator_sees_membership_q()
    rows = list(
        Membership.objects.filter(program=program, status=Membership.Status.INVITED, declined_at__isnull=True)
        .select_related("user")
        .annotate(seen=ExpressionWrapper(sees, output_field=BooleanField()),
                  total=Window(Count("pk", filter=sees)), outside=Window(Count("pk", filter=~sees)))
        .order_by(F("seen").desc(), F("invited_at").asc(nulls_first=True), "pk")[:limit]
    )
    return {"count": rows[0].total if rows else 0, "outside": rows[0].outside if rows else 0,
            "shown": [m for m in rows if m.seen]}


def get_unanswered_invitation(*, user: User, pk: int) -> Membership:
    """An unanswered invitation of a program the user coordinates, through which they see the
    person; anything else is a 404."""
    membership = (
        Membership.objects.filter(permissions.coordinator_sees_membership_q(), pk=pk,
                                  program_id__in=permissions.coordinated_program_ids(user),
                                  status=Membership.Status.INVITED, declined_at__isnull=True)
        .select_related("user", "program").first()
    )
    if membership is None:
        raise Http404("No such invitation.")
    return membership


def failed_emails(*, program: Program, limit: int = 5) -> tuple[int, list[OutboundEmail]]:
    """The program's emails that failed for good, the latest first (up to ``limit``), and how many
    there are, counted by the same query."""
    shown = list(OutboundEmail.objects.filter(program=program, status=OutboundEmail.Status.FAILED)
                 .select_related("user").annotate(total=Window(Count("pk")))
                 .order_by("-created_at", "-pk")[:limit])
    return (shown[0].total if shown else 0), shown
