"""Reads for mentors' own accountability: their mentees, plans and the plan items due soon. Each
takes the user (or is called by code that already checked permission) and keeps its query
count fixed whatever the amount of data. Progress against the requirements is in ``progress``,
the coordinators' reads in ``compliance``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

from mentorprogram.models import Program, User
from toolbox.periods import academic_year, local_today

from . import permissions
from .models import (
    AccountabilityPlan,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    PlanItem,
    PlanItemChange,
)

DUE_SOON_DAYS = 30


# --- Mentees --------------------------------------------------------------------------------

def get_mentee_for_user(*, user: User, pk: int) -> Mentee:
    """The mentee's mentor and the program's coordinators; anyone else gets a 404."""
    try:
        return permissions.visible_mentees(user).select_related("program", "mentor").get(pk=pk)
    except Mentee.DoesNotExist:
        raise Http404("No such mentee.") from None


def get_own_mentee(*, user: User, pk: int) -> Mentee:
    mentee = get_mentee_for_user(user=user, pk=pk)
    if not permissions.can_edit_mentee(user, mentee):
        raise Http404("No such mentee.")
    return mentee


def own_mentees(*, user: User) -> QuerySet[Mentee]:
    return Mentee.objects.filter(mentor=user, program_id__in=permissions.mentor_program_ids(user))


def mentee_list(*, user: User) -> list[Mentee]:
    """The mentor's mentees with their open mentorship, meeting count and last meeting date."""
    return list(
        own_mentees(user=user)
        .select_related("program")
        .annotate(
            meeting_count=Count("meetings", distinct=True),
            open_goal_count=Count("goals", filter=Q(goals__status=MenteeGoal.Status.OPEN), distinct=True),
        )
        .prefetch_related(
            Prefetch("mentorships", queryset=Mentorship.objects.order_by("-started_on", "-pk"), to_attr="periods"),
            Prefetch("meetings", queryset=MenteeMeeting.objects.only("pk", "mentee_id", "held_on")
                     .order_by("-held_on", "-pk"), to_attr="meeting_dates"),
        )
        .order_by("program__name", "name")
    )


def mentee_detail(*, mentee: Mentee) -> dict:
    """A mentee's mentorships, meetings and goals: three queries."""
    return {
        "mentorships": list(mentee.mentorships.all()),
        "meetings": list(mentee.meetings.all()),
        "goals": list(mentee.goals.all()),
    }


def get_own_meeting(*, user: User, pk: int) -> MenteeMeeting:
    try:
        return MenteeMeeting.objects.select_related("mentee").get(pk=pk, mentee__mentor=user)
    except MenteeMeeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def get_own_goal(*, user: User, pk: int) -> MenteeGoal:
    try:
        return MenteeGoal.objects.select_related("mentee").get(pk=pk, mentee__mentor=user)
    except MenteeGoal.DoesNotExist:
        raise Http404("No such goal.") from None


# --- Plans ----------------------------------------------------------------------------------

def get_plan_for_user(*, user: User, pk: int) -> AccountabilityPlan:
    try:
        return permissions.visible_plans(user).select_related("program", "mentor").get(pk=pk)
    except AccountabilityPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def get_item_for_user(*, user: User, pk: int) -> PlanItem:
    try:
        return PlanItem.objects.select_related("plan__program", "plan__mentor").get(
            pk=pk, plan__in=permissions.visible_plans(user)
        )
    except PlanItem.DoesNotExist:
        raise Http404("No such plan item.") from None


def mentor_programs(*, user: User) -> list[Program]:
    return list(Program.objects.filter(pk__in=permissions.mentor_program_ids(user)).order_by("name"))


def current_plans(*, user: User, programs: list[Program], now: datetime | None = None) -> dict[int, AccountabilityPlan]:
    """The mentor's plan for the current academic year of each program, by program id."""
    if not programs:
        return {}
    starts = {academic_year(local_today(p.time_zone, now), p.academic_year_start_month).start for p in programs}
    plans = AccountabilityPlan.objects.filter(mentor=user, program__in=programs, period_start__in=starts)
    wanted = {p.pk: academic_year(local_today(p.time_zone, now), p.academic_year_start_month).start
              for p in programs}
    return {plan.program_id: plan for plan in plans if wanted.get(plan.program_id) == plan.period_start}


def plan_detail(*, plan: AccountabilityPlan) -> dict:
    """Items grouped open-first, and the plan's history: two queries."""
    items = list(plan.items.order_by("due_on", "pk"))
    history = list(
        PlanItemChange.objects.filter(item__plan=plan).select_related("changed_by", "item").order_by("-changed_at",
                                                                                                     "-pk")[:200]
    )
    open_items = [i for i in items if i.is_open]
    closed = [i for i in items if not i.is_open]
    return {"open_items": open_items, "closed_items": closed, "history": history, "item_count": len(items)}


def items_due_soon(*, user: User, today: date, days: int = DUE_SOON_DAYS,
                   program_ids: set[int] | None = None) -> list[PlanItem]:
    """Open items of the mentor's plans due within ``days`` (overdue ones included), one query.
    ``program_ids``: the programs the user is a live mentor in, when the caller already knows them."""
    return list(
        PlanItem.objects.filter(
            plan__mentor=user,
            plan__program_id__in=permissions.mentor_program_ids(user) if program_ids is None else program_ids,
            status__in=PlanItem.OPEN_STATUSES, due_on__isnull=False, due_on__lte=today + timedelta(days=days),
        )
        .order_by("due_on", "pk")[:10]
    )
