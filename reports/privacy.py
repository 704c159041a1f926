"""Privacy-safe figures: nothing computed over fewer people than the program's threshold is shown.

Every number the report prints, charts or exports is a :class:`Figure`. A hidden figure reads
"fewer than N responses" in the page and the CSV and is a gap (``null``) in the chart data, so
a single person's score can never be read off the report. Nor can it be read off two reports
compared: see ``reports/disclosure.py`` for when a figure is computed afresh and when its earlier
value is shown again (``as_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    value: float | int | Decimal | None
    n: int
    threshold: int
    places: int = 1
    suffix: str = ""
    signed: bool = False
    as_of: int | None = None
    """The number of responses behind ``value`` when it is an earlier publication shown again."""

    @property
    def hidden(self) -> bool:
        return self.n < self.threshold

    @property
    def text(self) -> str:
        if self.hidden:
            return hidden_text(self.threshold)
        if self.value is None:
            return "—"
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            text = f"{self.value:,}{self.suffix}"
        else:
            number = round(float(self.value), self.places)
            sign = "+" if self.signed and number > 0 else ""
            text = f"{sign}{number:,.{self.places}f}{self.suffix}"
        return text if self.as_of is None else f"{text} (as of {self.as_of:,} responses)"

    @property
    def chart(self) -> float | None:
        if self.hidden or self.value is None:
            return None
        return round(float(self.value), self.places)

    def __str__(self) -> str:
        return self.text


def hidden_text(threshold: int) -> str:
    return f"fewer than {threshold} responses"


def figure(value, n: int, *, threshold: int, places: int = 1, suffix: str = "", as_of: int | None = None) -> Figure:
    """A value computed over ``n`` people, shown only when ``n`` reaches the threshold."""
    return Figure(value=value, n=n, threshold=threshold, places=places, suffix=suffix, as_of=as_of)


def count(n: int, *, threshold: int) -> Figure:
    """How many people a figure rests on; a count under the threshold is hidden like its figure."""
    return Figure(value=n, n=n, threshold=threshold, places=0)


def change(value, n: int, *, threshold: int, places: int = 1, suffix: str = "", as_of: int | None = None) -> Figure:
    """A signed difference (“+0.4”)."""
    return Figure(value=value, n=n, threshold=threshold, places=places, suffix=suffix, signed=True, as_of=as_of)
