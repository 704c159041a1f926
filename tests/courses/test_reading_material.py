from __future__ import annotations

from django.urls import reverse

from courses.models import QuickGuide, Reading
from tests.factories.courses import QuickGuideFactory, ReadingFactory, ThemeFactory
from toolbox.markdown import render_markdown

HOSTILE = """\
# Checking in

<script>document.cookie</script>
<img src=x onerror="alert(1)">
<p onclick="steal()" style="position:fixed">Click me</p>
[a link](javascript:alert(2)) and [a good one](https://example.org)
<iframe src="https://evil.example"></iframe>
"""


def test_it_strips_scripts_handlers_and_dangerous_links():
    html = render_markdown(HOSTILE)
    for unsafe in ("<script", "document.cookie", "onerror", "onclick", "style=", "javascript:", "<iframe", "<img"):
        assert unsafe not in html
    assert "Click me" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a good one</a>' in html


def test_it_renders_markdown_with_headings_below_the_page_title():
    html = render_markdown("# Before\n\n## During\n\n- one\n- two\n\n**Listen** first.")
    assert "<h2>Before</h2>" in html
    assert "<h3>During</h3>" in html
    assert "<li>one</li>" in html
    assert "<strong>Listen</strong>" in html


def test_it_shows_a_quick_guide_without_its_script(client, mentor):
    guide = QuickGuideFactory(title="Hostile guide", body=HOSTILE)
    client.force_login(mentor)
    body = client.get(guide.get_absolute_url()).content.decode()
    assert "<script>document.cookie" not in body
    assert "onerror" not in body
    assert "<h2>Checking in</h2>" in body


def test_it_lists_the_seeded_quick_guides(client, mentor):
    client.force_login(mentor)
    body = client.get(reverse("courses:quick_guides")).content.decode()
    assert "Your first meetings with a new mentee" in body
    assert "Giving and receiving feedback" in body
    for guide in QuickGuide.objects.filter(program=None):
        assert client.get(guide.get_absolute_url()).status_code == 200


def test_it_hides_another_programs_guide(client, other_program, mentor):
    guide = QuickGuideFactory(program=other_program)
    client.force_login(mentor)
    assert client.get(guide.get_absolute_url()).status_code == 404
    assert guide.title not in client.get(reverse("courses:quick_guides")).content.decode()


def test_it_lists_readings_by_topic(client, mentor, program, other_program):
    ethics = ThemeFactory(name="research ethics", slug="research-ethics")
    mine = ReadingFactory(program=program, title="Our department's reading")
    mine.topics.add(ethics)
    ReadingFactory(program=other_program, title="Surgery's reading")
    client.force_login(mentor)
    body = client.get(reverse("courses:readings")).content.decode()
    assert "Our department&#x27;s reading" in body
    assert "Mentoring in academic medicine: a systematic review" in body
    assert "Surgery" not in body
    filtered = client.get(reverse("courses:readings"), {"topic": "research-ethics"}).context["readings"]
    assert list(filtered) == [mine]


def test_it_lists_readings_in_a_fixed_number_of_queries(client, mentor, cold):
    theme = ThemeFactory(name="feedback", slug="feedback")
    for reading in ReadingFactory.create_batch(30):
        reading.topics.add(theme)
    client.force_login(mentor)
    with cold(6):
        response = client.get(reverse("courses:readings"))
    assert len(response.context["readings"]) == Reading.objects.count()
