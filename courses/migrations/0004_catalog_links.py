"""The shipped catalog's flagship CME course and the academy's offerings get the pages where
they are taken, so no shipped item is a dead end. An address a superuser has set is kept."""

from django.db import migrations

LINKS = {
    "Mentor training for faculty: a self-paced online course": "https://cme.stanford.edu/",
    "Mentoring workshop series (three parts)": "https://med.stanford.edu/academy/about.html",
    "Education Day": "https://med.stanford.edu/academy/about.html",
}


def add_links(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    for title, url in LINKS.items():
        Course.objects.filter(program__isnull=True, title=title, url="").update(url=url)


def remove_links(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    for title, url in LINKS.items():
        Course.objects.filter(program__isnull=True, title=title, url=url).update(url="")


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_completion_academic_year")]

    operations = [migrations.RunPython(add_links, remove_links)]
