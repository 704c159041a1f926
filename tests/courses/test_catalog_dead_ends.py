"""No dead ends in the catalog: links say where they go, dated sessions have their own calendar
entry, the statuses offered fit the kind of item, and search matches word stems."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from courses import services
from courses.models import Completion, Course
from tests.factories.courses import CourseFactory, CourseSessionFactory

CATALOG = reverse("courses:catalog")
FLAGSHIP = "Mentor training for faculty: a self-paced online course"


@pytest.fixture
def signed_in(client, mentor):
    client.force_login(mentor)
    return client


def test_the_flagship_cme_course_links_to_where_it_is_taken(signed_in):
    course = Course.objects.get(title=FLAGSHIP)
    assert course.url.startswith("https://")
    body = signed_in.get(course.get_absolute_url()).content.decode()
    assert f'href="{course.url}"' in body
    assert "Take the course on cme.stanford.edu" in body


def test_every_item_with_a_link_says_where_it_goes_on_the_catalog_and_its_page(signed_in):
    network = Course.objects.get(title__startswith="National Research Mentoring Network")
    catalog = signed_in.get(CATALOG).content.decode()
    page = signed_in.get(network.get_absolute_url()).content.decode()
    for body in (catalog, page):
        assert f'href="{network.url}"' in body
        assert "nrmnet.net" in body
    assert 'target="_blank"' in page and "opens in a new tab" in page
    for course in Course.objects.filter(is_active=True).exclude(url=""):
        assert f'href="{course.url}"' in catalog


def test_each_dated_session_has_its_own_calendar_link(signed_in, mentor):
    course = CourseFactory(title="Mentoring workshop series", modality="workshop_series")
    start = timezone.now() + datetime.timedelta(days=14)
    first = CourseSessionFactory(course=course, part=1, starts_at=start, location="Alway M106")
    second = CourseSessionFactory(course=course, part=2, starts_at=start + datetime.timedelta(days=28))
    body = signed_in.get(course.get_absolute_url()).content.decode()
    for session in (first, second):
        assert reverse("courses:session_ics", args=[session.pk]) in body
    response = signed_in.get(reverse("courses:session_ics", args=[first.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert "Mentoring workshop series" in str(event["SUMMARY"]) and "Part 1" in str(event["SUMMARY"])
    assert event["DTSTART"].dt == first.starts_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == "Alway M106"
    assert str(event["UID"]).startswith(f"course-session-{first.pk}@")


def test_a_session_of_a_course_one_may_not_see_has_no_calendar(client, program, other_program, mentor):
    hidden = CourseSessionFactory(course=CourseFactory(program=other_program))
    client.force_login(mentor)
    assert client.get(reverse("courses:session_ics", args=[hidden.pk])).status_code == 404


def test_a_reading_is_read_not_enrolled(signed_in, mentor):
    reading = CourseFactory(title="Aligning expectations", modality="reading", cme_credit_hours=Decimal("0"))
    response = signed_in.get(reading.get_absolute_url())
    choices = response.context["form"].fields["status"].choices
    assert choices == [("planned", "To read"), ("completed", "Read")]
    body = response.content.decode()
    assert "Enrolled" not in body
    bad = signed_in.post(reverse("courses:completion_save", args=[reading.pk]), {"status": "enrolled"})
    assert bad.status_code == 200 and "status" in bad.context["form"].errors
    assert not Completion.objects.filter(user=mentor).exists()
    with pytest.raises(Exception):  # noqa: B017 - the service refuses it as well
        services.completion_record(user=mentor, course=reading, status="enrolled")
    signed_in.post(reverse("courses:completion_save", args=[reading.pk]), {"status": "planned"})
    assert "You: to read" in signed_in.get(CATALOG + "?modality=reading").content.decode()


def test_a_workshop_is_registered_for_and_attended(signed_in):
    workshop = CourseFactory(modality="workshop_series")
    choices = signed_in.get(workshop.get_absolute_url()).context["form"].fields["status"].choices
    assert choices == [("planned", "Planned"), ("enrolled", "Registered"), ("completed", "Attended")]
    self_paced = CourseFactory(modality="self_paced")
    choices = signed_in.get(self_paced.get_absolute_url()).context["form"].fields["status"].choices
    assert [label for _, label in choices] == ["Planned", "Enrolled", "Completed"]


@pytest.mark.parametrize(("modality", "word"), [
    ("reading", "Read"), ("quick_guide", "Read"), ("annual_event", "Attended"), ("workshop_series", "Attended"),
    ("conference_workshop", "Attended"), ("self_paced", "Completed"), ("network", "Completed"),
])
def test_the_date_of_a_finished_record_is_named_in_the_words_of_its_kind(signed_in, mentor, modality, word):
    item = CourseFactory(title="Kind in question", modality=modality, cme_credit_hours=Decimal("0"))
    form = signed_in.get(item.get_absolute_url()).context["form"]
    assert form.fields["completed_on"].label == f"{word} on"
    if word != "Completed":
        assert form.fields["completed_on"].help_text == f"Only once the status is “{word}”."
    missing = signed_in.post(reverse("courses:completion_save", args=[item.pk]),
                             {"status": "completed", "credit_hours": "0"})
    assert missing.context["form"].errors["completed_on"] == [f"Give the date you {word.lower()} it."]
    assert not Completion.objects.filter(user=mentor).exists()

    day = timezone.localdate() - datetime.timedelta(days=3)
    signed_in.post(reverse("courses:completion_save", args=[item.pk]),
                   {"status": "completed", "completed_on": day.isoformat(), "credit_hours": "0"})
    record = Completion.objects.get(user=mentor, course=item)
    transcript = signed_in.get(reverse("courses:transcript")).content.decode()
    assert "Completed on" not in transcript and f'text-body-secondary">{word}</span>' in transcript
    correction = signed_in.get(reverse("courses:completion_edit", args=[record.pk]))
    assert correction.context["form"].fields["completed_on"].label == f"{word} on"
    assert f"Change the date it was {word.lower()}." in correction.content.decode()  # no credit to claim


def test_an_item_without_credit_asks_for_none_and_names_its_kind(signed_in, mentor):
    reading = CourseFactory(title="A reading", modality="reading", cme_credit_hours=Decimal("0"),
                            description="Smith J. A study. 2020.")
    page = signed_in.get(reading.get_absolute_url())
    body = page.content.decode()
    assert "You have not recorded this reading yet." in body and "Upcoming sessions" not in body
    assert page.context["form"].fields["credit_hours"].widget.input_type == "hidden"
    day = timezone.localdate().isoformat()
    signed_in.post(reverse("courses:completion_save", args=[reading.pk]), {"status": "completed", "completed_on": day})
    record = Completion.objects.get(user=mentor, course=reading)
    assert record.status == "completed" and record.credit_hours == 0
    assert "CME h" not in signed_in.get(reading.get_absolute_url()).content.decode()


@pytest.mark.parametrize("query", ["mentorship", "Mentors", "mentored"])
def test_search_matches_word_stems(signed_in, query):
    course = CourseFactory(title="Mentoring across generations", description="Two sessions.")
    CourseFactory(title="Budgeting for a lab", description="Spreadsheets.")
    titles = [c.title for c in signed_in.get(CATALOG, {"q": query}).context["page"]]
    assert course.title in titles
    assert "Budgeting for a lab" not in titles


def test_search_still_finds_a_phrase_and_a_provider(signed_in):
    CourseFactory(title="Giving and receiving feedback", provider="Teaching and Mentoring Academy")
    titles = [c.title for c in signed_in.get(CATALOG, {"q": "receiving feedback"}).context["page"]]
    assert "Giving and receiving feedback" in titles
    titles = [c.title for c in signed_in.get(CATALOG, {"q": "academy"}).context["page"]]
    assert "Giving and receiving feedback" in titles
    assert [c.title for c in signed_in.get(CATALOG, {"q": "zzzz"}).context["page"]] == []


def test_on_a_phone_the_filters_fold_away_until_one_is_in_use(signed_in):
    """The filter form folds behind a "Search and filter" button below the desktop width, so a
    phone's first screen shows courses; a search keeps it open to show what is applied."""
    CourseFactory(title="Giving feedback well")
    plain = signed_in.get(CATALOG)
    assert plain.context["filtering"] is False
    assert 'id="catalog-filters" class="card card-body collapse d-lg-block mt-2 mt-lg-0"' in plain.content.decode()
    searched = signed_in.get(CATALOG + "?q=feedback")
    assert searched.context["filtering"] is True
    assert "collapse d-lg-block mt-2 mt-lg-0 show" in searched.content.decode()
