"""The coordinator's home: per program they coordinate, what needs doing now.

It sits on top like the cards and reads only the apps' selectors: a fixed number of queries per
program, each counting in the database, whatever the number of people, meetings or emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from accountability import coordinators as accountability_coordinators
from assessments import follow_ups
from community import selectors as community
from courses import selectors as courses
from mentorprogram import permissions
from mentorprogram import selectors as core
from mentorprogram.models import Membership, Program, User
from toolbox.periods import academic_year_label, academic_year_of, local_today


@dataclass
class ProgramHome:
    program: Program
    meeting: object
    challenges_count: int
    challenges: list
    behind: list
    invitations: dict
    failed_count: int
    failed: list
    follow_up_count: int
    follow_ups: list
    credit_hours: Decimal
    credit_people: int
    year_label: str


def coordinated_programs(*, user: User, memberships: list[Membership]) -> list[Program]:
    """The programs of ``memberships`` (already read, with their program) that the user coordinates."""
    ids = permissions.coordinated_program_ids(user)
    seen: dict[int, Program] = {}
    for m in memberships:
        if m.program_id in ids:
            seen.setdefault(m.program_id, m.program)
    return sorted(seen.values(), key=lambda p: p.name)


def program_home(*, program: Program, now: datetime) -> ProgramHome:
    today = local_today(program.time_zone, now)
    challenges_count, challenges = community.new_challenges(program=program)
    failed_count, failed = core.failed_emails(program=program)
    follow_up_count, overdue = follow_ups.overdue_follow_ups(program=program, now=now)
    year = academic_year_of(today, program.academic_year_start_month)
    credit = next((row for row in courses.credit_hours_by_academic_year(program=program)
                   if row["year_start"].year == year), None)
    return ProgramHome(
        program=program,
        meeting=community.next_meeting_with_rsvps(program=program, now=now),
        challenges_count=challenges_count, challenges=challenges,
        behind=accountability_coordinators.behind_by_requirement(program=program, today=today),
        invitations=core.unanswered_invitations(program=program),
        failed_count=failed_count, failed=failed,
        follow_up_count=follow_up_count, follow_ups=overdue,
        credit_hours=credit["hours"] if credit else Decimal(0),
        credit_people=credit["people"] if credit else 0,
        year_label=academic_year_label(year, program.academic_year_start_month),
    )


def has_own_view(memberships: list[Membership]) -> bool:
    """Whether the person also takes part (mentor or faculty), and so has a view of their own."""
    return any(m.role != Membership.Role.COORDINATOR for m in memberships)
