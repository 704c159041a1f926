"""Each submitted response's figures per domain, counted once (the program report averages these)."""

import django.db.models.deletion
from django.db import migrations, models


def count_submitted(apps, schema_editor):
    """Responses submitted before this migration get their figures counted as a new one does."""
    from assessments.services import domain_scores_record

    Response = apps.get_model("assessments", "Response")
    # Baselines first: a follow-up's change is counted from its baseline's figures.
    ids = list(Response.objects.filter(status="submitted").order_by("occasion", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        domain_scores_record(response_ids=ids[start:start + 2000], Answer=apps.get_model("assessments", "Answer"),
                             DomainScore=apps.get_model("assessments", "DomainScore"))


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0003_default_instruments'),
    ]

    operations = [
        migrations.CreateModel(
            name='DomainScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.FloatField(null=True)),
                ('readiness', models.FloatField(null=True)),
                ('checked', models.PositiveSmallIntegerField(default=0)),
                ('yes', models.PositiveSmallIntegerField(default=0)),
                ('score_change', models.FloatField(null=True)),
                ('readiness_change', models.FloatField(null=True)),
                ('domain', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scores', to='assessments.domain')),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='domain_scores', to='assessments.response')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('response', 'domain'), name='domain_score_once')],
            },
        ),        migrations.RunPython(count_submitted, migrations.RunPython.noop),
    ]
