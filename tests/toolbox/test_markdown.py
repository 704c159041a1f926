"""The one sanitised-Markdown renderer that quick guides and the Mentor Community share."""

from __future__ import annotations

from toolbox.markdown import render_markdown


def test_it_starts_headings_at_the_level_of_the_place_they_are_shown_in():
    text = "# Purpose\n\n## Why\n\n###### Deep"
    assert render_markdown(text) == "<h2>Purpose</h2>\n<h3>Why</h3>\n<h6>Deep</h6>"
    html = render_markdown(text, top_heading=3)
    assert "<h3>Purpose</h3>" in html and "<h4>Why</h4>" in html and "<h6>Deep</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_it_removes_scripts_with_their_content_and_unsafe_links_at_every_level():
    for top in (2, 3):
        html = render_markdown("Hi <script>alert(1)</script>[x](javascript:alert(2)) <b style=\"x\">b</b>",
                               top_heading=top)
        assert "alert" not in html and "javascript:" not in html and "style=" not in html
        assert "<b>b</b>" in html
