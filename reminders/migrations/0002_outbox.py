"""Reminder deliveries keep who was reminded of what; their delivery state moves to the outbox.

Every existing delivery gets its OutboundEmail with the same status, attempts, error, claim and
times, so history and anything still queued carry over."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def _check_constraints_now(schema_editor):
    """On PostgreSQL, run the deferred foreign-key checks of the rows just written before the
    table is altered: ALTER TABLE refuses a table with pending trigger events."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _key(row) -> str:
    if row.kind == "reminder":
        return f"{row.meeting_id}:{row.user_id}:lead:{row.lead_days}"
    return f"{row.meeting_id}:{row.user_id}:{row.kind}:{row.sequence}"


def to_outbox(apps, schema_editor):
    Delivery = apps.get_model("reminders", "ReminderDelivery")
    OutboundEmail = apps.get_model("mentorprogram", "OutboundEmail")
    domain = "localhost"
    from django.conf import settings
    from urllib.parse import urlsplit

    domain = urlsplit(settings.SITE_URL).hostname or domain
    rows = Delivery.objects.filter(email__isnull=True).select_related("meeting__series", "user").order_by("pk")
    while batch := list(rows[:BATCH]):
        emails = [OutboundEmail(
            kind="meeting", dedupe_key=_key(d), program_id=d.meeting.series.program_id, user_id=d.user_id,
            to_address=d.user.email, context={"meeting": d.meeting_id}, status=d.status, attempts=d.attempts,
            last_error=d.last_error, claim_token=d.claim_token, claimed_at=d.claimed_at, enqueued_at=d.enqueued_at,
            next_attempt_at=d.next_attempt_at, created_at=d.created_at, sent_at=d.sent_at,
            # The Message-ID the delivery was sent with, so a resend can still be folded.
            message_id=f"<reminder-{d.pk}@{domain}>" if d.status in ("sent", "sending") else "",
        ) for d in batch]
        OutboundEmail.objects.bulk_create(emails)
        by_key = dict(OutboundEmail.objects.filter(kind="meeting", dedupe_key__in=[e.dedupe_key for e in emails])
                      .values_list("dedupe_key", "pk"))
        for delivery in batch:
            delivery.email_id = by_key[_key(delivery)]
        Delivery.objects.bulk_update(batch, ["email_id"])
    _check_constraints_now(schema_editor)


def from_outbox(apps, schema_editor):
    Delivery = apps.get_model("reminders", "ReminderDelivery")
    for delivery in Delivery.objects.select_related("email").iterator():
        email = delivery.email
        Delivery.objects.filter(pk=delivery.pk).update(
            status=email.status, attempts=email.attempts, last_error=email.last_error, claim_token=email.claim_token,
            claimed_at=email.claimed_at, enqueued_at=email.enqueued_at, next_attempt_at=email.next_attempt_at,
            sent_at=email.sent_at, sent_sequence=delivery.sent_sequence if email.status != "sent"
            else (delivery.sent_sequence or 0))
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('mentorprogram', '0005_outbox'),
        ('reminders', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminderdelivery',
            name='email',
            field=models.OneToOneField(help_text='The email in the outbox, with its delivery state.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminder_delivery', to='mentorprogram.outboundemail'),
        ),
        migrations.RunPython(to_outbox, from_outbox),
        migrations.RemoveConstraint(
            model_name='reminderdelivery',
            name='sent_delivery_has_time_and_sequence',
        ),
        migrations.RemoveIndex(
            model_name='reminderdelivery',
            name='reminders_r_status_c1a991_idx',
        ),
        migrations.RemoveIndex(
            model_name='reminderdelivery',
            name='reminders_r_dispatc_cf55e9_idx',
        ),
        migrations.RemoveField(model_name='reminderdelivery', name='attempts'),
        migrations.RemoveField(model_name='reminderdelivery', name='claim_token'),
        migrations.RemoveField(model_name='reminderdelivery', name='claimed_at'),
        migrations.RemoveField(model_name='reminderdelivery', name='dispatch_token'),
        migrations.RemoveField(model_name='reminderdelivery', name='enqueued_at'),
        migrations.RemoveField(model_name='reminderdelivery', name='last_error'),
        migrations.RemoveField(model_name='reminderdelivery', name='next_attempt_at'),
        migrations.RemoveField(model_name='reminderdelivery', name='sent_at'),
        migrations.RemoveField(model_name='reminderdelivery', name='status'),
        migrations.AlterField(
            model_name='reminderdelivery',
            name='email',
            field=models.OneToOneField(help_text='The email in the outbox, with its delivery state.', on_delete=django.db.models.deletion.CASCADE, related_name='reminder_delivery', to='mentorprogram.outboundemail'),
        ),
    ]
