"""A meeting's times in the admin are in its series' time zone, said in words; no server-time note."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from tests.factories.community import MeetingFactory, MeetingSeriesFactory

NY = zoneinfo.ZoneInfo("America/New_York")


def test_a_meetings_times_show_and_save_in_its_series_zone_not_the_coordinators(client, program, coordinator):
    coordinator.time_zone = "Asia/Tokyo"
    coordinator.save()
    start = dt.datetime(2030, 3, 12, 12, 0, tzinfo=NY)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, time_zone="America/New_York"),
                             starts_at=start, occurrence_start=start, ends_at=start + dt.timedelta(hours=1))
    client.force_login(coordinator)
    url = reverse("admin:community_meeting_change", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert 'name="starts_at_1" value="12:00:00"' in html
    assert "Date and time in America/New York time." in html
    assert "js/admin-time-zone.js" in html  # the script that drops Django's "hours ahead of server time" note
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in ("status", "place", "video_url", "presenter", "reading", "minutes")}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"starts_at_0": "2030-03-12", "starts_at_1": "13:00", "ends_at_0": "2030-03-12", "ends_at_1": "14:00"})
    for prefix in ("agenda_items", "attendance"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2030, 3, 12, 13, 0, tzinfo=NY)
