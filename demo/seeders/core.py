"""Demo data for a fresh install and for benchmarks. Every function is idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from mentorprogram.models import Membership, Program, User

DEMO_PASSWORD = "mentor-demo"  # noqa: S105 — published demo credentials, refused in production
DEMO_PROGRAM_SLUG = "medicine-faculty-mentoring"
# The program report hides any figure resting on fewer people than the privacy threshold (5):
# twenty colleagues beside the demo accounts give every section of the demo's report figures
# (most have taken the self-assessments, more than half a follow-up too; see seeders/assessments.py).
DEFAULT_EXTRA_MENTORS = 20

FIRST_NAMES = ["Amara", "Ben", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonah",
               "Kemi", "Luis", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tova"]
LAST_NAMES = ["Adeyemi", "Bergström", "Castillo", "Dubois", "Eze", "Fischer", "García", "Haddad", "Ito",
              "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel", "Quispe", "Rossi"]
DEPARTMENTS = ["Medicine", "Pediatrics", "Surgery", "Radiology", "Psychiatry", "Neurology"]

DEMO_PEOPLE = [
    # email, display name, role, staff
    ("coordinator@example.org", "Dana Whitfield", Membership.Role.COORDINATOR, True),
    ("mentor@example.org", "Dr. Sam Okafor", Membership.Role.MENTOR, False),
    ("faculty@example.org", "Dr. Lee Nakamura", Membership.Role.FACULTY, False),
]


def seed_program() -> Program:
    program, _ = Program.objects.get_or_create(
        slug=DEMO_PROGRAM_SLUG,
        defaults={
            "name": "Department of Medicine Faculty Mentoring Program",
            "community_name": "Medicine Mentor Circle",
            "time_zone": "America/Los_Angeles",
            "mission": (
                "We pair early-career faculty with experienced colleagues so that every junior member of the "
                "department has someone in their corner: for research, teaching, clinical growth and the "
                "unwritten rules of academic life. Mentors train together and hold each other to shared "
                "expectations, and we measure whether it works."
            ),
            "expected_behaviours": (
                "Meet your mentee at least once a month, keep commitments, listen before advising, and "
                "help your mentee build a wider network rather than depend on you alone."
            ),
            "expected_topics": (
                "Career goals and the path to promotion; research and funding; teaching; clinical load; "
                "work–life integration; navigating the institution."
            ),
            "professionalism_standards": (
                "Keep what your mentee tells you confidential unless safety requires otherwise; avoid conflicts "
                "of interest; treat every mentee with equal respect; take part in the Mentor Community."
            ),
        },
    )
    return program


def _ensure_person(email: str, name: str, *, staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name, is_staff=staff)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed_people(program: Program) -> dict[str, User]:
    people = {}
    for email, name, role, staff in DEMO_PEOPLE:
        user = _ensure_person(email, name, staff=staff)
        Membership.objects.get_or_create(
            user=user, program=program, role=role,
            defaults={"status": Membership.Status.ACTIVE, "department": "Medicine"},
        )
        people[role] = user
    return people


@transaction.atomic
def seed_extra_mentors(program: Program, count: int) -> list[User]:
    """``count`` more mentors (mentor0001@example.org …), created in bulk for benchmarks."""
    emails = [f"mentor{i:04d}@example.org" for i in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)  # hash once; hashing a thousand times takes minutes
    new_users = []
    for i, email in enumerate(emails):
        if email in existing:
            continue
        name = f"Dr. {FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
        new_users.append(User(email=email, display_name=name, password=password))
    User.objects.bulk_create(new_users, batch_size=500)
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        ignore_conflicts=True, batch_size=500,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, program=program, role=Membership.Role.MENTOR, status=Membership.Status.ACTIVE,
                       department=DEPARTMENTS[i % len(DEPARTMENTS)])
            for i, u in enumerate(users)
        ],
        ignore_conflicts=True, batch_size=500,
    )
    return users
