from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from mentorprogram.models import Membership, Program, User


def snapshot():
    return (
        list(Program.objects.values_list("slug", "name", "community_name")),
        list(User.objects.order_by("email").values_list("email", "password", "display_name")),
        list(Membership.objects.order_by("user__email").values_list("user__email", "role", "status")),
    )


def test_it_creates_the_demo_program_and_accounts_and_a_second_run_changes_nothing(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", mentors=3)
    first = snapshot()
    call_command("seed_demo", mentors=3)
    assert snapshot() == first

    program = Program.objects.get()
    assert program.community_name
    roles = dict(Membership.objects.filter(user__email__in=[
        "coordinator@example.org", "mentor@example.org", "faculty@example.org"]).values_list("user__email", "role"))
    assert roles == {"coordinator@example.org": "coordinator", "mentor@example.org": "mentor",
                     "faculty@example.org": "faculty"}
    assert Membership.objects.filter(role="mentor").count() == 4
    assert client.login(email="mentor@example.org", password="mentor-demo")


def test_it_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Program.objects.exists()
    call_command("seed_demo", force=True)
    assert Program.objects.exists()
