"""Phone first: at 390 px no page outside the admin is wider than the screen, for a mentor, a
faculty member (not a mentor) and a coordinator. Each page of the authorization matrix is opened
the way the every-page walk opens it; a page fails when its document scrolls sideways."""

from __future__ import annotations

from django.urls import reverse

from mentorprogram.models import Membership
from tests import authz
from tests.factories import make_member

from .helpers import sign_in, visit

ROUTES = authz.all_routes()
PHONE = {"width": 390, "height": 844}
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > limit + 1
      && !el.closest('.table-responsive, .overflow-auto, .visually-hidden'));
  return {width: document.documentElement.scrollWidth, limit: limit,
          culprits: wide.slice(-3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                       + (el.className && typeof el.className === 'string'
                                          ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))};
}"""


def _pages(page, world, role: str) -> list[str]:
    urls = []
    for route in ROUTES:
        if route.get.get(role, 404) != 200 or route.name.startswith("admin:"):
            continue
        url = reverse(route.name, kwargs=route.kwargs(world))
        if url.startswith("/admin/"):
            continue
        answer = page.request.get(url, max_redirects=0)
        if answer.ok and answer.headers.get("content-type", "").startswith("text/html"):
            urls.append(url)
    return urls


def test_no_page_is_wider_than_a_phone_for_a_mentor_a_faculty_member_or_a_coordinator(page, world):
    page.set_viewport_size(PHONE)
    faculty = make_member(world.program, Membership.Role.FACULTY)
    walkers = [("owner", world.people["owner"]), ("faculty", faculty), ("coordinator", world.people["coordinator"])]
    too_wide, seen = [], 0
    for role, person in walkers:
        sign_in(page, person)
        for url in _pages(page, world, "owner" if role == "faculty" else role):
            visit(page, url)
            seen += 1
            measured = page.evaluate(WIDEST)
            if measured["width"] > measured["limit"]:
                too_wide.append(f"{role} {url}: {measured['width']} px ({', '.join(measured['culprits'])})")
        page.context.clear_cookies()  # the sign-out button sits in the collapsed menu on a phone
    assert seen > 40
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)
