"""Writes for accountability. Each validates before it saves and changes nothing when the
input is bad (a ``ValidationError`` keyed by field)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mentorprogram import audit
from mentorprogram.models import Program, User
from toolbox import datetimes
from toolbox.periods import academic_year, local_today

from . import permissions, sources
from .models import (
    AccountabilityPlan,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    PlanItem,
    PlanItemChange,
)

FIRST_DUE_DAYS = 30  # the first proposed item without a session is due a month from now
TRACKED_ITEM_FIELDS = ("title", "description", "kind", "domain_key", "domain_name", "link", "due_on", "status",
                       "completed_on", "evidence")


def _today(user: User, now: datetime | None) -> date:
    return local_today(user.time_zone, now)


def _require_mentor(user: User, program: Program) -> None:
    if program.pk not in permissions.mentor_program_ids(user):
        raise ValidationError({"program": "You are not a mentor in this program."})


# --- Mentees --------------------------------------------------------------------------------

@transaction.atomic
def mentee_create(*, mentor: User, program: Program, name: str, email: str = "", department: str = "",
                  career_stage: str = "", started_on: date | None = None, now: datetime | None = None) -> Mentee:
    """A new mentee record and its first (active) mentorship, which may not start in the future."""
    _require_mentor(mentor, program)
    today = _today(mentor, now)
    started_on = started_on or today
    if started_on > today:
        raise ValidationError({"started_on": "A mentorship cannot start in the future."})
    mentee = Mentee(program=program, mentor=mentor, name=name, email=email, department=department,
                    career_stage=career_stage)
    mentee.full_clean()
    mentee.save()
    mentorship = Mentorship(mentee=mentee, started_on=started_on)
    mentorship.full_clean()
    mentorship.save()
    return mentee


@transaction.atomic
def mentee_update(*, by: User, mentee: Mentee, name: str, email: str = "", department: str = "",
                  career_stage: str = "", status: str | None = None, ended_on: date | None = None,
                  now: datetime | None = None) -> Mentee:
    """Edit the record; a status change ends, pauses or resumes the mentorship.

    Resuming after an end starts a new mentorship today, so the earlier one keeps its dates.
    """
    if not permissions.can_edit_mentee(by, mentee):
        raise PermissionDenied
    today = _today(by, now)
    for field, value in {"name": name, "email": email, "department": department,
                         "career_stage": career_stage}.items():
        setattr(mentee, field, value)
    mentee.full_clean()
    mentee.save()
    if status is None:
        return mentee
    current = mentee.mentorships.exclude(status=Mentorship.Status.ENDED).first()
    if status == Mentorship.Status.ENDED:
        if current is None:
            return mentee
        ended_on = ended_on or today
        if ended_on > today:
            raise ValidationError({"ended_on": "The end date cannot be in the future."})
        if ended_on < current.started_on:
            started = datetimes.format_date(current.started_on)
            raise ValidationError({"ended_on": f"The mentorship started on {started}."})
        current.status, current.ended_on = status, ended_on
    elif current is None:
        current = Mentorship(mentee=mentee, started_on=today, status=status)
    else:
        current.status = status
    current.full_clean()
    current.save()
    return mentee


def _check_own_mentee(by: User, mentee: Mentee | None) -> None:
    if mentee is None or mentee.mentor_id != by.pk:
        raise ValidationError({"mentee": "Choose one of your own mentees."})


def _check_meeting(*, held_on: date, today: date, duration_minutes: int) -> None:
    errors = {}
    if held_on > today:
        errors["held_on"] = "A meeting cannot be logged before it happens: choose today or an earlier date."
    if not duration_minutes or duration_minutes < 1:
        errors["duration_minutes"] = "A meeting lasts at least one minute."
    elif duration_minutes > 24 * 60:
        errors["duration_minutes"] = "A meeting cannot last more than 24 hours (1440 minutes)."
    if errors:
        raise ValidationError(errors)


def mentee_meeting_log(*, by: User, mentee: Mentee, held_on: date, duration_minutes: int, mode: str,
                       notes: str = "", now: datetime | None = None) -> MenteeMeeting:
    """Record a meeting with one of the mentor's own mentees, on or before today."""
    _check_own_mentee(by, mentee)
    _check_meeting(held_on=held_on, today=_today(by, now), duration_minutes=duration_minutes)
    meeting = MenteeMeeting(mentee=mentee, held_on=held_on, duration_minutes=duration_minutes, mode=mode,
                            notes=notes)
    meeting.full_clean()
    meeting.save()
    return meeting


