"""Benchmark: the coordinators' program report at 10 and 1,000 mentors with a year of demo data.

Seeds the demo program (``seed_demo --mentors N``: self-assessments, community meetings and
attendance, mentee records, plans and training), then prints, for the page and for one of its
CSV downloads, the median time cold and on a repeat visit and the SQL query counts (cold/repeat),
which must not grow with the number of mentors. Run: ``python bench/report.py``.
"""

from __future__ import annotations

import inprocess
from django.urls import reverse


def pages(program):
    return [("page", reverse("reports:program", args=[program.slug])),
            ("skills CSV", reverse("reports:csv", args=[program.slug, "skills"]))]


if __name__ == "__main__":
    print("\n".join(inprocess.run("program report", pages)))
