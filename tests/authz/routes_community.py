"""The Mentor Community: pages for the program's members, the private calendar feed by token."""

from __future__ import annotations

from community import services
from tests.factories.community import (
    ChallengeFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MentorCommunityFactory,
    ProcessAgreementFactory,
)

from . import NOT_ALLOWED, PROGRAM_MEMBERS, PUBLIC, ROLES, SIGNED_IN, SIGNED_IN_NOT_ALLOWED, Route, builder, expect


@builder
def community_objects(w) -> None:
    owner = w.people["owner"]
    w.objects.mentor_community = MentorCommunityFactory(
        program=w.program, purpose="Our circle exists to keep new mentors from mentoring alone.",
    )
    series = MeetingSeriesFactory(program=w.program)
    # The program's own reading: outsiders see it neither on the meeting nor in the catalog.
    w.objects.meeting = MeetingFactory(series=series, with_reading=True,
                                       reading__title="Secret reading: the hidden curriculum")
    w.objects.challenge = ChallengeFactory(
        program=w.program, author=owner, anonymous=True, meeting=w.meeting,
        text="A private worry about a mentee who is struggling after a grant was turned down.",
    )
    w.objects.agreement = ProcessAgreementFactory(
        program=w.program, version=1, difficult_situations="Escalate to the program director within a week.",
    )
    w.objects.feed = services.calendar_feed_regenerate(user=owner)


MEMBERS_WRITE = expect(owner=302, other_mentor=302, coordinator=302)
"""Members and coordinators act and are redirected; everyone else gets 404."""

ADMIN_OF_OWNERS_PROGRAM = expect(owner=302, other_mentor=302, coordinator=200, other_coordinator=404, staff=404,
                                 mentee=302, other_mentee=302)
"""An admin page of one meeting of the owner's program: its coordinators only; staff of no program and
another program's coordinator find no such meeting."""

ROUTES = [
    # The admin's attendance page of the owner's program's meeting (a coming one: the coordinator's
    # POST is refused with a message, and changes nothing).
    Route("admin:community_meeting_attendance", kwargs=lambda w: {"object_id": str(w.meeting.pk)},
          get=ADMIN_OF_OWNERS_PROGRAM, post=ADMIN_OF_OWNERS_PROGRAM,
          post_data=lambda w: {"present": [w.people["owner"].pk], "held": "on", "minutes": "Taken over"}),
    Route("community:index", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("community:detail", kwargs=lambda w: {"slug": w.program.slug},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.mentor_community.purpose),
    Route("community:members", kwargs=lambda w: {"slug": w.program.slug},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: str(w.people["other_mentor"])),
    Route("community:meeting", kwargs=lambda w: {"pk": w.meeting.pk},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.meeting.reading.title),
    Route("community:meeting_rsvp", kwargs=lambda w: {"pk": w.meeting.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=MEMBERS_WRITE, post_data=lambda w: {"answer": "yes"}),
    Route("community:meeting_ics", kwargs=lambda w: {"pk": w.meeting.pk},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: "Secret reading"),
    Route("community:challenges", kwargs=lambda w: {"slug": w.program.slug},
          get=PROGRAM_MEMBERS, post=MEMBERS_WRITE,
          post_data=lambda w: {"text": "How do you handle a mentee who never says what they need?"},
          secret=lambda w: w.challenge.text),
    Route("community:agreements", kwargs=lambda w: {"slug": w.program.slug},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.agreement.difficult_situations),
    Route("community:agreement_acknowledge", kwargs=lambda w: {"pk": w.agreement.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=MEMBERS_WRITE),
    # The feed needs no session: the owner's token is the credential, so every role that holds
    # it gets the calendar; a wrong or revoked token is a 404 (tests/community/test_calendar.py).
    Route("community:feed", kwargs=lambda w: {"token": w.feed.token}, get=PUBLIC, post=NOT_ALLOWED),
    Route("community:feed_regenerate", get=SIGNED_IN_NOT_ALLOWED, post=dict.fromkeys(ROLES, 302)),
    Route("community:feed_revoke", get=SIGNED_IN_NOT_ALLOWED, post=dict.fromkeys(ROLES, 302)),
]