def mentee_meeting_update(*, by: User, meeting: MenteeMeeting, mentee: Mentee, held_on: date,
                          duration_minutes: int, mode: str, notes: str = "",
                          now: datetime | None = None) -> MenteeMeeting:
    _check_own_mentee(by, meeting.mentee)
    _check_own_mentee(by, mentee)
    _check_meeting(held_on=held_on, today=_today(by, now), duration_minutes=duration_minutes)
    meeting.mentee, meeting.held_on, meeting.duration_minutes = mentee, held_on, duration_minutes
    meeting.mode, meeting.notes = mode, notes
    meeting.full_clean()
    meeting.save()
    return meeting


def _check_goal(*, set_on: date, target_date: date | None, today: date) -> None:
    errors = {}
    if set_on > today:
        errors["set_on"] = "A goal cannot be set in the future: choose today or an earlier date."
    if target_date and target_date < set_on:
        errors["target_date"] = "The target date comes after the day the goal was set."
    if errors:
        raise ValidationError(errors)


def mentee_goal_set(*, by: User, mentee: Mentee, text: str, set_on: date, target_date: date | None = None,
                    notes: str = "", status: str = MenteeGoal.Status.OPEN,
                    now: datetime | None = None) -> MenteeGoal:
    """A goal for one of the mentor's own mentees."""
    _check_own_mentee(by, mentee)
    _check_goal(set_on=set_on, target_date=target_date, today=_today(by, now))
    goal = MenteeGoal(mentee=mentee, text=text, set_on=set_on, target_date=target_date, notes=notes, status=status)
    goal.full_clean()
    goal.save()
    return goal


def mentee_goal_update(*, by: User, goal: MenteeGoal, mentee: Mentee, text: str, set_on: date,
                       target_date: date | None = None, notes: str = "", status: str = MenteeGoal.Status.OPEN,
                       now: datetime | None = None) -> MenteeGoal:
    _check_own_mentee(by, goal.mentee)
    _check_own_mentee(by, mentee)
    _check_goal(set_on=set_on, target_date=target_date, today=_today(by, now))
    goal.mentee, goal.text, goal.set_on, goal.target_date = mentee, text, set_on, target_date
    goal.notes, goal.status = notes, status
    goal.full_clean()
    goal.save()
    return goal


# --- Plans ----------------------------------------------------------------------------------

def plan_get_or_create(*, mentor: User, program: Program, now: datetime | None = None) -> AccountabilityPlan:
    """The mentor's plan for the program's current academic year, created when first needed."""
    _require_mentor(mentor, program)
    year = academic_year(local_today(program.time_zone, now), program.academic_year_start_month)
    try:
        with transaction.atomic():
            plan, _ = AccountabilityPlan.objects.get_or_create(
                program=program, mentor=mentor, period_start=year.start, defaults={"period_end": year.end},
            )
    except IntegrityError:  # created by a concurrent request
        plan = AccountabilityPlan.objects.get(program=program, mentor=mentor, period_start=year.start)
    return plan


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


def _record(item: PlanItem, *, by: User | None, action: str, changes: dict, now: datetime) -> PlanItemChange:
    return PlanItemChange.objects.create(item=item, changed_by=by, changed_at=now, action=action,
                                         version=item.version, changes=changes)


def plan_item_validate(values: dict, *, today: date) -> None:
    """A done item has a completion date (not in the future) and evidence; an open one has neither date."""
    errors = {}
    if values.get("status") == PlanItem.Status.DONE:
        if not values.get("completed_on"):
            errors["completed_on"] = "Give the date it was completed."
        elif values["completed_on"] > today:
            errors["completed_on"] = "The completion date cannot be in the future."
        if not (values.get("evidence") or "").strip():
            errors["evidence"] = "Say briefly what shows it is done (a certificate, a session attended, notes)."
    elif values.get("completed_on"):
        errors["completed_on"] = "Only a done item has a completion date; set the status to Done or clear the date."
    if errors:
        raise ValidationError(errors)


