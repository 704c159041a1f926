"""A person with one of everything the app can hold about someone (tests/mentorprogram/test_personal_data*.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import factory
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accountability.models import Mentee, Nudge, PlanItemChange
from assessments.models import Answer, Item
from community.models import Acknowledgement, AgendaItem, CalendarFeed
from mentorprogram.models import AuditEntry, DataExport, Membership, OutboundEmail, PrivacyThresholdChange, User

from .accountability import (
    AccountabilityPlanFactory,
    FeedbackRequestFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    NudgeFactory,
    PlanItemFactory,
    answer_feedback,
)
from .assessments import make_instrument, make_response
from .community import (
    AttendanceFactory,
    ChallengeFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    ProcessAgreementFactory,
    RsvpFactory,
)
from .core import MembershipFactory, OutboundEmailFactory, UserFactory
from .courses import CompletionFactory, CourseFactory
from .reminders import ReminderDeliveryFactory


class DataExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataExport

    user = factory.SubFactory(UserFactory)
    status = DataExport.Status.READY
    ready_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=72))
    content = b"PK\x05\x06" + b"\x00" * 18  # an empty zip
    size = 22


def make_person_with_everything(program, tag: str, *, other: User | None = None) -> SimpleNamespace:
    """A mentor of ``program`` named after ``tag``, with a row in every table that can refer to a
    person, each free text marked ``Secret-<tag>`` so that a scan finds what was left behind.
    ``other`` (another member) receives what this person does to others' records."""
    name, email, secret = f"Quillon {tag} Marchetti", f"quillon.{tag.lower()}@example.org", f"Secret-{tag}"
    person = UserFactory(display_name=name, email=email)
    MembershipFactory(user=person, program=program, role=Membership.Role.MENTOR, department=f"Cardiology {secret}")
    other = other or UserFactory()
    made = SimpleNamespace(person=person, name=name, email=email, secret=secret, other=other)

    # Accounts: a second factor, a single sign-on link with its token, a session, the admin's log.
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": f"TOTP{tag}"})
    account = SocialAccount.objects.create(user=person, provider="openid_connect", uid=f"uid-{tag}",
                                           extra_data={"name": name, "email": email})
    SocialToken.objects.create(account=account, token=f"token-{tag}")
    session = SessionStore()
    session["_auth_user_id"] = str(person.pk)
    session.create()
    made.session_key = session.session_key
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.create(user=other, content_type=user_type, object_id=str(person.pk), object_repr=str(person),
                            action_flag=CHANGE, change_message=f'[{{"added": {{"object": "{name} — Mentor"}}}}]')
    LogEntry.objects.create(user=person, content_type=user_type, object_id=str(other.pk), object_repr=str(other),
                            action_flag=ADDITION, change_message="")
    AuditEntry.objects.create(content_type=user_type, object_pk=str(other.pk), object_id=other.pk,
                              object_repr=str(other), action=AuditEntry.Action.ACCESS, changes={},
                              actor=person, actor_email=email, person=other)  # a look at another's data
    PrivacyThresholdChange.objects.create(program=program, changed_by=person, changed_by_email=email,
                                          old_threshold=5, new_threshold=6)

    # Self-assessments: a skills inventory and a free-text checklist.
    made.response = make_response(person, program, make_instrument(program, domains=1, items_per_domain=2))
    text_version = make_instrument(program, domains=1, items_per_domain=1, response_type=Item.ResponseType.TEXT)
    text_response = make_response(person, program, text_version)
    Answer.objects.filter(response=text_response).update(text=f"I find feedback hard. {secret}")

    # Courses: a transcript, and another person's record this person verified.
    CompletionFactory(user=person, course=CourseFactory(program=program))
    CompletionFactory(user=other, course=CourseFactory(program=program), verified_by=person,
                      verified_at=timezone.now())

    # The community.
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program))
    RsvpFactory(meeting=meeting, user=person)
    AttendanceFactory(meeting=meeting, user=person)
    made.challenge = ChallengeFactory(program=program, author=person, text=f"How do I say no? {secret}",
                                      meeting=meeting)
    made.agenda_item = AgendaItem.objects.create(meeting=meeting, position=9, text=made.challenge.text)
    made.challenge.agenda_item = made.agenda_item
    made.challenge.save()
    Acknowledgement.objects.create(agreement=ProcessAgreementFactory(program=program), user=person,
                                   acknowledged_at=timezone.now())
    CalendarFeed.objects.create(user=person, token=f"feed-{tag}", created_at=timezone.now())

    # Reminders, nudges and emails: one sent, one waiting, one a coordinator's nudge signed with the name.
    ReminderDeliveryFactory(meeting=meeting, user=person)
    NudgeFactory(program=program, person=person)
    made.waiting = OutboundEmailFactory(user=person, to_address=email, subject=f"Hello {name}",
                                        body_text=f"Dear {name}, {secret}")
    OutboundEmailFactory(user=None, to_address=email, subject="Reset your password",
                         body_text=f"Hello {email}", status=OutboundEmail.Status.SENT, sent_at=timezone.now(),
                         last_error=f"451 <{email}> try later")
    NudgeFactory(program=program, person=other, kind=Nudge.Kind.FROM_COORDINATOR, email__context={"by": name})
    DataExportFactory(user=person)

    # Accountability: mentee records with private notes, a plan with history, a change to another's plan.
    mentee = MenteeFactory(program=program, mentor=person, name=f"Mentee of {tag}", email=f"mentee.{tag}@example.org")
    MenteeMeetingFactory(mentee=mentee, notes=f"She worries. {secret}")
    MenteeGoalFactory(mentee=mentee, text=f"Grant {secret}", notes=f"Aims {secret}")
    FeedbackRequestFactory(mentee=mentee)  # feedback asked about the person as a mentor
    # As a mentee with an account: a third mentor's record of them, a goal of their own, their feedback.
    as_mentee = MenteeFactory(program=program, mentor=UserFactory(), name=name, email=email)
    Mentee.objects.filter(pk=as_mentee.pk).update(user=person, invited_at=timezone.now(), accepted_at=timezone.now())
    as_mentee.refresh_from_db()
    MenteeMeetingFactory(mentee=as_mentee, notes=f"Met {name}.")
    MenteeGoalFactory(mentee=as_mentee, text=f"Write a grant {secret}", added_by_mentee=True)
    answer_feedback(FeedbackRequestFactory(mentee=as_mentee), comment=f"Kind. {secret}", share=True)
    item = PlanItemFactory(plan=AccountabilityPlanFactory(program=program, mentor=person),
                           description=f"Read more {secret}", evidence=f"Certificate {secret}")
    PlanItemChange.objects.create(item=item, changed_by=person, changed_at=timezone.now(), action="created",
                                  version=1, changes={"title": [None, item.title]})
    others_item = PlanItemFactory(plan=AccountabilityPlanFactory(program=program, mentor=other,
                                                                 period_start=dt.date(2024, 7, 1),
                                                                 period_end=dt.date(2025, 7, 1)))
    PlanItemChange.objects.create(item=others_item, changed_by=person, changed_at=timezone.now(), action="updated",
                                  version=2, changes={"due_on": ["2025-12-01", "2026-01-01"]})
    return made
