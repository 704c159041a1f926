"""Mentees' feedback on their mentor: a new kind of instrument, and the shared default one."""

from django.db import migrations, models
from django.utils import timezone


def install(apps, schema_editor):
    from assessments.defaults import FEEDBACK_INSTRUMENTS, install_default_instruments

    install_default_instruments(
        Instrument=apps.get_model("assessments", "Instrument"),
        InstrumentVersion=apps.get_model("assessments", "InstrumentVersion"),
        Domain=apps.get_model("assessments", "Domain"),
        Item=apps.get_model("assessments", "Item"),
        now=timezone.now(),
        specs=FEEDBACK_INSTRUMENTS,
    )


class Migration(migrations.Migration):

    dependencies = [("assessments", "0005_version_licence_and_follow_up_cadence")]

    operations = [
        migrations.AlterField(
            model_name="instrument",
            name="kind",
            field=models.CharField(choices=[
                ("readiness", "Mentor Readiness Checklist"), ("skills", "Mentor Skills Inventory"),
                ("other", "Other self-assessment"), ("mentee_feedback", "Mentee feedback on their mentor"),
            ], max_length=20),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