def plan_item_add(*, plan: AccountabilityPlan, by: User, title: str, description: str = "",
                  kind: str = PlanItem.Kind.ACTIVITY, due_on: date | None = None,
                  status: str = PlanItem.Status.PLANNED, completed_on: date | None = None, evidence: str = "",
                  domain_key: str = "", domain_name: str = "", link: str = "", source_key: str = "",
                  now: datetime | None = None) -> PlanItem:
    """Add an item to a plan the person may edit, and record it in the plan's history."""
    if not permissions.can_edit_plan(by, plan):
        raise PermissionDenied
    now = now or timezone.now()
    values = {"title": title, "description": description, "kind": kind, "due_on": due_on, "status": status,
              "completed_on": completed_on, "evidence": evidence, "domain_key": domain_key,
              "domain_name": domain_name, "link": link}
    plan_item_validate(values, today=_today(by, now))
    item = PlanItem(plan=plan, source_key=source_key, **values)
    item.full_clean()
    with transaction.atomic():
        item.save()
        _record(item, by=by, action=PlanItemChange.Action.CREATED, now=now,
                changes={f: [None, _json(getattr(item, f))] for f in TRACKED_ITEM_FIELDS if getattr(item, f)})
    return item


class StaleEdit(ValidationError):
    pass


def plan_item_update(*, item: PlanItem, by: User, version: int, now: datetime | None = None,
                     **fields) -> PlanItem:
    """Change an item, keeping what it was in the history.

    ``version`` is the version the person's form was built from: if someone else saved the item
    since, nothing is saved and a ``StaleEdit`` says so, rather than overwrite their change.
    """
    if not permissions.can_edit_plan(by, item.plan):
        raise PermissionDenied
    unknown = set(fields) - set(TRACKED_ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    before = {f: getattr(item, f) for f in TRACKED_ITEM_FIELDS}
    after = {**before, **fields}
    plan_item_validate(after, today=_today(by, now))
    changes = {f: [_json(before[f]), _json(after[f])] for f in TRACKED_ITEM_FIELDS if before[f] != after[f]}
    if not changes:
        return item
    candidate = PlanItem(pk=item.pk, plan=item.plan, source_key=item.source_key, version=version + 1, **after)
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        updated = PlanItem.objects.filter(pk=item.pk, version=version).update(
            version=F("version") + 1, updated_at=now, **after
        )
        if updated != 1:
            raise StaleEdit("Someone changed this item after you opened it. Nothing was saved: "
                            "look at the current version below and make your change again.")
        item.refresh_from_db()
        audit.record_change(item, changes)  # a conditional UPDATE: django-auditlog does not see it
        completed = after["status"] == PlanItem.Status.DONE and before["status"] != PlanItem.Status.DONE
        action = PlanItemChange.Action.COMPLETED if completed else PlanItemChange.Action.UPDATED
        _record(item, by=by, action=action, changes=changes, now=now)
    return item


@dataclass(frozen=True)
class Proposal:
    """One item the plan could take, shown to the mentor to choose from before anything is added."""

    source_key: str
    title: str
    kind: str
    due_on: date
    description: str = ""
    link: str = ""
    domain_key: str = ""
    domain_name: str = ""
    label: str = ""  # how the checklist of proposals names it, when not the title
    session_on: date | None = None

    def item_fields(self) -> dict:
        return {"source_key": self.source_key, "title": self.title, "kind": self.kind, "due_on": self.due_on,
                "description": self.description, "link": self.link, "domain_key": self.domain_key,
                "domain_name": self.domain_name}


def _spread(count: int, *, first: date, last: date) -> list[date]:
    """``count`` due dates from ``first`` to ``last``, evenly apart, so a plan is not all due on one day."""
    if count <= 0:
        return []
    if last <= first or count == 1:
        return [min(first, last)] * count
    step = (last - first) / count
    return [first + step * i for i in range(count)]


def plan_proposals(*, plan: AccountabilityPlan, now: datetime | None = None) -> list[Proposal]:
    """What the gaps of the mentor's latest self-assessments (the latest submitted response of each
    instrument) suggest for this plan, less what the plan already holds and the catalog items the
    mentor has completed.

    Each weak domain brings the catalog's courses and readings tagged with it, or a free-text
    activity when the catalog has none; each checklist item not yet in place becomes an item.
    Due dates spread over what remains of the plan's period: an item with a session in the period
    is due on its day, the others after it, the soonest session first.
    """
    now = now or timezone.now()
    gaps = sources.latest_gaps(user=plan.mentor, program=plan.program)
    domain_gaps = [g for g in gaps if not g.is_checklist_item]
    suggestions = sources.suggestions_for_domains(program=plan.program, user=plan.mentor,
                                                  domain_keys=[g.domain_key for g in domain_gaps],
                                                  exclude_completed_by=plan.mentor, now=now)
    today = local_today(plan.program.time_zone, now)
    first_due = min(today + dt.timedelta(days=FIRST_DUE_DAYS), plan.period_end - dt.timedelta(days=1))
    last_due = plan.period_end - dt.timedelta(days=1)
    raw: list[dict] = []
    for gap in domain_gaps:
        offered = suggestions.get(gap.domain_key) or []
        for s in offered:
            raw.append({"source_key": s.key, "title": s.title, "kind": s.kind, "link": s.link,
                        "description": s.description, "domain_key": gap.domain_key,
                        "domain_name": gap.domain_name, "session_on": s.next_session_on})
        if not offered:
            raw.append({
                "source_key": f"domain:{gap.domain_key}", "kind": PlanItem.Kind.ACTIVITY,
                "title": f"Strengthen “{gap.domain_name}”",
                "description": (f"Your latest score here was {gap.score:g}. Choose an activity that builds "
                                "this skill (a session with a peer mentor, a reading, or feedback from a "
                                "mentee) and note what you did."),
                "domain_key": gap.domain_key, "domain_name": gap.domain_name,
            })
    for gap in gaps:
        if gap.is_checklist_item:
            raw.append({"source_key": f"checklist:{gap.item_key}", "kind": PlanItem.Kind.CHECKLIST,
                        "title": gap.item_prompt[:300], "label": f"{gap.answer_label}: {gap.item_prompt}",
                        "description": f"On the readiness checklist you answered “{gap.answer_label}”.",
                        "domain_key": gap.domain_key, "domain_name": gap.domain_name})
    held = set(plan.items.exclude(source_key="").values_list("source_key", flat=True))
    unique: list[dict] = []
    for proposal in raw:
        if proposal["source_key"] not in held:
            held.add(proposal["source_key"])
            unique.append(proposal)
    in_period = [p for p in unique if p.get("session_on") and today <= p["session_on"] < plan.period_end]
    in_period.sort(key=lambda p: p["session_on"])
    others = [p for p in unique if p not in in_period]
    after = max([first_due, *(p["session_on"] + dt.timedelta(days=7) for p in in_period)])
    dates = _spread(len(others), first=after, last=last_due)
    proposals = [Proposal(due_on=p["session_on"], **p) for p in in_period]
    proposals += [Proposal(due_on=due, **p) for p, due in zip(others, dates, strict=True)]
    return proposals


def plan_propose_from_baseline(*, plan: AccountabilityPlan, by: User, keys: list[str] | None = None,
                               now: datetime | None = None) -> list[PlanItem]:
    """Add the proposals the mentor ticked (by source key; all of them when ``keys`` is None).

    A key no longer proposed (added since, or its gap closed) is skipped, so a form sent twice
    adds nothing the second time.
    """
    if not permissions.can_edit_plan(by, plan):
        raise PermissionDenied
    now = now or timezone.now()
    chosen = plan_proposals(plan=plan, now=now)
    if keys is not None:
        wanted = set(keys)
        chosen = [p for p in chosen if p.source_key in wanted]
    added = []
    with transaction.atomic():
        for proposal in chosen:
            added.append(plan_item_add(plan=plan, by=by, now=now, **proposal.item_fields()))
        if added:
            AccountabilityPlan.objects.filter(pk=plan.pk).update(proposed_at=now)
    return added
