from __future__ import annotations

from django import template
from django.urls import reverse

from community import selectors
from toolbox.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Sanitised Markdown shown under a section heading (h2), so its own headings start at h3."""
    return render_markdown(text, top_heading=3)


@register.simple_tag(takes_context=True)
def calendar_feed_url(context) -> str:
    """The signed-in person's private feed URL, or an empty string when they have none."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    feed = selectors.calendar_feed_for_user(user=request.user)
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("community:feed", args=[feed.token]))
