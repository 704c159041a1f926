"""The report's section on mentees' feedback: the mentee rating and the gap between self rating and
mentees' view, each under the privacy threshold, in the page and the CSV, in a fixed number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from assessments.constants import SKILLS_INVENTORY_SLUG
from assessments.models import Instrument
from mentorprogram.models import Membership
from reports import selectors
from reports.mentee_feedback import KEY
from tests.factories import make_member
from tests.factories.accountability import mentees_who_answered
from tests.factories.assessments import make_response

HIDDEN = "fewer than 5 responses"


def skills_version():
    return Instrument.objects.get(slug=SKILLS_INVENTORY_SLUG, program__isnull=True).versions.order_by("-number")[0]


def mentors_with_feedback(program, n: int, *, self_rating: int | None = 6, mentee_rating: int = 4):
    """``n`` mentors with one answering mentee each, and (unless None) their own skills inventory."""
    version = skills_version()
    made = []
    for _ in range(n):
        mentor = make_member(program, Membership.Role.MENTOR)
        if self_rating is not None:
            make_response(mentor, program, version, rating=self_rating)
        mentees_who_answered(mentor, program, 1, rating=mentee_rating)
        made.append(mentor)
    return made


def section(program):
    return selectors.program_report(program=program, only=KEY).section(KEY)


def test_it_says_so_when_no_mentee_has_answered(program):
    assert section(program).rows == []


@pytest.mark.parametrize("mentees, shown", [(4, False), (5, True)])
def test_the_mentee_rating_shows_from_the_threshold_of_mentees(program, mentees, shown):
    mentors_with_feedback(program, mentees, self_rating=None, mentee_rating=3)
    rows = section(program).rows
    assert len(rows) == 6
    for row in rows:
        rating, n = row[1], row[2]
        assert rating.hidden is not shown
        assert str(rating) == ("3.0" if shown else HIDDEN)
        assert str(n) == ("5" if shown else HIDDEN)


@pytest.mark.parametrize("mentors, shown", [(4, False), (5, True)])
def test_the_gap_shows_from_the_threshold_of_mentors_with_both(program, mentors, shown):
    mentors_with_feedback(program, mentors, self_rating=6, mentee_rating=4)
    mentors_with_feedback(program, 2, self_rating=None, mentee_rating=4)  # mentee rating over 6 or 7 mentees
    for row in section(program).rows:
        rating, own, view, gap, n = row[1], row[3], row[4], row[5], row[6]
        assert not rating.hidden and str(rating) == "4.0"
        assert own.hidden is not shown and view.hidden is not shown and gap.hidden is not shown
        if shown:
            assert (str(own), str(view), str(gap), str(n)) == ("6.0", "4.0", "+2.0", "5")
        else:
            assert HIDDEN in (str(own), str(view), str(gap), str(n))


def test_the_page_and_the_csv_carry_the_section_and_never_a_mentees_own_answer(client, program, coordinator):
    mentors_with_feedback(program, 5, self_rating=5, mentee_rating=6)
    client.force_login(coordinator)
    page = client.get(reverse("reports:program", args=[program.slug])).content.decode()
    assert "Mentees&#x27; view of their mentors" in page
    assert "latest feedback is averaged per competency" in page
    response = client.get(reverse("reports:csv", args=[program.slug, KEY]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Domain" and len(rows) == 7
    assert rows[1][1] == "6.0" and rows[1][5] == "-1.0"


@pytest.mark.parametrize("mentors", [10, 40])
def test_the_section_makes_the_same_number_of_queries_whatever_the_number_of_mentors(
        program, mentors, django_assert_num_queries):
    mentors_with_feedback(program, mentors)
    # the release counter with what was published before (1); the scores of the mentees' latest
    # answers and of their mentors' own skills inventories (1); recording the releases on this first
    # report: the counter made and the releases in one insert, in a transaction (4).
    with django_assert_num_queries(6):
        selectors.program_report(program=program, only=KEY)
    with django_assert_num_queries(2):
        selectors.program_report(program=program, only=KEY)
