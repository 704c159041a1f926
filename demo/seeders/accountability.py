"""Demo accountability data: the program's requirements, and mentors with mentees, meetings,
goals and plans in varied states (some on track, some behind, items done and overdue).

Idempotent: a mentor who already has mentee records or a plan is left as they are. Extra
benchmark mentors are created with bulk inserts, a fixed number of statements per batch.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accountability.models import (
    AccountabilityPlan,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    PlanItem,
    PlanItemChange,
    ReportingRequirement,
)
from mentorprogram.models import Membership, Program, User
from toolbox.periods import academic_year, local_today

ORDER = 50

M = ReportingRequirement.Metric
P = ReportingRequirement.Period
REQUIREMENTS = [
    (M.MENTEE_MEETINGS, 1, P.MONTH, "Meet each of your mentees at least once a month, in person or by video."),
    (M.MENTEE_GOALS, 2, P.ACADEMIC_YEAR, "Agree at least two written goals with each mentee every year."),
    (M.COMMUNITY_ATTENDANCE, 75, P.QUARTER, "Attend at least three in four Mentor Community meetings."),
    (M.TRAINING_CREDIT, 2.5, P.ACADEMIC_YEAR, "Complete mentor training worth 2.5 credit hours a year."),
    (M.REASSESSMENT, 1, P.ACADEMIC_YEAR, "Retake the skills inventory once a year to see your progress."),
]

MENTEE_NAMES = ["Dr. Aisha Rahman", "Dr. Tomás Vidal", "Dr. Hannah Cole", "Dr. Kwame Mensah", "Dr. Yuki Sato",
                "Dr. Leila Haddad", "Dr. Marco Bianchi", "Dr. Nora Lind", "Dr. Ravi Iyer", "Dr. Sofia Petrov"]
STAGES = ["Assistant professor", "Clinical instructor", "Research fellow", "Assistant professor (clinician educator)"]
TOPICS = [
    "Reviewed the draft specific aims; agreed on two readers.",
    "Talked about clinic load and protecting writing time.",
    "Prepared for the promotion dossier conversation with the chair.",
    "Debriefed a difficult teaching evaluation; planned a peer observation.",
]
GOALS = ["Submit a career development award application", "Publish the first-author cohort paper",
         "Present at the regional education day", "Secure protected research time for next year",
         "Join a national society committee"]
ITEMS = [
    ("Complete the school's self-paced mentor training", PlanItem.Kind.COURSE, "effective-communication"),
    ("Read a chapter on aligning expectations and discuss it at the Circle", PlanItem.Kind.READING,
     "aligning-expectations"),
    ("Ask each mentee for feedback on our meetings", PlanItem.Kind.ACTIVITY, "assessing-understanding"),
    ("Attend the teaching academy's workshop series", PlanItem.Kind.COURSE, "fostering-independence"),
]


def seed(*, program: Program, people: dict, mentors: list[User]) -> str:
    today = local_today(program.time_zone)
    made = _seed_requirements(program)
    demo = people.get(Membership.Role.MENTOR)
    everyone = ([demo] if demo else []) + list(mentors)
    seeded = _seed_mentors(program, everyone, today)
    return f"Accountability: {made} requirements added, {seeded} mentors given mentees and plans."


def _seed_requirements(program: Program) -> int:
    made = 0
    for metric, target, period, description in REQUIREMENTS:
        _, created = ReportingRequirement.objects.get_or_create(
            program=program, metric=metric,
            defaults={"target": target, "period": period, "description": description},
        )
        made += created
    return made


def _months_ago(today: dt.date, months: int, day: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months
    candidate = dt.date(index // 12, index % 12 + 1, min(day, 28))
    return min(candidate, today)


@transaction.atomic
def _seed_mentors(program: Program, mentors: list[User], today: dt.date) -> int:
    if not mentors:
        return 0
    ids = [m.pk for m in mentors]
    done = set(Mentee.objects.filter(program=program, mentor_id__in=ids).values_list("mentor_id", flat=True))
    done |= set(AccountabilityPlan.objects.filter(program=program, mentor_id__in=ids)
                .values_list("mentor_id", flat=True))
    todo = [m for m in mentors if m.pk not in done]
    if not todo:
        return 0
    now = timezone.now()
    year = academic_year(today, program.academic_year_start_month)

    mentees = []
    for i, mentor in enumerate(todo):
        for j in range(1 + (i % 3)):
            k = i * 3 + j
            mentees.append(Mentee(program=program, mentor=mentor, name=MENTEE_NAMES[k % len(MENTEE_NAMES)],
                                  department="Medicine", career_stage=STAGES[k % len(STAGES)]))
    Mentee.objects.bulk_create(mentees, batch_size=1000)
    mentees = list(Mentee.objects.filter(program=program, mentor__in=todo).order_by("pk"))
    index = {m.pk: i for i, m in enumerate(todo)}

    mentorships, meetings, goals = [], [], []
    for k, mentee in enumerate(mentees):
        i = index[mentee.mentor_id]
        started = _months_ago(today, 10 + k % 8, 1)
        ended = i % 11 == 10 and k % 2 == 0
        mentorships.append(Mentorship(
            mentee=mentee, started_on=started, status=Mentorship.Status.ENDED if ended else Mentorship.Status.ACTIVE,
            ended_on=_months_ago(today, 2, 20) if ended else None,
        ))
        # Pattern by mentor: 0 meets monthly, 1 skipped this month, 2 met twice a month lately, 3 rarely.
        pattern = i % 4
        for months in range(0, 6):
            if pattern == 3 and months % 3:
                continue
            if pattern == 1 and months == 0:
                continue
            day = 3 + (k * 5 + months * 7) % 24
            held = _months_ago(today, months, day)
            meetings.append(MenteeMeeting(mentee=mentee, held_on=held, duration_minutes=30 + 15 * ((k + months) % 4),
                                          mode=list(MenteeMeeting.Mode)[(k + months) % 3],
                                          notes=TOPICS[(k + months) % len(TOPICS)]))
            if pattern == 2 and months < 2 and held.day > 1:
                meetings.append(MenteeMeeting(mentee=mentee, held_on=held - dt.timedelta(days=1),
                                              duration_minutes=20, mode=MenteeMeeting.Mode.PHONE))
        for g in range(0 if pattern == 3 else 1 + k % 2):
            set_on = max(year.start, _months_ago(today, 2 + g, 10))
            goals.append(MenteeGoal(
                mentee=mentee, text=GOALS[(k + g) % len(GOALS)], set_on=set_on,
                target_date=set_on + dt.timedelta(days=180),
                status=MenteeGoal.Status.ACHIEVED if (k + g) % 5 == 0 else MenteeGoal.Status.OPEN,
                notes="Agreed during our meeting; revisit next quarter.",
            ))
    Mentorship.objects.bulk_create(mentorships, batch_size=1000)
    MenteeMeeting.objects.bulk_create(meetings, batch_size=1000)
    MenteeGoal.objects.bulk_create(goals, batch_size=1000)

    plans = [AccountabilityPlan(program=program, mentor=m, period_start=year.start, period_end=year.end)
             for i, m in enumerate(todo) if i % 5 != 4]  # every fifth mentor has not started a plan
    AccountabilityPlan.objects.bulk_create(plans, batch_size=1000)
    plans = list(AccountabilityPlan.objects.filter(program=program, mentor__in=todo, period_start=year.start))
    items = []
    for plan in plans:
        i = index[plan.mentor_id]
        for n, (title, kind, domain) in enumerate(ITEMS[: 2 + i % 3]):
            state = (i + n) % 4
            due = today + dt.timedelta(days=(-20, 12, 25, 75)[state])
            done = state == 0 and n % 2 == 0
            items.append(PlanItem(
                plan=plan, title=title, kind=kind, domain_key=domain, domain_name=domain.replace("-", " ").capitalize(),
                due_on=due, status=PlanItem.Status.DONE if done else
                (PlanItem.Status.IN_PROGRESS if state == 1 else PlanItem.Status.PLANNED),
                completed_on=due - dt.timedelta(days=3) if done and due - dt.timedelta(days=3) <= today else
                (today if done else None),
                evidence="Certificate of completion saved to my portfolio." if done else "",
            ))
    PlanItem.objects.bulk_create(items, batch_size=1000)
    created = PlanItem.objects.filter(plan__in=plans).select_related("plan")
    PlanItemChange.objects.bulk_create(
        [PlanItemChange(item=item, changed_by_id=item.plan.mentor_id, changed_at=now, version=1,
                        action=PlanItemChange.Action.CREATED,
                        changes={"title": [None, item.title], "status": [None, item.status]})
         for item in created],
        batch_size=1000,
    )
    return len(todo)
