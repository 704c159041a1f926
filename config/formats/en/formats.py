"""What Django itself writes for a date or a time (the admin's lists and read-only fields, the
``date`` filter without a format) in the shapes of ``toolbox.datetimes``, the one way the app
writes them: "Dec 8, 2026", "Tue, Dec 8, 2026, 12:00 PM PST". Input formats stay Django's."""

from toolbox.datetimes import DATE, DAY, TIME

DATE_FORMAT = DATE
TIME_FORMAT = TIME
DATETIME_FORMAT = f"{DAY}, {TIME} T"
