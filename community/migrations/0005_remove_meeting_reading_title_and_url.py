from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0004_move_meeting_readings_to_catalog'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='meeting',
            name='reading_title',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='reading_url',
        ),
    ]
