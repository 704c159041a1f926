"""Every page of the site passes the audit and fits a phone: each URL of the authorization matrix,
filled with the matrix's own people and objects, opened by each role the matrix lets read it
(anonymous, the owner, a coordinator of the program) and by a faculty member (not a mentor), who
may read what the owner reads of their own — not only the pages the journeys happen to pass
through.

Each page is audited at a laptop's width, then the same tab is narrowed to a 390 px phone: outside
the admin, a page fails when its document then scrolls sideways. One walk for both checks: the
page is loaded and audited once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mentorprogram.models import Membership
from tests import authz
from tests.factories import make_member

from .helpers import sign_in, sign_out, visit

ROUTES = authz.all_routes()
LAPTOP = {"width": 1280, "height": 720}  # Playwright's own default
PHONE = {"width": 390, "height": 844}
FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > limit + 1
      && !el.closest('.table-responsive, .overflow-auto, .visually-hidden'));
  return {width: document.documentElement.scrollWidth, limit: limit,
          culprits: wide.slice(-3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                       + (el.className && typeof el.className === 'string'
                                          ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))};
}"""


def html_pages(page, world, role: str) -> list[str]:
    """The role's 200 pages that are HTML (downloads such as CSV and .ics are left out), as the
    signed-in tab gets them."""
    urls = []
    for route in ROUTES:
        if route.get[role] != 200:
            continue
        url = reverse(route.name, kwargs=route.kwargs(world))
        answer = page.request.get(url, max_redirects=0)
        if answer.ok and answer.headers.get("content-type", "").startswith("text/html"):
            urls.append(url)
    return urls


def overflow_on_a_phone(page) -> str | None:
    """Narrow the tab to a phone; what scrolls sideways then, or None. Charts redraw themselves at
    the new width a few frames later, so a page gets two seconds to fit before it fails."""
    page.set_viewport_size(PHONE)
    try:
        page.wait_for_function(FITS, timeout=2_000)
        return None
    except PlaywrightTimeout:
        measured = page.evaluate(WIDEST)
        return f"{measured['width']} px ({', '.join(measured['culprits'])})"
    finally:
        page.set_viewport_size(LAPTOP)


@pytest.mark.parametrize("walker", ["anonymous", "owner", "faculty", "coordinator"])
def test_every_page_passes_the_audit_and_fits_a_phone_for_each_role_that_may_read_it(page, world, walker):
    if walker == "faculty":
        person, role = make_member(world.program, Membership.Role.FACULTY), "owner"
    else:
        person, role = world.people[walker], walker
    if person is not None:
        sign_in(page, person)
    urls = html_pages(page, world, role)
    too_wide = []
    for url in urls:
        visit(page, url)
        if not url.startswith("/admin/"):  # the admin is the coordinators' desk, measured at a laptop's width
            overflow = overflow_on_a_phone(page)
            if overflow:
                too_wide.append(f"{url}: {overflow}")
    if person is not None:
        sign_out(page)
    assert len(urls) >= (3 if walker == "anonymous" else 20)  # the matrix's pages, not an empty walk
    assert not too_wide, f"wider than a 390 px phone for {walker}:\n" + "\n".join(too_wide)
