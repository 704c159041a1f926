"""django-auditlog's own migrations make its ``auditlog_logentry`` table even though the project
keeps its trail in ``mentorprogram.AuditEntry`` (AUDITLOG_LOGENTRY_MODEL). Nothing writes to that
table, but on PostgreSQL its foreign keys to the user and content type tables stop Django's
``flush`` (used between transactional tests) from truncating those tables. The table stays, for the
library's later migrations; its foreign keys go."""

from django.db import migrations


def drop_foreign_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite's flush deletes rows; the keys do not stand in its way
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint "
                       "WHERE conrelid = to_regclass('auditlog_logentry') AND contype = 'f'")
        for (name,) in cursor.fetchall():
            cursor.execute("ALTER TABLE auditlog_logentry DROP CONSTRAINT " + schema_editor.quote_name(name))


class Migration(migrations.Migration):

    dependencies = [
        ("mentorprogram", "0010_audit_trail"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(drop_foreign_keys, migrations.RunPython.noop, elidable=False)]
