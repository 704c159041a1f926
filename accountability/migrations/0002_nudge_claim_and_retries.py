from django.db import migrations, models
from django.utils import timezone


def stamp_open_claims(apps, schema_editor):
    """Nudges left in "sending" before claims were timed count as claimed now: they are taken
    back once the claim timeout has passed, like any claim of a lost worker."""
    Nudge = apps.get_model("accountability", "Nudge")
    Nudge.objects.filter(status="sending").update(claimed_at=timezone.now(), attempts=1)


class Migration(migrations.Migration):

    dependencies = [
        ("accountability", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="nudge",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="nudge",
            name="claim_token",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="nudge",
            name="claimed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="nudge",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(stamp_open_claims, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="nudge",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "sending"), _negated=True) | models.Q(claimed_at__isnull=False),
                name="nudge_sending_has_claim",
            ),
        ),
    ]
