"""Chart labels that stay readable on a phone: Chart.js draws a label given as a list of strings
on several lines, and cuts a long single one at the canvas's edge."""

from __future__ import annotations

import textwrap

LINE = 16
"""Characters per line: a domain name such as "Maintaining effective communication" takes three
short lines beside a bar at 390 px instead of losing its start."""


def label_lines(text: str, width: int = LINE) -> str | list[str]:
    """``text`` itself when it fits on a line, else its words on lines of at most ``width``
    characters (a longer word keeps a line of its own)."""
    if len(text) <= width:
        return text
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
