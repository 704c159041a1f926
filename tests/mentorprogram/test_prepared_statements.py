"""On PostgreSQL every person's page runs the same statements with other values; each connection
prepares a statement it runs again and again, so that PostgreSQL parses and plans it once."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorprogram.models import Membership
from tests.factories import MembershipFactory

from .test_settings import run_manage

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")

PREPARED = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s"


def _prepared_membership_reads() -> int:
    with connection.cursor() as cursor:
        cursor.execute(PREPARED, ['%FROM "mentorprogram_membership"%'])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_read_that_many_people_make_is_prepared_once_on_the_connection():
    people = [MembershipFactory().user for _ in range(6)]
    assert connection.features.uses_server_side_binding
    assert _prepared_membership_reads() == 0
    for person in people:  # the same statement, each time with someone else's id
        assert list(Membership.objects.filter(user=person).values_list("user_id", flat=True)) == [person.pk]
    assert _prepared_membership_reads() == 1


def test_the_switch_turns_them_off_for_a_pooler_that_cannot_keep_them():
    show = "from django.db import connection; print(connection.features.uses_server_side_binding)"
    url = connection.settings_dict
    database_url = f"postgres://{url['USER']}@{url['HOST']}:{url['PORT'] or 5432}/{url['NAME']}"
    on = run_manage("shell", "--no-imports", "-c", show, DATABASE_URL=database_url)
    off = run_manage("shell", "--no-imports", "-c", show, DATABASE_URL=database_url, DATABASE_PREPARED_STATEMENTS="0")
    assert (on.stdout.strip(), off.stdout.strip()) == ("True", "False"), on.stderr + off.stderr
