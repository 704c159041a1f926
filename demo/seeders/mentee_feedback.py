"""Demo mentees who take part: accounts, accepted invitations, and feedback on their mentors.

The demo mentor (mentor@example.org) has five mentees who answered, the program's threshold, so
their page shows the averages; mentee@example.org (password as every demo account's) is one of
them, with a request still open; Dr. Pia Rossi (new.mentee@example.org) is not invited
yet, for trying the invitation. The first extra mentor has two who answered, under
the threshold, so their page shows nothing and says why. With extra mentors, a few more have
one or two answering mentees each, so that the report's gap between self rating and mentees'
view can show. Idempotent: people, records and requests already there are left as they are.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accountability import feedback
from accountability.models import FeedbackRequest, FeedbackRound, FeedbackSchedule, Mentee, MenteeMeeting, Mentorship
from assessments.scoring import AnswerValue
from mentorprogram.models import Membership, Program, User
from toolbox.periods import academic_year, local_today

from .accountability import _months_ago
from .core import DEMO_PASSWORD

ORDER = 60  # after the assessments (the mentors' self-ratings) and accountability

NAMES = ["Dr. Amara Osei", "Dr. Ben Hartley", "Dr. Carmen Ruiz", "Dr. Dev Patel", "Dr. Elena Novak",
         "Dr. Farid Karimi", "Dr. Grace Liu", "Dr. Hugo Lambert", "Dr. Ines Costa", "Dr. Jonah Weiss",
         "Dr. Kira Holm", "Dr. Liam Byrne", "Dr. Maya Singh", "Dr. Noel Armand", "Dr. Olga Berg"]
DEMO_MENTEE = "mentee@example.org"
INVITABLE = "new.mentee@example.org"
AFTER_MEETINGS = 4
COMMENTS = [
    ("Our meetings always end with a clear next step. Thank you.", True),
    ("I would like more help meeting people outside our department.", True),
    ("Sometimes we run out of time before my questions.", False),
]


def seed(*, program: Program, people: dict, mentors: list[User]) -> str:
    today = local_today(program.time_zone)
    schedule, rounds = _seed_schedule(program, today)
    demo = people.get(Membership.Role.MENTOR)
    first_extras = sorted(mentors, key=lambda m: m.email)[:6]
    plan = ([(demo, 5)] if demo else []) + [(m, 2 if i == 0 else 1 + i % 2) for i, m in enumerate(first_extras)]
    answered = 0
    with transaction.atomic():
        for m_index, (mentor, count) in enumerate(plan):
            answered += _seed_mentees(program, mentor, count, m_index, rounds, today)
        # One not invited yet, with an address: the demo mentor's *Invite by email* to try.
        if demo and not Mentee.objects.filter(program=program, mentor=demo, email=INVITABLE).exists():
            mentee = Mentee.objects.create(program=program, mentor=demo, name="Dr. Pia Rossi", email=INVITABLE,
                                           department="Medicine", career_stage="Research fellow")
            Mentorship.objects.create(mentee=mentee, started_on=today - dt.timedelta(days=70))
            MenteeMeeting.objects.bulk_create([
                MenteeMeeting(mentee=mentee, held_on=_months_ago(today, n, 5), duration_minutes=30,
                              mode=MenteeMeeting.Mode.VIDEO) for n in range(2)])
    return f"Mentee feedback: a schedule of {len(rounds)} rounds; {answered} answers added."


def _seed_schedule(program: Program, today: dt.date):
    schedule, _ = FeedbackSchedule.objects.get_or_create(program=program, defaults={"after_meetings": AFTER_MEETINGS})
    year = academic_year(today, program.academic_year_start_month)
    mid = year.start + dt.timedelta(days=180)
    wanted = [("Start of the year", year.start), ("Mid-year", mid),
              ("Year end", year.end - dt.timedelta(days=30))]
    for name, opens_on in wanted:
        FeedbackRound.objects.get_or_create(schedule=schedule, opens_on=opens_on, defaults={"name": name})
    return schedule, [r for r in schedule.rounds.all() if r.opens_on <= today]


def _person(email: str, name: str, password: str) -> User:
    from allauth.account.models import EmailAddress

    user, _ = User.objects.get_or_create(email=email, defaults={"display_name": name, "password": password})
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _seed_mentees(program: Program, mentor: User, count: int, m_index: int, rounds, today: dt.date) -> int:
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    answered = 0
    for j in range(count):
        k = m_index * 5 + j
        email = DEMO_MENTEE if m_index == 0 and j == 0 else f"mentee{k + 1:03d}@example.org"
        name = NAMES[k % len(NAMES)]
        mentee = Mentee.objects.filter(program=program, mentor=mentor, email=email).first()
        if mentee is None:
            person = _person(email, name, password)
            mentee = Mentee.objects.create(program=program, mentor=mentor, name=name, email=email,
                                           department="Medicine", career_stage="Assistant professor", user=person,
                                           invited_at=now - dt.timedelta(days=60),
                                           accepted_at=now - dt.timedelta(days=59))
            Mentorship.objects.create(mentee=mentee, started_on=today - dt.timedelta(days=200))
            MenteeMeeting.objects.bulk_create([
                MenteeMeeting(mentee=mentee, held_on=_months_ago(today, n, 2 + k % 20), duration_minutes=45,
                              mode=list(MenteeMeeting.Mode)[(k + n) % 3], notes="Demo notes, private to the mentor.")
                for n in range(4)])
        answered += _answer(mentee, mentor, program, rounds, k, now)
    return answered


def _answer(mentee: Mentee, mentor: User, program: Program, rounds, k: int, now) -> int:
    """The earliest round is answered; the demo mentee also has a request still open."""
    if not rounds or FeedbackRequest.objects.filter(mentee=mentee).exists():
        return 0
    first = FeedbackRequest.objects.create(mentee=mentee, program=program, mentor=mentor,
                                           key=f"round:{rounds[0].pk}", reason=rounds[0].name,
                                           asked_at=now - dt.timedelta(days=20))
    structure = feedback.request_structure(first)
    if structure is None:
        return 0
    answers = {}
    for d, domain in enumerate(structure.domains):
        for item in domain.items.all():
            answers[item.pk] = AnswerValue(rating=max(1, min(7, 4 + (k + d) % 4 - (d == 2))))
    comment, share = COMMENTS[k % len(COMMENTS)]
    feedback.feedback_submit(request=first, answers=answers, structure=structure, comment=comment,
                             share_with_mentor=share, now=now - dt.timedelta(days=19))
    if mentee.email == DEMO_MENTEE:  # asked again after their fourth meeting, not answered yet
        FeedbackRequest.objects.create(mentee=mentee, program=program, mentor=mentor, key=f"meetings:{AFTER_MEETINGS}",
                                       reason=f"After {AFTER_MEETINGS} meetings", asked_at=now)
    return 1
