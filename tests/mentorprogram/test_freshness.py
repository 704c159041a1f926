"""The write stamps behind every cached page and the cached signed-in user."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from mentorprogram import freshness
from mentorprogram.models import User
from tests.factories.courses import CourseFactory
from tests.factories.reminders import ReminderDeliveryFactory


def stamps(*tables):
    return [cache.get(freshness.STAMP_KEY), *(cache.get(freshness.table_key(t)) for t in tables)]


@pytest.mark.parametrize(("sql", "table"), [
    ('INSERT INTO "courses_course" ("title") VALUES (%s)', "courses_course"),
    ('UPDATE "mentorprogram_user" SET "display_name" = %s', "mentorprogram_user"),
    ("DELETE FROM community_rsvp WHERE id = 3", "community_rsvp"),
    ('  update `assessments_answer` set x = 1', "assessments_answer"),
    ('SELECT * FROM "courses_course"', None),
    ('UPDATE "django_session" SET "expire_date" = %s', None),
    ("INSERT OR REPLACE INTO x VALUES (1)", ""),
])
def test_it_reads_the_written_table_from_the_sql(sql, table):
    assert freshness._written_table(sql) == table


def test_a_write_moves_its_tables_stamp_and_the_global_one_and_leaves_other_tables_alone(db):
    before = stamps("courses_course", "mentorprogram_user")
    CourseFactory()
    after = stamps("courses_course", "mentorprogram_user")
    assert after[0] != before[0] and after[1] != before[1]
    assert after[2] == before[2]


def test_delivery_bookkeeping_leaves_the_global_stamp_alone(db):
    delivery = ReminderDeliveryFactory()
    before = stamps("reminders_reminderdelivery")
    type(delivery).objects.filter(pk=delivery.pk).update(sent_sequence=3)
    after = stamps("reminders_reminderdelivery")
    assert after[0] == before[0] and after[1] != before[1]


def test_a_transaction_moves_the_stamps_of_what_it_wrote_again_at_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        CourseFactory()
        CourseFactory()
        User.objects.create_user(email="late.joiner@example.org", password="a-long-enough-passphrase-1")
    hooks = [c for c in callbacks if isinstance(c, freshness._CommitBump)]
    assert len(hooks) == 1  # one hook per transaction, however many rows
    assert {"courses_course", "mentorprogram_user"} <= hooks[0].tables


def test_a_write_the_stamps_cannot_place_makes_everything_stale(db):
    freshness.bump("mentorprogram_user")
    before = [*stamps(), cache.get(freshness.ANY_TABLE_KEY)]
    freshness._bump_written([""])
    after = [*stamps(), cache.get(freshness.ANY_TABLE_KEY)]
    assert after[0] != before[0] and after[1] != before[1]


def test_the_signed_in_user_stays_cached_through_writes_to_other_tables(client, mentor):
    from mentorprogram.auth_backends import cache_key

    client.force_login(mentor)
    client.get(reverse("profile"))
    kept = cache.get(cache_key(mentor.pk))
    CourseFactory()  # a write, but not to users or memberships
    client.get(reverse("profile"))
    assert cache.get(cache_key(mentor.pk))[1] == kept[1]  # the same entry: not read again
    User.objects.filter(pk=mentor.pk).update(display_name="Dr. Changed")
    assert "Dr. Changed" in client.get(reverse("profile")).content.decode()
