"""Formatting of scores: a mean rating with one decimal, a share of "yes" as a percentage."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@register.filter
def measure_value(value: float | None, measure: str) -> str:
    """A figure shown in its measure: "4.3" for a mean rating, "75%" for readiness."""
    return percent(value) if measure == "readiness" else score(value)


@register.filter
def change(value: float | None, measure: str = "score") -> str:
    """A signed change: "+0.8", "−0.5", "+25 points" (readiness, in percentage points)."""
    if value is None:
        return "—"
    if measure == "readiness":
        points = round(100 * value)
        sign = "+" if points > 0 else ("−" if points < 0 else "±")
        return f"{sign}{abs(points)} pts"
    rounded = round(value, 1)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "±")
    return f"{sign}{abs(rounded):.1f}"


@register.filter
def answer_display(answer, item) -> str:
    """How an answer reads back on the results page."""
    if answer is None:
        return "No answer"
    if answer.not_applicable:
        return "Not applicable"
    if item.response_type == "checklist":
        return {"yes": "Yes", "not_yet": "Not yet", "unsure": "Unsure"}.get(answer.choice, "—")
    if item.response_type == "text":
        return answer.text
    text = str(answer.rating) if answer.rating is not None else "—"
    label = (item.scale_labels or {}).get(str(answer.rating))
    if label:
        text += f" ({label})"
    if answer.willingness:
        text += " · " + {"willing": "willing to work on it", "not_sure": "not sure about working on it",
                         "not_willing": "not willing to work on it"}[answer.willingness]
    return text
