"""Benchmark: the coordinators' compliance table at 10 and 1,000 mentors.

Seeds the demo program (``seed_demo --mentors N``), then prints, for the page and for its CSV,
the median time cold and on a repeat visit and the SQL query counts (cold/repeat), which must
not grow with the number of mentors. Run: ``python bench/accountability.py``.
"""

from __future__ import annotations

import inprocess
from django.urls import reverse


def pages(program):
    return [("page", reverse("accountability:compliance", args=[program.slug])),
            ("CSV", reverse("accountability:compliance_csv", args=[program.slug]))]


if __name__ == "__main__":
    print("\n".join(inprocess.run("compliance table", pages)))
