"""The shared default instruments: the Mentor Readiness Checklist and the Mentor Skills Inventory."""

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from assessments.defaults import install_default_instruments

    install_default_instruments(
        Instrument=apps.get_model("assessments", "Instrument"),
        InstrumentVersion=apps.get_model("assessments", "InstrumentVersion"),
        Domain=apps.get_model("assessments", "Domain"),
        Item=apps.get_model("assessments", "Item"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):

    dependencies = [("assessments", "0002_response_instrument")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
