"""The people and the meeting of the production stack test, made inside the stack's own
database by ``deploy/entrypoint.sh manage shell -c "from tests.deploy.world import build; build()"``.
It prints one line, ``WORLD {json}``, with what the browser needs to know."""

from __future__ import annotations

import datetime as dt
import json

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import MeetingFactory, MeetingSeriesFactory, MentorCommunityFactory
from tests.factories.core import ProgramFactory


def build() -> None:
    program = ProgramFactory(name="Stack Mentoring Program", slug="stack-program")
    MentorCommunityFactory(program=program)
    mentor = make_member(program, Membership.Role.MENTOR, email="stack.mentor@medicine.example.edu")
    coordinator = make_member(program, Membership.Role.COORDINATOR, email="stack.coordinator@medicine.example.edu")
    locked = make_member(program, Membership.Role.MENTOR, email="stack.locked@medicine.example.edu")
    # Coordinators sign in with a second factor in production: an authenticator app set up before.
    totp_secret = generate_totp_secret()
    TOTP.activate(coordinator, totp_secret)
    Membership.objects.filter(program=program).update(joined_on=dt.date(2025, 9, 1))
    # In 20 hours: the 1-day reminder is due, so beat's first dispatcher tick queues it.
    start = (timezone.now() + dt.timedelta(hours=20)).replace(second=0, microsecond=0)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Stack mentor meeting"),
                             starts_at=start, occurrence_start=start, ends_at=start + dt.timedelta(hours=1))
    print("WORLD " + json.dumps({
        "program": {"id": program.pk, "name": program.name, "slug": program.slug,
                    "community_name": program.community_name},
        "mentor": mentor.email, "coordinator": coordinator.email, "coordinator_totp": totp_secret,
        "locked": locked.email,
        "meeting": {"id": meeting.pk, "title": meeting.series.title},
    }))
