"""Nudges keep who was nudged about what; their delivery state moves to the outbox (history and
anything still pending carry over: pending becomes queued, ``error`` becomes ``last_error``)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def _check_constraints_now(schema_editor):
    """On PostgreSQL, run the deferred foreign-key checks of the rows just written before the
    table is altered: ALTER TABLE refuses a table with pending trigger events."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def to_outbox(apps, schema_editor):
    from urllib.parse import urlsplit

    from django.conf import settings

    Nudge = apps.get_model("accountability", "Nudge")
    OutboundEmail = apps.get_model("mentorprogram", "OutboundEmail")
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    rows = Nudge.objects.filter(email__isnull=True).select_related("person").order_by("pk")
    while batch := list(rows[:BATCH]):
        emails = [OutboundEmail(
            kind="nudge", dedupe_key=f"{n.person_id}:{n.kind}:{n.key}", program_id=n.program_id, user_id=n.person_id,
            to_address=n.person.email, status="queued" if n.status == "pending" else n.status, attempts=n.attempts,
            last_error=n.error, claim_token=n.claim_token, claimed_at=n.claimed_at, next_attempt_at=n.next_attempt_at,
            enqueued_at=n.next_attempt_at or n.created_at, created_at=n.created_at, sent_at=n.sent_at,
            message_id=f"<nudge-{n.pk}@{domain}>" if n.status in ("sent", "sending") else "",
        ) for n in batch]
        OutboundEmail.objects.bulk_create(emails)
        by_key = dict(OutboundEmail.objects.filter(kind="nudge", dedupe_key__in=[e.dedupe_key for e in emails])
                      .values_list("dedupe_key", "pk"))
        for nudge in batch:
            nudge.email_id = by_key[f"{nudge.person_id}:{nudge.kind}:{nudge.key}"]
        Nudge.objects.bulk_update(batch, ["email_id"])
    _check_constraints_now(schema_editor)


def from_outbox(apps, schema_editor):
    Nudge = apps.get_model("accountability", "Nudge")
    for nudge in Nudge.objects.select_related("email").iterator():
        email = nudge.email
        Nudge.objects.filter(pk=nudge.pk).update(
            status="pending" if email.status == "queued" else email.status, attempts=email.attempts,
            error=email.last_error, claim_token=email.claim_token[:40], claimed_at=email.claimed_at,
            next_attempt_at=email.next_attempt_at, sent_at=email.sent_at)
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('accountability', '0002_nudge_claim_and_retries'),
        ('mentorprogram', '0005_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='nudge',
            name='email',
            field=models.OneToOneField(help_text='The email in the outbox, with its delivery state.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='nudge', to='mentorprogram.outboundemail'),
        ),
        migrations.RunPython(to_outbox, from_outbox),
        migrations.RemoveConstraint(model_name='nudge', name='nudge_sending_has_claim'),
        migrations.RemoveIndex(model_name='nudge', name='accountabil_status_b871df_idx'),
        migrations.RemoveField(model_name='nudge', name='attempts'),
        migrations.RemoveField(model_name='nudge', name='claim_token'),
        migrations.RemoveField(model_name='nudge', name='claimed_at'),
        migrations.RemoveField(model_name='nudge', name='error'),
        migrations.RemoveField(model_name='nudge', name='next_attempt_at'),
        migrations.RemoveField(model_name='nudge', name='sent_at'),
        migrations.RemoveField(model_name='nudge', name='status'),
        migrations.AlterField(
            model_name='nudge',
            name='email',
            field=models.OneToOneField(help_text='The email in the outbox, with its delivery state.', on_delete=django.db.models.deletion.CASCADE, related_name='nudge', to='mentorprogram.outboundemail'),
        ),
    ]
