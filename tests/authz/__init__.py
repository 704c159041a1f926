"""The authorization matrix: every URL of the project × every role × GET and POST.

Each app describes its URLs in ``tests/authz/routes_<app>.py``:

* ``ROUTES``: a list of :class:`Route`, one per URL name, saying what each role gets;
* optionally functions decorated with :func:`builder` that add the app's objects to the
  shared :class:`World` (the owner's objects, so the other roles can be refused them).

``tests/test_authorization_matrix.py`` walks the URL resolver and fails for any URL name that
no Route describes; the fuzzing and the every-page audit walk the same routes (``all_routes``)
with the same people and objects (``build_world``, the ``world`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

ROLES = ("anonymous", "owner", "other_mentor", "coordinator", "other_coordinator", "staff", "mentee",
         "other_mentee")
"""anonymous: not signed in; owner: the mentor whose objects these are; other_mentor: a mentor of
the same program; coordinator: of the owner's program; other_coordinator: of another program;
staff: a staff account with no membership anywhere; mentee: the owner's mentee, who accepted an
invitation to take part (an account with no membership); other_mentee: the same, of other_mentor."""


@dataclass
class World:
    program: object
    other_program: object
    people: dict
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)

    def __getattr__(self, name):
        # world.response rather than world.objects.response in route lambdas
        try:
            return getattr(self.__dict__["objects"], name)
        except (KeyError, AttributeError):
            raise AttributeError(name) from None


BUILDERS: list[Callable[[World], None]] = []


def builder(fn: Callable[[World], None]) -> Callable[[World], None]:
    BUILDERS.append(fn)
    return fn


def expect(*, anonymous=302, owner=200, other_mentor=404, coordinator=200, other_coordinator=404, staff=404,
           mentee=None, other_mentee=None):
    """Expected status per role. The default is a private object of the owner's. Mentees hold no
    membership: unless a route says otherwise they are answered as the staff account without one."""
    return {"anonymous": anonymous, "owner": owner, "other_mentor": other_mentor,
            "coordinator": coordinator, "other_coordinator": other_coordinator, "staff": staff,
            "mentee": staff if mentee is None else mentee,
            "other_mentee": staff if other_mentee is None else other_mentee}


PRIVATE = expect()
"""Only the owner and their program's coordinators."""
MENTEE_ONLY = expect(owner=404, coordinator=404, mentee=200)
"""The owner's mentee's own object: their mentor, coordinators and other mentees get a 404."""
OWNER_ONLY = expect(coordinator=404)
SIGNED_IN = expect(other_mentor=200, other_coordinator=200, staff=200)
"""Any signed-in person (their own view of a page that lists only their things)."""
PROGRAM_MEMBERS = expect(other_mentor=200)
"""Members and coordinators of the owner's program."""
COORDINATORS = expect(owner=404, other_mentor=404)
"""Coordinators of the program only (reports)."""
PUBLIC = dict.fromkeys(ROLES, 200)
NOT_ALLOWED = dict.fromkeys(ROLES, 405)
"""The method is not accepted, for anyone."""
SIGNED_IN_NOT_ALLOWED = {**NOT_ALLOWED, "anonymous": 302}


@dataclass(frozen=True)
class Route:
    name: str
    get: dict
    post: dict
    kwargs: Callable[[World], dict] = lambda world: {}
    post_data: Callable[[World], dict] = lambda world: {}
    secret: Callable[[World], str] | None = None
    """Text only the allowed roles may ever see; checked in every other role's answer."""

    def __repr__(self) -> str:
        return self.name


def all_routes() -> list[Route]:
    """Every app's routes; importing their modules also registers the apps' builders."""
    modules = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    return [route for module in modules for route in module.ROUTES]


def build_world() -> World:
    """The owner's program and another, the six roles' people and every app's objects."""
    from mentorprogram.models import Membership
    from tests.factories import MembershipFactory, ProgramFactory, UserFactory, make_member

    all_routes()  # the builders
    program, other_program = ProgramFactory(), ProgramFactory()
    people = {
        "anonymous": None,
        "owner": make_member(program, Membership.Role.MENTOR),
        "other_mentor": make_member(program, Membership.Role.MENTOR),
        "coordinator": make_member(program, Membership.Role.COORDINATOR),
        "other_coordinator": make_member(other_program, Membership.Role.COORDINATOR),
        "staff": UserFactory(is_staff=True),
        # Linked to their mentee records by the accountability builder (tests/authz/routes_accountability.py).
        "mentee": UserFactory(),
        "other_mentee": UserFactory(),
    }
    # The owner is faculty too, as many mentors are.
    MembershipFactory(user=people["owner"], program=program, role=Membership.Role.FACULTY)
    world = World(program=program, other_program=other_program, people=people)
    for build in BUILDERS:
        build(world)
    return world
