"""The community and meeting pages: what members see, who may see them, and at what cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Topic
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import (
    AgendaItemFactory,
    ChallengeFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    ResourcePersonFactory,
    RsvpFactory,
)


def test_it_shows_the_community_by_its_name_with_purpose_members_and_meetings(
    client, program, community, mentor, other_mentor, meeting, past_meeting,
):
    client.force_login(mentor)
    response = client.get(reverse("community:detail", args=[program.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert program.community_name in body
    assert community.purpose in body
    assert str(other_mentor) in body
    assert reverse("community:meeting", args=[meeting.pk]) in body
    assert reverse("community:meeting", args=[past_meeting.pk]) in body
    assert response.context["next_meeting"] == meeting


def test_it_lists_the_users_communities_on_the_index(client, program, other_program, mentor, meeting):
    client.force_login(mentor)
    response = client.get(reverse("community:index"))
    assert [c["program"] for c in response.context["communities"]] == [program]
    assert response.context["communities"][0]["next_meeting"] == meeting
    assert other_program.community_name not in response.content.decode()


def test_it_shows_the_meeting_with_agenda_presenter_reading_in_the_viewers_time_zone(client, program, mentor, meeting):
    topic = Topic.objects.get(name="Your mentees' challenges")
    AgendaItemFactory(meeting=meeting, topic=topic, text="Round the table")
    AgendaItemFactory(meeting=meeting, topic=None, text="Planning the spring social")
    meeting.presenter = ResourcePersonFactory(program=program, name="Dr. Miriam Alvarez")
    meeting.save()
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    client.force_login(mentor)
    body = client.get(reverse("community:meeting", args=[meeting.pk])).content.decode()
    assert "Your mentees&#x27; challenges" in body and "Planning the spring social" in body
    assert "Dr. Miriam Alvarez" in body
    assert 'href="https://example.org/readings/feedback"' in body
    assert meeting.reading.citation in body
    paris = timezone.localtime(meeting.starts_at, timezone=__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert paris.strftime("%H:%M") in body


def test_it_renders_minutes_as_sanitised_markdown_once_held(client, mentor, past_meeting):
    past_meeting.minutes = "We discussed **feedback**.<script>alert(1)</script> [x](javascript:alert(1))"
    past_meeting.save()
    client.force_login(mentor)
    body = client.get(reverse("community:meeting", args=[past_meeting.pk])).content.decode()
    assert "<strong>feedback</strong>" in body
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body


def test_it_hides_the_author_of_an_anonymous_challenge_from_other_mentors(
    client, program, meeting, mentor, other_mentor, coordinator,
):
    ChallengeFactory(program=program, author=mentor, meeting=meeting, anonymous=True, text="A worry I keep private.")
    ChallengeFactory(program=program, author=other_mentor, meeting=meeting, anonymous=False, text="An open question.")
    url = reverse("community:meeting", args=[meeting.pk])

    client.force_login(other_mentor)
    body = client.get(url).content.decode()
    assert "A worry I keep private." in body
    assert str(mentor) not in body
    assert "A member of the community" in body

    client.force_login(coordinator)
    body = client.get(url).content.decode()
    assert str(mentor) in body and "anonymous to other mentors" in body

    client.force_login(mentor)  # the author sees their own name
    assert str(mentor) in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["other_coordinator", "outsider", "staff_without_membership"])
def test_it_answers_404_to_people_outside_the_program(client, request, program, meeting, who):
    make_member(request.getfixturevalue("other_program"), Membership.Role.MENTOR)
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("community:detail", args=[program.slug]),
        reverse("community:members", args=[program.slug]),
        reverse("community:meeting", args=[meeting.pk]),
        reverse("community:meeting_ics", args=[meeting.pk]),
        reverse("community:challenges", args=[program.slug]),
        reverse("community:agreements", args=[program.slug]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_mentor_of_another_program_gets_404(client, program, other_program, meeting):
    stranger = make_member(other_program, Membership.Role.MENTOR)
    client.force_login(stranger)
    assert client.get(reverse("community:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("community:detail", args=[program.slug])).status_code == 404


def _populate(program, series, members: int) -> None:
    for _ in range(members):
        person = make_member(program, Membership.Role.MENTOR)
        for m in series.meetings.all()[:3]:
            RsvpFactory(meeting=m, user=person)
    for i in range(members // 5):
        ChallengeFactory(program=program, author=person, meeting=series.meetings.first(), anonymous=i % 2 == 0)


@pytest.mark.parametrize("members", [5, 200])
def test_the_community_page_costs_the_same_queries_whatever_its_size(
    client, program, series, community, coordinator, members, cold,
):
    presenter = ResourcePersonFactory(program=program)
    for weeks in range(1, 4):
        MeetingFactory(series=series, starts_at=timezone.now() + dt.timedelta(weeks=weeks), with_reading=True,
                       presenter=presenter, place="Room 4B")
        MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(weeks=weeks), status="held",
                       with_reading=True, presenter=presenter, minutes="We talked.")
    _populate(program, series, members)
    client.force_login(coordinator)
    url = reverse("community:detail", args=[program.slug])
    # session, user, memberships, the program with its community's purpose, members, coming meetings
    # (with the viewer's answers) and past ones (with their readings)
    with cold(7):
        assert client.get(url).status_code == 200


def test_the_community_page_shows_each_member_only_their_own_answers(client, program, series, mentor,
                                                                     other_mentor):
    meeting = MeetingFactory(series=series, starts_at=timezone.now() + dt.timedelta(days=3))
    RsvpFactory(meeting=meeting, user=mentor, answer="maybe")
    url = reverse("community:detail", args=[program.slug])
    client.force_login(mentor)
    assert "You said maybe" in client.get(url).content.decode()
    client.force_login(other_mentor)
    client.get(url)
    assert "You said maybe" not in client.get(url).content.decode()


def test_the_community_page_shows_a_new_meeting_on_the_next_request(client, program, series, mentor):
    url = reverse("community:detail", args=[program.slug])
    client.force_login(mentor)
    client.get(url)
    meeting = MeetingFactory(series=series, starts_at=timezone.now() + dt.timedelta(days=5), place="Room 4B")
    assert reverse("community:meeting", args=[meeting.pk]) in client.get(url).content.decode()


@pytest.mark.parametrize("members", [5, 200])
def test_the_meeting_page_costs_the_same_queries_whatever_its_size(
    client, program, series, meeting, coordinator, members, cold,
):
    AgendaItemFactory(meeting=meeting)
    _populate(program, series, members)
    client.force_login(coordinator)
    with cold(10):
        assert client.get(reverse("community:meeting", args=[meeting.pk])).status_code == 200


def test_the_directory_shows_the_members_a_page_at_a_time_with_their_total(client, program, community, mentor):
    from community.selectors import MEMBERS_PER_PAGE

    for _ in range(MEMBERS_PER_PAGE + 4):
        make_member(program, "mentor")
    client.force_login(mentor)
    url = reverse("community:members", args=[program.slug])
    first = client.get(url)
    assert len(first.context["member_page"].members) == MEMBERS_PER_PAGE
    assert first.context["member_page"].total == MEMBERS_PER_PAGE + 5
    assert "?page=2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(second.context["member_page"].members) == 5
    assert not ({m.pk for m in first.context["member_page"].members}
                & {m.pk for m in second.context["member_page"].members})
    for bad in ("abc", "99", "-3"):
        assert client.get(url, {"page": bad}).context["member_page"].number == 1


def test_the_directory_finds_members_by_the_name_it_shows_or_their_department(client, program, mentor):
    cardiology = make_member(program, "mentor", display_name="Dr. Amara Heart")
    cardiology.memberships.update(department="Cardiology")
    named = make_member(program, "mentor", display_name="Dr. Imani Okafor", email="imani.private@example.org")
    unnamed = make_member(program, "mentor", display_name="", email="shown.by.address@example.org")
    coordinator_only = make_member(program, Membership.Role.COORDINATOR)
    coordinator_only.memberships.update(department="Cardiology")
    client.force_login(mentor)
    url = reverse("community:members", args=[program.slug])

    def found(q):
        return {m.pk for m in client.get(url, {"q": q}).context["member_page"].members}

    def membership(person):
        return person.memberships.get(program=program).pk

    assert found("cardio") == {membership(cardiology)}  # a coordinator is no mentor of the directory
    assert found("OKAFOR") == {membership(named)}
    assert found("shown.by") == {membership(unnamed)}  # their address is the name the list shows
    # Someone's private address is not searched: the search would tell what it holds.
    assert found("imani.private") == set()
    body = client.get(url, {"q": "Neurology"}).content.decode()
    assert "No active mentor" in body and "Neurology" in body
    assert coordinator_only.email not in body


def test_the_directory_refuses_a_search_too_long_with_the_field_error_and_lists_everyone(client, program, mentor):
    make_member(program, "mentor")
    client.force_login(mentor)
    response = client.get(reverse("community:members", args=[program.slug]), {"q": "x" * 101})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors
    assert "at most 100 characters" in response.content.decode()
    assert response.context["member_page"].total == 2


def test_the_community_page_welcomes_the_newest_members_and_leads_to_the_directory(client, program, mentor):
    from community.selectors import NEWEST_MEMBERS_SHOWN

    early = make_member(program, "mentor", display_name="Dr. Early Joiner")
    early.memberships.update(joined_on=dt.date(2020, 1, 1))
    newcomers = [make_member(program, "mentor") for _ in range(NEWEST_MEMBERS_SHOWN)]
    client.force_login(mentor)
    response = client.get(reverse("community:detail", args=[program.slug]))
    body = response.content.decode()
    assert response.context["member_total"] == NEWEST_MEMBERS_SHOWN + 2
    assert all(str(person) in body for person in newcomers)
    assert "Dr. Early Joiner" not in body
    assert reverse("community:members", args=[program.slug]) in body


@pytest.mark.parametrize("members", [5, 200])
def test_the_directory_costs_the_same_queries_whatever_its_size(client, program, mentor, members, cold):
    for _ in range(members):
        make_member(program, Membership.Role.MENTOR)
    client.force_login(mentor)
    # Session, user, the user's memberships, the program, one page of members with their total.
    with cold(5):
        assert client.get(reverse("community:members", args=[program.slug]), {"q": "e"}).status_code == 200


def test_the_community_page_names_each_coming_meeting_by_its_series(client, program, mentor):
    monthly = MeetingSeriesFactory(program=program, title="Monthly meeting")
    journal = MeetingSeriesFactory(program=program, title="Journal club")
    MeetingFactory(series=monthly)
    MeetingFactory(series=journal, starts_at=timezone.now() + dt.timedelta(days=9))
    client.force_login(mentor)
    html = client.get(reverse("community:detail", args=[program.slug])).content.decode()
    coming = html.split('id="upcoming"')[1].split('id="past"')[0]
    assert "Monthly meeting</span>:" in coming and "Journal club</span>:" in coming


def test_an_edited_purpose_shows_on_the_next_visit(client, program, community, mentor):
    """A purpose is rendered from Markdown once per process for each text: a new text is a new rendering."""
    url = reverse("community:detail", args=[program.slug])
    client.force_login(mentor)
    assert "<strong>monthly</strong>" not in client.get(url).content.decode()
    community.purpose = "We meet **monthly** to learn from each other."
    community.save()
    assert "<strong>monthly</strong>" in client.get(url).content.decode()
