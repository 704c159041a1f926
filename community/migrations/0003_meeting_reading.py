import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0002_seed_topics'),
        ('courses', '0002_seed_catalog'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='reading',
            field=models.ForeignKey(blank=True, help_text="A shared reading of the catalog or one of this program's own. New ones are added under Courses › Readings.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='meetings', to='courses.reading', verbose_name='reading to discuss'),
        ),
    ]
