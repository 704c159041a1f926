"""Every page of the site passes the audit: each URL of the authorization matrix, filled with the
matrix's own people and objects, opened by each role the matrix lets read it (anonymous, the
owner, a coordinator of the program) — not only the pages the journeys happen to pass through."""

from __future__ import annotations

from django.urls import reverse

from tests import authz

from .helpers import sign_in, sign_out, visit

ROUTES = authz.all_routes()
ROLES = ("anonymous", "owner", "coordinator")


def html_pages(page, world, role: str) -> list[str]:
    """The role's 200 pages that are HTML (downloads such as CSV and .ics are left out)."""
    urls = []
    for route in ROUTES:
        if route.get[role] != 200:
            continue
        url = reverse(route.name, kwargs=route.kwargs(world))
        answer = page.request.get(url, max_redirects=0)
        if answer.ok and answer.headers.get("content-type", "").startswith("text/html"):
            urls.append(url)
    return urls


def test_every_page_passes_the_audit_for_each_role_that_may_read_it(page, world):
    seen = 0
    for role in ROLES:
        person = world.people[role]
        if person is not None:
            sign_in(page, person)
        for url in html_pages(page, world, role):
            visit(page, url)
            seen += 1
        if person is not None:
            sign_out(page)
    assert seen > 40  # the matrix's pages, not an empty walk
