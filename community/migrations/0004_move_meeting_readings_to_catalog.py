"""A meeting's reading moves from its own title and link to a catalog Reading.

Each meeting with a reading title (or only a link) is linked to a reading of the same title
(and the same link, when it has one) that its program may use — its program's own first,
then a shared one — or to a new reading of its program made from them. The full title is
kept as the citation, so a title longer than a catalog title is not lost. Meetings keep
their ``updated_at``: calendars need not hear of this. Going back copies the reading's title
and link onto the meeting again; the readings stay in the catalog.
"""

from django.db import migrations
from django.db.models import F, Q

TITLE_LENGTH = 300  # courses.Reading.title
OLD_URL_LENGTH = 200  # community.Meeting.reading_url


def _title(text: str) -> str:
    return text if len(text) <= TITLE_LENGTH else text[:TITLE_LENGTH - 1] + "…"


def link_readings(apps, schema_editor):
    Meeting = apps.get_model("community", "Meeting")
    Reading = apps.get_model("courses", "Reading")
    found: dict[tuple[int, str, str], int] = {}
    meetings = (
        Meeting.objects.filter(reading__isnull=True).exclude(reading_title="", reading_url="")
        .select_related("series").order_by("pk")
    )
    for meeting in meetings.iterator():
        program_id = meeting.series.program_id
        url = meeting.reading_url.strip()
        full = meeting.reading_title.strip() or url
        if not full:
            continue
        title = _title(full)
        key = (program_id, title, url)
        if key not in found:
            candidates = Reading.objects.filter(Q(program__isnull=True) | Q(program_id=program_id), title=title)
            if url:
                candidates = candidates.filter(url=url)
            reading = candidates.order_by(F("program_id").asc(nulls_last=True), "pk").first()
            if reading is None:
                reading = Reading.objects.create(program_id=program_id, title=title, citation=full, url=url)
            found[key] = reading.pk
        Meeting.objects.filter(pk=meeting.pk).update(reading_id=found[key])


def copy_readings_back(apps, schema_editor):
    Meeting = apps.get_model("community", "Meeting")
    for meeting in Meeting.objects.filter(reading__isnull=False).select_related("reading").iterator():
        reading = meeting.reading
        Meeting.objects.filter(pk=meeting.pk).update(
            reading_title=reading.title,
            reading_url=reading.url if len(reading.url) <= OLD_URL_LENGTH else "",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0003_meeting_reading'),
        ('courses', '0002_seed_catalog'),
    ]

    operations = [
        migrations.RunPython(link_readings, copy_readings_back),
    ]
