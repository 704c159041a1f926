"""Markdown written by people (quick guides, minutes, a community's purpose, agreements),
rendered to HTML and then sanitised.

Markdown passes raw HTML through, so every rendering is cleaned with nh3: only the tags
below survive, scripts and styles are dropped with their content, event-handler and style
attributes are removed, and links may only use http, https or mailto. Headings are moved
down so that the page keeps its own outline: a ``#`` heading becomes the ``top_heading``
level of the place the text is shown in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "th": {"scope"}}
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "template", "noscript"}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def _demote_headings(html: str, top_heading: int) -> str:
    shift = top_heading - 1
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


@lru_cache(maxsize=256)
def render_markdown(text: str, *, top_heading: int = 2) -> SafeString:
    """Markdown → sanitised HTML, safe to put in a page as it is; ``#`` becomes ``<h{top_heading}>``.
    The HTML depends on the text alone, so each process renders a text once (a community's purpose
    is shown on every visit to its page; rendering and cleaning it took a twentieth of that page)."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        _demote_headings(html, top_heading),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Reviewed: nh3 has just removed everything unsafe.
    return mark_safe(cleaned)  # noqa: S308  # nosec B308 B703
