"""Benchmark: a mentor submitting the skills inventory, at 10 and 60 items.

Builds a program, a mentor and a published skills inventory of 10 and of 60 ability-and-
willingness items, then, for each of several runs, starts a fresh draft (one answer saved, as a
mentor who came back to it) and posts the complete form to the submit URL as the mentor. Prints
the median and 90th-percentile time of the 60-item submit and the SQL query count of a submit at
10 and at 60 items, which must be equal (exits non-zero otherwise). Runs on a throw-away SQLite
database unless BENCH_DATABASE_URL names another. Run: ``python bench/assessment_submit.py``.
"""

from __future__ import annotations

import statistics
import sys
import time

import inprocess  # noqa: F401  (Django set up on a throw-away database, as the other page benchmarks)
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Domain, Instrument, InstrumentVersion, Item, Response
from assessments.scoring import AnswerValue
from mentorprogram.models import Membership, Program, User

RUNS = 15
SIZES = ((2, 5), (6, 10))  # domains × items per domain: 10 and 60 items
HOST = "127.0.0.1"


def make_inventory(program: Program, domains: int, per_domain: int) -> tuple[InstrumentVersion, list[Item]]:
    """A published version 1 of a skills inventory with ``domains`` × ``per_domain`` items."""
    size = domains * per_domain
    instrument = Instrument.objects.create(program=program, kind=Instrument.Kind.SKILLS,
                                           slug=f"skills-{size}", name=f"Skills inventory ({size} items)")
    version = InstrumentVersion.objects.create(instrument=instrument, number=1, published_at=timezone.now())
    items = []
    for d in range(domains):
        domain = Domain.objects.create(version=version, key=f"skills-{size}-d{d + 1}", name=f"Domain {d + 1}",
                                       order=d + 1)
        items += [Item(domain=domain, order=i + 1, prompt=f"{domain.name}, question {i + 1}",
                       response_type=Item.ResponseType.ABILITY_WILLINGNESS, allow_not_applicable=True,
                       scale_labels={"1": "Not at all skilled", "7": "Extremely skilled"})
                  for i in range(per_domain)]
    Item.objects.bulk_create(items)
    return version, list(Item.objects.filter(domain__version=version).order_by("domain__order", "order"))


def fresh_draft(mentor: User, program: Program, version: InstrumentVersion, items: list[Item]) -> Response:
    draft = services.response_start(user=mentor, program=program, version=version)
    assert draft.status == Response.Status.DRAFT
    services.response_save_draft(response=draft, answers={items[0].pk: AnswerValue(rating=4, willingness="willing")})
    return draft


def form(items: list[Item]) -> dict[str, str]:
    """The complete form post: every item rated, with willingness."""
    data = {"action": "submit"}
    for item in items:
        data[f"item_{item.pk}"] = "5"
        data[f"item_{item.pk}_willingness"] = "willing"
    return data


def submit(client: Client, draft: Response, data: dict[str, str]) -> None:
    response = client.post(reverse("assessments:take", args=[draft.pk]), data, HTTP_HOST=HOST)
    assert response.status_code == 302, response.status_code
    draft.refresh_from_db(fields=["status"])
    assert draft.status == Response.Status.SUBMITTED, draft.status


def run() -> tuple[list[str], bool]:
    call_command("migrate", verbosity=0)
    program = Program.objects.create(name="Benchmark Mentoring", slug="bench-submit",
                                     community_name="Benchmark Mentor Community")
    mentor = User.objects.create_user("mentor@example.org", "a-long-bench-passphrase-42", display_name="Mentor")
    EmailAddress.objects.create(user=mentor, email=mentor.email, verified=True, primary=True)
    Membership.objects.create(user=mentor, program=program, role=Membership.Role.MENTOR,
                              status=Membership.Status.ACTIVE)
    client = Client()
    client.force_login(mentor)

    queries: dict[int, int] = {}
    timings: list[float] = []
    for domains, per_domain in SIZES:
        version, items = make_inventory(program, domains, per_domain)
        data = form(items)
        submit(client, fresh_draft(mentor, program, version, items), data)  # warm up (session, templates)
        draft = fresh_draft(mentor, program, version, items)
        with CaptureQueriesContext(connection) as captured:
            submit(client, draft, data)
        queries[len(items)] = len(captured)
        if len(items) != max(queries):
            continue
        for _ in range(RUNS):
            draft = fresh_draft(mentor, program, version, items)
            start = time.perf_counter()
            response = client.post(reverse("assessments:take", args=[draft.pk]), data, HTTP_HOST=HOST)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code

    p90 = statistics.quantiles(timings, n=10)[-1] * 1000
    lines = [f"{'assessment submit':<28}{'items':>8}{'median ms':>11}{'p90 ms':>9}{'queries':>9}"]
    for size, count in queries.items():
        timed = size == max(queries)
        median = f"{statistics.median(timings) * 1000:>11.1f}{p90:>9.1f}" if timed else f"{'-':>11}{'-':>9}"
        lines.append(f"{'skills inventory':<28}{size:>8}{median}{count:>9}")
    equal = len(set(queries.values())) == 1
    if not equal:
        lines.append(f"query count grows with the number of items: {queries}")
    return lines, equal


if __name__ == "__main__":
    output, ok = run()
    print("\n".join(output))
    sys.exit(0 if ok else 1)
