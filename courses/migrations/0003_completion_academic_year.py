"""One record per person, course and academic year.

Each record gets the academic year it counts in (its completion date's, or for a plan or an
enrolment the year it was made, in the person's time zone; the year starts in the month of the
person's first program by name, July when they have none). Where a person had a plan or an
enrolment beside a completion of the same course in the same year (the second Save of the old
course page made them), the open record says nothing the completion does not, and is removed.
"""

import zoneinfo

from django.db import migrations, models

RANK = {"planned": 0, "enrolled": 1, "completed": 2}


def _year(day, start_month):
    return day.year if day.month >= start_month else day.year - 1


def assign_years(apps, schema_editor):
    Completion = apps.get_model("courses", "Completion")
    Membership = apps.get_model("mentorprogram", "Membership")
    start_months = {}
    for user_id, month in Membership.objects.order_by("program__name").values_list(
        "user_id", "program__academic_year_start_month"
    ):
        start_months.setdefault(user_id, month)
    kept = {}
    for completion in Completion.objects.select_related("user").order_by("pk"):
        if completion.status == "completed":
            day = completion.completed_on
        else:
            try:
                zone = zoneinfo.ZoneInfo(completion.user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo("UTC")
            day = completion.created_at.astimezone(zone).date()
        completion.academic_year = _year(day, start_months.get(completion.user_id, 7))
        key = (completion.user_id, completion.course_id, completion.academic_year)
        other = kept.get(key)
        if other is None:
            kept[key] = completion
            continue
        if other.status == "completed" and completion.status == "completed":
            raise RuntimeError(
                f"Completion records {other.pk} and {completion.pk} complete the same course in the same academic "
                "year; remove one of them in the admin, then migrate again."
            )
        weaker, stronger = sorted([other, completion], key=lambda c: RANK[c.status])
        weaker.delete()
        kept[key] = stronger
    for completion in kept.values():
        completion.save(update_fields=["academic_year"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_seed_catalog"),
        ("mentorprogram", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="completion",
            name="academic_year",
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(assign_years, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="completion",
            name="academic_year",
            field=models.PositiveSmallIntegerField(
                editable=False,
                help_text="The academic year the record counts in (named by the calendar year it starts in): the "
                          "year of the completion date, or of the day a plan or enrolment was recorded.",
            ),
        ),
        migrations.RemoveConstraint(model_name="completion", name="completion_unique_day"),
        migrations.AddConstraint(
            model_name="completion",
            constraint=models.UniqueConstraint(fields=("user", "course", "academic_year"),
                                               name="completion_one_per_year"),
        ),
    ]
