"""Catalog search that matches word stems: "mentorship" finds "mentoring", "mentors" finds
"mentor". Each word of the query is cut to its stem and must appear in the title, provider or
description (all words, in any order). The same rule on SQLite and PostgreSQL, so the tests and
production agree; PostgreSQL's English stemmer would not join "mentorship" and "mentoring".
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_, or_

from django.db.models import Q

# Longest first; a suffix is cut only when a stem of at least MIN_STEM letters remains.
SUFFIXES = ("ships", "ship", "ings", "ing", "ies", "ied", "ed", "es", "s", "y")
MIN_STEM = 4
FIELDS = ("title", "provider", "description")
MAX_WORDS = 8


def stem(word: str) -> str:
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1][:MAX_WORDS]


def matching(query: str) -> Q:
    """A filter for courses matching every word of ``query`` by its stem; empty matches all."""
    stems = [stem(w) for w in words(query)]
    if not stems:
        return Q()
    return reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": s}) for f in FIELDS)) for s in stems))
