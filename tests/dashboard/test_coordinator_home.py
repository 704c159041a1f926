"""The coordinator's home: what needs doing in each program they coordinate, in a fixed number of
queries whatever the number of people; a coordinator who also mentors keeps their own view."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import FollowUpCadence
from mentorprogram.models import Membership, OutboundEmail
from tests.factories import MembershipFactory, OutboundEmailFactory, UserFactory, make_member
from tests.factories.accountability import MenteeFactory, MenteeMeetingFactory, ReportingRequirementFactory
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import ChallengeFactory, MeetingFactory, MeetingSeriesFactory, RsvpFactory
from tests.factories.courses import CompletionFactory

HOME = reverse("dashboard:home")
LONG_AGO = dt.date(2020, 1, 1)


def _fill(program, mentors: int) -> dict:
    """Something in every panel: ``mentors`` established mentors, half of them behind. The academic
    year ends this month, so that a requirement of one a year expects it by now, whatever the date."""
    program.academic_year_start_month = timezone.localdate().month % 12 + 1
    program.save()
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Medicine Mentor Circle"),
                             starts_at=timezone.now() + dt.timedelta(days=3))
    ReportingRequirementFactory(program=program, metric="mentee_meetings", target=1, period="academic_year")
    ReportingRequirementFactory(program=program, metric="training_credit", target=2, period="academic_year")
    version = make_instrument(program, domains=1, items_per_domain=1)
    FollowUpCadence.objects.create(program=program, instrument=version.instrument, months="12", overdue_after_days=30)
    a_year_ago = timezone.now() - dt.timedelta(days=400)
    people = [make_member(program, display_name=f"Dr. Mentor {i:03d}") for i in range(mentors)]
    for i, person in enumerate(people):
        RsvpFactory(meeting=meeting, user=person, answer=("yes", "no", "maybe")[i % 3])
        mentee = MenteeFactory(program=program, mentor=person)
        if i % 2:
            MenteeMeetingFactory(mentee=mentee, held_on=timezone.localdate())
        CompletionFactory(user=person, completed_on=timezone.localdate(), credit_hours=1)
        make_response(person, program, version, now=a_year_ago)
        ChallengeFactory(program=program, author=person)
        OutboundEmailFactory(program=program, user=person, status=OutboundEmail.Status.FAILED,
                             last_error="550 mailbox unavailable")
        invited = UserFactory(password=None, display_name=f"Dr. Invited {i:03d}")
        MembershipFactory(user=invited, program=program, status=Membership.Status.INVITED,
                          invited_at=timezone.now() - dt.timedelta(days=9))
    Membership.objects.filter(program=program).update(joined_on=LONG_AGO)
    return {"meeting": meeting, "people": people}


@pytest.mark.parametrize("mentors", [10, 40])
def test_a_first_visit_costs_the_same_queries_whatever_the_number_of_mentors(client, program, coordinator,
                                                                              mentors, cold):
    _fill(program, mentors)
    client.force_login(coordinator)
    # session, user, memberships with the coordinator's own invitations (3); next meeting with its RSVPs
    # counted (1); new challenges, listed and counted (1); failed emails, listed and counted (1); follow-ups
    # overdue: the cadences, the responses counted (2); credit hours (1); requirements, and the mentors
    # furthest behind on each with how many are, ranked by the database (2); invitations, listed and counted (1)
    with cold(12):
        response = client.get(HOME)
    assert response.status_code == 200
    [home] = response.context["homes"]
    assert home.meeting.rsvp_yes == len(range(0, mentors, 3))
    assert home.challenges_count == mentors and len(home.challenges) == 5
    assert home.failed_count == mentors and home.invitations["count"] == mentors
    assert home.follow_up_count == mentors
    assert home.credit_hours == mentors and home.credit_people == mentors
    meetings = next(b for b in home.behind if b.requirement.metric == "mentee_meetings")
    assert meetings.count == mentors // 2 and len(meetings.furthest) == 5


def test_it_says_what_needs_doing_with_links_to_act(client, program, coordinator):
    data = _fill(program, 6)
    client.force_login(coordinator)
    page = client.get(HOME).content.decode()
    assert "Medicine Mentor Circle" in page
    assert reverse("admin:community_meeting_attendance", args=[data["meeting"].pk]) in page  # one screen
    assert reverse("admin:community_meeting_change", args=[data["meeting"].pk]) in page  # the agenda
    assert "2 coming" in page and "2 maybe" in page and "2 not coming" in page
    assert reverse("accountability:compliance", args=[program.slug]) + "?show=behind" in page
    behind = data["people"][0]  # even ones logged no mentee meeting this year
    assert reverse("accountability:person", args=[program.slug, behind.pk]) in page
    assert reverse("reports:program", args=[program.slug]) in page
    assert "status__exact=failed" in page and "550 mailbox unavailable" in page
    assert "Dr. Invited 000" in page and "Follow-up assessments overdue" in page
    assert '<span class="display-6">6</span> CME credit hours' in page
    # In the formatter's words, counts as counts: "0 of 1 expected by now", "Dec 1, 2026".
    assert "— 0 of 1 expected by now" in page and "All 6 open challenges" in page
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", page)  # not "1 Dec"


def test_a_share_behind_reads_against_its_expected_share_and_one_challenge_as_one(client, program, coordinator):
    program.academic_year_start_month = timezone.localdate().month % 12 + 1
    program.save()
    ReportingRequirementFactory(program=program, metric="community_attendance", target=75, period="academic_year")
    person = make_member(program, display_name="Dr. Never There")
    Membership.objects.filter(program=program).update(joined_on=LONG_AGO)
    series = MeetingSeriesFactory(program=program)
    MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=20), status="held")
    ChallengeFactory(program=program, author=person)
    client.force_login(coordinator)
    page = client.get(HOME).content.decode()
    assert "% expected by now" in page and "% of 75" not in page
    assert "See it among the open challenges" in page and "All 1 open" not in page


def test_it_leaves_a_mentor_on_their_own_dashboard(client, program, mentor):
    client.force_login(mentor)
    response = client.get(HOME)
    assert "homes" not in response.context and response.context["cards"]
    assert "Coordinating" not in response.content.decode()


def test_a_coordinator_who_mentors_reaches_their_own_view(client, program, coordinator):
    client.force_login(coordinator)
    assert "My mentoring" not in client.get(HOME).content.decode()  # coordinating only: no second view
    MembershipFactory(user=coordinator, program=program, role=Membership.Role.MENTOR)
    client.force_login(coordinator)
    page = client.get(HOME).content.decode()
    assert reverse("dashboard:mine") in page and "My mentoring" in page
    mine = client.get(reverse("dashboard:mine"))
    assert [c["title"] for c in mine.context["cards"]][:1] == ["Next community meeting"]
    assert reverse("dashboard:home") in mine.content.decode()


def test_it_shows_a_coordinator_nothing_of_another_program(client, program, other_program, other_coordinator):
    _fill(program, 3)
    client.force_login(other_coordinator)
    [home] = client.get(HOME).context["homes"]
    assert home.program == other_program
    assert (home.challenges_count, home.failed_count, home.invitations["count"]) == (0, 0, 0)
    assert "Dr. Mentor 000" not in client.get(HOME).content.decode()


def test_the_admin_index_links_to_the_home(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{HOME}" class="viewlink">Coordinator home' in page


def test_it_sends_an_invitation_again_through_the_outbox(client, program, coordinator,
                                                       django_capture_on_commit_callbacks, send_inline):
    invited = UserFactory(password=None, email="new@med.example.edu")
    membership = MembershipFactory(user=invited, program=program, status=Membership.Status.INVITED)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation_resend", args=[membership.pk]))
        client.post(reverse("invitation_resend", args=[membership.pk]))  # a double click
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@med.example.edu"]]
    assert OutboundEmail.objects.filter(kind="invitation", user=invited).count() == 1


def test_only_a_coordinator_of_the_program_sends_an_invitation_again(
    client, program, mentor, faculty, other_coordinator, django_capture_on_commit_callbacks,
):
    membership = MembershipFactory(user=UserFactory(password=None), program=program, status=Membership.Status.INVITED)
    for someone in (mentor, faculty, other_coordinator):
        client.force_login(someone)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("invitation_resend", args=[membership.pk])).status_code == 404
    assert not OutboundEmail.objects.filter(kind="invitation").exists()
