"""Junk posted to every form of the project gets an answer, never a server error, and changes
nobody's data but the sender's own.

The forms come from the authorization matrix's routes (tests/authz/): every route that accepts
POST from someone is fuzzed, so a feature's forms are covered the day its routes are described.
Field names are read from the form the sender is shown, plus the route's ``post_data``; values
are wrong types, huge and odd Unicode strings, NUL characters, integers of 20 digits, lists, and
ids of other people's objects. The junk goes in the query string too (``next``, page numbers, ids),
and every page a sender may see is asked for with a junk query string. A NUL character anywhere in
the values always gets a 400. ``FUZZ_EXAMPLES`` sets how many junk requests each route gets from
each sender (default 8).
"""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest
from django.db import models, transaction
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import authz
from tests.snapshots import differences, snapshot, without_rows_of

FORM_ROUTES = [r for r in authz.all_routes() if any(status != 405 for status in r.post.values())]
SENDERS = ("owner", "other_mentor", "other_coordinator")
PAGES_SHOWN = [(route, sender) for route in authz.all_routes() for sender in SENDERS if route.get[sender] == 200]
# Query-string names the project's views read, besides the fields of each page's own forms.
QUERY_NAMES = ["next", "page", "members", "year", "mentee", "topic", "show", "q", "kind", "theme", "p", "o"]
TWENTY_DIGITS = ["9" * 20, "-" + "9" * 20, "1" + "0" * 19, "18446744073709551616", "9223372036854775808"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

ODD_STRINGS = [
    "", " ", "0", "-1", "1e309", "NaN", "null", "None", "true", "[]", "{}", "2024-02-30", "9999-12-31T23:59:59Z",
    "\x00", "a\x00b", "\u202etxt.exe", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧑‍⚕️", "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "../../etc/passwd", "%s%s%n", "\r\nSet-Cookie: x=1", "Asia/Tokyo", "mentor@example.org",
    "id", "admin:index", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "\x00/", "1\x00",
]


@pytest.fixture
def world(world_once):
    """The world is built once for this module (tests/conftest.py, ``world_of_module``)."""
    return world_once


class FieldNames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in {"input", "select", "textarea", "button"} and name:
            self.names.add(name)


def form_fields(client, url: str) -> set[str]:
    response = client.get(url)
    parser = FieldNames()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser.feed(response.content.decode(errors="replace"))
    return parser.names - {"csrfmiddlewaretoken"}


def object_ids(w) -> list[int]:
    found = [p.pk for p in w.people.values() if p is not None] + [w.program.pk, w.other_program.pk]
    found += [o.pk for o in vars(w.objects).values() if isinstance(o, models.Model)]
    return sorted(set(found))


def junk_value(ids: list[int]):
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(ODD_STRINGS),
        st.integers(min_value=-(2**63), max_value=2**64).map(str),
        st.floats().map(str),
        st.sampled_from(ids).map(str),
        st.sampled_from(TWENTY_DIGITS),
        st.tuples(st.text(max_size=10), st.text(max_size=10)).map("\x00".join),  # a NUL somewhere
        st.integers(min_value=300, max_value=200_000).map(lambda n: "x" * n),
    )


def junk_forms(names: list[str], ids: list[int]):
    value = junk_value(ids)
    key = st.sampled_from(names) | st.text(min_size=1, max_size=12) if names else st.text(min_size=1, max_size=12)
    return st.dictionaries(key, value | st.lists(value, max_size=3), max_size=len(names) + 3)


def junk_query(names: list[str], ids: list[int]):
    """A query string of junk, mostly under names the views read; short values, as URLs are."""
    value = junk_value(ids).filter(lambda v: len(v) < 300)
    return st.dictionaries(st.sampled_from(names), value | st.lists(value, max_size=2), max_size=4)


def holds_nul(data: dict) -> bool:
    values = [v for vs in data.values() for v in (vs if isinstance(vs, list) else [vs])]
    return any("\x00" in v for v in values)


def with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


@pytest.mark.parametrize("sender", SENDERS)
@pytest.mark.parametrize("route", FORM_ROUTES, ids=repr)
def test_it_answers_junk_without_errors_or_harm_to_others(client, world, route, sender):
    person = world.people[sender]
    client.force_login(person)
    kwargs = route.kwargs(world)
    url = reverse(route.name, kwargs=kwargs)
    names = sorted(form_fields(client, url) | set(route.post_data(world)))
    # A signed token in the URL is the owner's credential: whoever holds it acts for the owner.
    acting_for = [person, world.people["owner"]] if "token" in kwargs else [person]

    # Memberships are nobody's own to change, but for the answer to one's own invitation.
    never_theirs = () if route.name.startswith("invitation_") else ("mentorprogram.Membership",)

    def others_rows():
        data = snapshot()
        for someone in acting_for:
            data = without_rows_of(someone, data, never_theirs=never_theirs)
        return data

    # Every example is rolled back, so each one starts from this same state.
    before = others_rows()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(data=junk_forms(names, object_ids(world)), query=junk_query(QUERY_NAMES, object_ids(world)))
    def post_junk(data, query):
        client.force_login(person)  # the junk may have signed them out
        with transaction.atomic():
            response = client.post(with_query(url, query), data)
            changed = differences(before, others_rows())
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{response.status_code} for {data!r} with ?{query!r}"
        assert not changed, f"{sender}'s junk changed other people's data: {changed}"
        if holds_nul(data) or holds_nul(query):
            assert response.status_code == 400, f"{response.status_code} for a NUL in {data!r} or ?{query!r}"

    post_junk()


@pytest.mark.parametrize(("route", "sender"), PAGES_SHOWN, ids=lambda value: str(value))
def test_it_answers_a_junk_query_string_without_errors_or_harm_to_others(client, world, route, sender):
    person = world.people[sender]
    client.force_login(person)
    kwargs = route.kwargs(world)
    url = reverse(route.name, kwargs=kwargs)
    names = sorted(set(QUERY_NAMES) | form_fields(client, url))
    acting_for = [person, world.people["owner"]] if "token" in kwargs else [person]

    def others_rows():
        data = snapshot()
        for someone in acting_for:
            data = without_rows_of(someone, data)
        return data

    before = others_rows()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(query=junk_query(names, object_ids(world)))
    def get_junk(query):
        client.force_login(person)
        with transaction.atomic():
            response = client.get(with_query(url, query))
            changed = differences(before, others_rows())
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{response.status_code} for ?{query!r}"
        assert not changed, f"{sender}'s junk query changed other people's data: {changed}"
        if holds_nul(query) and route.name != "healthz":  # the health check reads no input at all
            assert response.status_code == 400, f"{response.status_code} for a NUL in ?{query!r}"

    get_junk()


def test_it_tells_a_change_to_someone_elses_row_from_a_change_to_ones_own(world):  # noqa: F811
    me, other = world.people["other_mentor"], world.people["owner"]
    before = without_rows_of(me, snapshot())
    me.display_name, other.display_name = "Changed by me", "Changed by someone else"
    me.save()
    other.save()
    changed = differences(before, without_rows_of(me, snapshot()))
    # Both saves are also entries of the audit trail (mentorprogram/audit.py), made, never changed.
    assert [c for c in changed if not c.startswith("mentorprogram.AuditEntry")] == [
        f"mentorprogram.User #{other.pk} changed"]
    assert all(c.endswith(" created") for c in changed if c.startswith("mentorprogram.AuditEntry"))
