"""Demo assessments: the demo mentor's baselines and a follow-up that shows growth, the demo
faculty member's baselines, and a mix of states for the extra mentors (created in bulk): some
with nothing yet, a draft, baselines whose follow-up is now due (the program asks for one 6 and 12
months after the baseline), or baselines and a follow-up. Of those with a follow-up, half took
training in between (the courses seeder records it, see ``follow_up_group``) and grew more."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import selectors, services
from assessments.defaults import install_default_instruments
from assessments.models import Answer, Domain, FollowUpCadence, Instrument, InstrumentVersion, Item, Response
from mentorprogram.models import Program, User

ORDER = 10


@dataclass
class Planned:
    user: User
    version: InstrumentVersion
    occasion: str  # "" for a draft
    submitted_at: datetime | None
    answers: dict[int, dict]


def follow_up_group(i: int) -> str | None:
    """What the ``i``-th extra mentor did: "trained" (baselines, a course, a follow-up), "untrained"
    (baselines and a follow-up, no course in between), or None (no follow-up)."""
    state = i % 10
    if state < 4:
        return None
    return "trained" if state % 2 == 0 else "untrained"


def _skills_answers(items: list[Item], rng: random.Random, level: float, share: float = 1.0) -> dict[int, dict]:
    """Ratings around ``level`` (1–7); some "not applicable"; the first ``share`` of items only."""
    answers = {}
    for item in items[: round(len(items) * share)]:
        if rng.random() < 0.06:
            answers[item.pk] = {"not_applicable": True}
            continue
        rating = max(1, min(7, round(rng.gauss(level, 1.0))))
        willingness = rng.choices(["willing", "not_sure", "not_willing"], weights=[7, 2, 1])[0]
        answers[item.pk] = {"rating": rating, "willingness": willingness}
    return answers


def _checklist_answers(items: list[Item], rng: random.Random, yes_share: float) -> dict[int, dict]:
    return {
        item.pk: {"choice": "yes" if rng.random() < yes_share else rng.choice(["not_yet", "unsure"])} for item in items
    }


def _plan(program: Program, people: dict, mentors: list[User], versions: dict[str, InstrumentVersion],
          items: dict[str, list[Item]], now: datetime) -> list[Planned]:
    plans: list[Planned] = []
    readiness, skills = versions.get(Instrument.Kind.READINESS), versions.get(Instrument.Kind.SKILLS)
    mentor, faculty = people.get("mentor"), people.get("faculty")
    if mentor is not None:
        rng = random.Random(1)  # noqa: S311 — demo data, not security
        if readiness:
            plans.append(Planned(mentor, readiness, "baseline", now - timedelta(days=200),
                                 _checklist_answers(items["readiness"], rng, 0.8)))
        if skills:
            plans.append(Planned(mentor, skills, "baseline", now - timedelta(days=180),
                                 _skills_answers(items["skills"], rng, 3.6)))
            plans.append(Planned(mentor, skills, "follow_up", now - timedelta(days=20),
                                 _skills_answers(items["skills"], rng, 5.2)))
    if faculty is not None:
        rng = random.Random(2)  # noqa: S311
        if readiness:
            plans.append(Planned(faculty, readiness, "baseline", now - timedelta(days=30),
                                 _checklist_answers(items["readiness"], rng, 0.6)))
        if skills:
            plans.append(Planned(faculty, skills, "baseline", now - timedelta(days=25),
                                 _skills_answers(items["skills"], rng, 3.2)))
    for i, person in enumerate(mentors):
        rng = random.Random(1000 + i)  # noqa: S311
        state = i % 10  # 0: nothing yet; 1: a skills draft; 2–3: baselines; 4–9: baselines and a follow-up
        if state == 0 or not skills:
            continue
        if state == 1:
            plans.append(Planned(person, skills, "", None, _skills_answers(items["skills"], rng, 4, share=0.4)))
            continue
        start = now - timedelta(days=rng.randint(60, 330))
        if state in (2, 3):  # baselines only: a follow-up overdue (eight months on) or just due (six)
            start = now - timedelta(days=240 if state == 2 else 186)
        level = rng.uniform(2.8, 5.2)
        if readiness:
            plans.append(Planned(person, readiness, "baseline", start - timedelta(days=3),
                                 _checklist_answers(items["readiness"], rng, rng.uniform(0.5, 1.0))))
        plans.append(Planned(person, skills, "baseline", start, _skills_answers(items["skills"], rng, level)))
        group = follow_up_group(i)
        if group is not None:
            gain = rng.uniform(0.8, 1.6) if group == "trained" else rng.uniform(0.0, 0.8)
            plans.append(Planned(person, skills, "follow_up", start + timedelta(days=rng.randint(20, 50)),
                                 _skills_answers(items["skills"], rng, min(7, level + gain))))
    return plans


@transaction.atomic
def seed(*, program: Program, people: dict, mentors: list[User]) -> str:
    now = timezone.now()
    install_default_instruments(Instrument=Instrument, InstrumentVersion=InstrumentVersion, Domain=Domain,
                                Item=Item, now=now - timedelta(days=365))
    current = selectors.current_versions(program_ids=[program.pk], now=now)[program.pk]
    versions = {v.instrument.kind: v for v in current if v.instrument.kind in (Instrument.Kind.READINESS,
                                                                               Instrument.Kind.SKILLS)}
    items = {kind: list(Item.objects.filter(domain__version=v).order_by("domain__order", "order"))
             for kind, v in versions.items()}
    plans = _plan(program, people, mentors, versions, items, now)
    if Instrument.Kind.SKILLS in versions:
        cadence = FollowUpCadence(program=program, instrument=versions[Instrument.Kind.SKILLS].instrument,
                                  rule=FollowUpCadence.Rule.MONTHS, months="6, 12", overdue_after_days=30)
        FollowUpCadence.objects.bulk_create([cadence], ignore_conflicts=True)

    # Idempotent: a person who already has a response to an instrument here is left as they are.
    users = {p.user.pk for p in plans}
    taken = set(Response.objects.filter(program=program, user_id__in=users)
                .values_list("user_id", "instrument_id").distinct())
    plans = [p for p in plans if (p.user.pk, p.version.instrument_id) not in taken]
    if not plans:
        return "Assessments: nothing to add."

    Response.objects.bulk_create([
        Response(user=p.user, program=program, instrument_id=p.version.instrument_id, version=p.version,
                 status=Response.Status.SUBMITTED if p.occasion else Response.Status.DRAFT,
                 occasion=p.occasion, submitted_at=p.submitted_at)
        for p in plans
    ], batch_size=500)
    created = {
        (r.user_id, r.instrument_id, r.occasion): r.pk
        for r in Response.objects.filter(program=program, user_id__in={p.user.pk for p in plans})
    }
    answers = [
        Answer(response_id=created[(p.user.pk, p.version.instrument_id, p.occasion)], item_id=item_id, **values)
        for p in plans for item_id, values in p.answers.items()
    ]
    Answer.objects.bulk_create(answers, batch_size=1000)
    Response.objects.filter(pk__in=created.values(), submitted_at__isnull=False).update(
        started_at=F("submitted_at") - timedelta(days=1), updated_at=F("submitted_at"))
    services.domain_scores_record(response_ids=[created[(p.user.pk, p.version.instrument_id, p.occasion)]
                                                for p in plans if p.occasion])
    submitted = sum(1 for p in plans if p.occasion)
    return f"Assessments: {submitted} submitted responses and {len(plans) - submitted} drafts, {len(answers)} answers."
