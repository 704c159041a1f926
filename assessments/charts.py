"""Chart data for the results page, handed to static/js/assessments.js through json_script."""

from __future__ import annotations

from toolbox import datetimes
from toolbox.charts import label_lines

from .selectors import Results, ScoredResponse


def _value(result, measure: str) -> float | None:
    if result is None:
        return None
    if measure == "score":
        return None if result.score is None else round(result.score, 2)
    return None if result.readiness is None else round(100 * result.readiness)


def _label(scored: ScoredResponse) -> str:
    when = datetimes.format_date(scored.response.submitted_at)
    return f"{scored.response.get_occasion_display()} ({when})"


def scale_bounds(scored: ScoredResponse) -> tuple[int, int]:
    items = [i for i in scored.structure.items if i.is_scored]
    if not items:
        return 1, 7
    return min(i.scale_min for i in items), max(i.scale_max for i in items)


def results_chart(results: Results) -> dict:
    """Labels by domain and one dataset per response shown: the response alone, or the
    baseline and the response it is compared with."""
    current = results.current
    measure = current.measure
    shown = list(results.compared) if results.compared else [current]
    keys = [d.key for d in current.score.domains]
    low, high = scale_bounds(current) if measure == "score" else (0, 100)
    return {
        "measure": measure,
        "min": 0 if measure == "readiness" else low,
        "max": high,
        "unit": "%" if measure == "readiness" else "",
        "labels": [label_lines(d.name) for d in current.score.domains],
        "datasets": [
            {"label": _label(s), "data": [_value(s.score.domain(k), measure) for k in keys]} for s in shown
        ],
    }
