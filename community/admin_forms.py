"""The coordinators' forms for meeting series and attendance, in plain words.

A series' rule is chosen with a picker (every week / month / year, which weekday and week of the
month or which date, an optional end date) that writes the RRULE; the raw rule stays behind an
"Advanced" disclosure for what the picker cannot say. "Preview dates" shows the next five dates
without saving."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import recurrence
from .models import MeetingSeries

CUSTOM = "custom"
REPEAT_CHOICES = [("WEEKLY", "Every week"), ("MONTHLY", "Every month"), ("YEARLY", "Every year"),
                  (CUSTOM, "By the advanced rule below")]
BY_WEEKDAY, BY_DATE = "weekday", "date"
WEEKDAY_CHOICES = list(zip(recurrence.WEEKDAYS, recurrence.WEEKDAY_NAMES, strict=True))
WEEK_CHOICES = [(str(n), label) for n, label in recurrence.WEEK_OF_MONTH.items()]
DAY_CHOICES = [(str(n), str(n)) for n in range(1, 32)] + [(str(recurrence.LAST_DAY), "the last day")]
MONTH_CHOICES = [(str(n), name) for n, name in enumerate(recurrence.MONTH_NAMES, start=1)]
PREVIEW_BUTTON = "_preview"
PREVIEW_COUNT = 5
PICKER_FIELDS = ["repeat", "interval", "weekdays", "monthly_by", "week_of_month", "weekday", "month_day", "month"]


class PreviewWidget(forms.Widget):
    """The next meeting dates and the "Preview dates" button, inside the form (no input of its own)."""

    dates: list | None = None
    problem: str = ""
    zone_name: str = ""

    def value_from_datadict(self, data, files, name):
        return None

    def render(self, name, value, attrs=None, renderer=None):
        button = format_html('<button type="submit" name="{}" value="1" class="button" id="preview-dates">'
                             'Preview dates</button>', PREVIEW_BUTTON)
        if self.problem:
            body = format_html('<p class="preview-problem">{}</p>', self.problem)
        elif self.dates is None:
            body = format_html("<p>{}</p>", "Choose when the series meets, then press “Preview dates” to see "
                                            "the next five meetings before you save.")
        elif not self.dates:
            body = format_html("<p>{}</p>", "No meeting from today on: check the first and last dates.")
        else:
            items = format_html_join("", "<li>{}</li>", ((f"{d:%A %-d %B %Y, %H:%M}",) for d in self.dates))
            body = format_html('<p>The next meetings ({} time):</p><ol class="preview-dates">{}</ol>',
                               self.zone_name, items)
        return format_html('<div class="series-preview" aria-live="polite" id="{}">{}{}</div>',
                           (attrs or {}).get("id", "id_preview"), body, button)


class MeetingSeriesAdminForm(forms.ModelForm):
    repeat = forms.ChoiceField(label="Repeats", choices=REPEAT_CHOICES, required=False, initial="MONTHLY")
    interval = forms.IntegerField(
        label="How often", min_value=1, max_value=99, initial=1, required=False,
        help_text="1 for every week, month or year; 2 for every other one, and so on.",
    )
    weekdays = forms.MultipleChoiceField(
        label="Every week: on", choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
    )
    monthly_by = forms.ChoiceField(
        label="Every month or year: on", required=False, initial=BY_WEEKDAY, widget=forms.RadioSelect,
        choices=[(BY_WEEKDAY, "a weekday of the month (e.g. the second Tuesday)"),
                 (BY_DATE, "a date of the month (e.g. the 15th)")],
    )
    week_of_month = forms.ChoiceField(label="Which week", choices=WEEK_CHOICES, required=False, initial="2")
    weekday = forms.ChoiceField(label="Which weekday", choices=WEEKDAY_CHOICES, required=False, initial="TU")
    month_day = forms.ChoiceField(label="Which date", choices=DAY_CHOICES, required=False, initial="1")
    month = forms.ChoiceField(label="Every year: in", choices=MONTH_CHOICES, required=False, initial="9")
    preview = forms.Field(label="Next dates", required=False, widget=PreviewWidget)

    class Meta:
        model = MeetingSeries
        fields = ["rrule"]  # the admin adds the fieldsets' other fields
        help_texts = {"rrule": "An iCalendar RRULE, used when “Repeats” is “By the advanced rule below”, e.g. "
                               "FREQ=MONTHLY;BYDAY=1TU,3TU for the first and third Tuesday. Otherwise it is "
                               "written from your choices above."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rrule" in self.fields:
            self.fields["rrule"].required = False
        self.previewing = PREVIEW_BUTTON in self.data
        if self.instance.pk and not self.is_bound:
            self.initial.update(_initial_for(self.instance))
            if "preview" in self.fields:
                self._show_preview(self.instance)

    # --- the picker -> the rule

    def _pattern(self) -> recurrence.Pattern:
        data = self.cleaned_data
        frequency = data.get("repeat")
        interval = data.get("interval") or 1
        if frequency == "WEEKLY":
            return recurrence.Pattern("WEEKLY", interval, tuple(data.get("weekdays") or ()))
        month = int(data["month"]) if frequency == "YEARLY" and data.get("month") else None
        if data.get("monthly_by") == BY_DATE:
            day = data.get("month_day")
            return recurrence.Pattern(frequency, interval, month_day=int(day) if day else None, month=month)
        week, weekday = data.get("week_of_month"), data.get("weekday")
        return recurrence.Pattern(frequency, interval, (weekday,) if weekday else (),
                                  week_of_month=int(week) if week else None, month=month)

    def clean(self):
        data = super().clean()
        if "repeat" not in self.fields:
            return data
        if data.get("repeat") in ("", None, CUSTOM):
            if not (data.get("rrule") or "").strip():
                self.add_error("rrule", "Write a recurrence rule, or choose how the series repeats above.")
            return data
        try:
            data["rrule"] = recurrence.to_rule(self._pattern())
        except recurrence.RuleError as exc:
            self.add_error("repeat", str(exc))
            return data
        # Shown again in the advanced box when the page comes back (a preview, another field's error).
        self.data = self.data.copy()
        self.data["rrule"] = data["rrule"]
        return data

    def _post_clean(self):
        super()._post_clean()
        # The model checks the rule (e.g. "no meeting between the dates"); when the picker wrote
        # it, say so beside the picker, not in the closed advanced box.
        if self.cleaned_data.get("repeat") not in ("", None, CUSTOM) and "rrule" in self.errors:
            for message in self.errors.pop("rrule"):
                self.add_error("repeat", message)

    # --- the preview

    def _show_preview(self, series: MeetingSeries) -> None:
        widget = self.fields["preview"].widget
        try:
            zone = zoneinfo.ZoneInfo(series.time_zone or series.program.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, MeetingSeries.program.RelatedObjectDoesNotExist):
            widget.problem = "Choose the program (or a time zone) to see the dates."
            return
        try:
            widget.dates = recurrence.next_dates(
                series.rrule, first_date=series.first_date, start_time=series.start_time,
                last_date=series.last_date, zone=zone, now=timezone.now(), count=PREVIEW_COUNT,
            )
        except (ValueError, TypeError, OverflowError, recurrence.RuleError):
            widget.problem = "These choices make no dates yet; correct the fields marked above."
            return
        widget.zone_name = str(zone).replace("_", " ")

    def is_valid(self) -> bool:
        """With "Preview dates" pressed, a valid form shows its dates and is not saved: the admin
        then shows the page again, as it does for a form with errors, but with none."""
        valid = super().is_valid()
        if not self.previewing or "preview" not in self.fields:
            return valid
        if valid:
            self._show_preview(self.instance)
        else:
            self.fields["preview"].widget.problem = "Correct the fields marked above to see the dates."
        return False


def _initial_for(series: MeetingSeries) -> dict:
    pattern = recurrence.from_rule(series.rrule, series.first_date)
    if pattern is None:
        return {"repeat": CUSTOM}
    initial = {"repeat": pattern.frequency, "interval": pattern.interval}
    if pattern.frequency == "WEEKLY":
        return {**initial, "weekdays": list(pattern.weekdays)}
    if pattern.month:
        initial["month"] = str(pattern.month)
    if pattern.week_of_month is not None:
        return {**initial, "monthly_by": BY_WEEKDAY, "week_of_month": str(pattern.week_of_month),
                "weekday": pattern.weekdays[0]}
    return {**initial, "monthly_by": BY_DATE, "month_day": str(pattern.month_day)}


class AttendanceForm(forms.Form):
    """A whole meeting's attendance: one box per person on the sheet, the minutes, and "held"."""

    present = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    minutes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), max_length=50_000,
        help_text="Markdown. Members see the minutes on the meeting's page once it is held.",
    )
    held = forms.BooleanField(
        label="The meeting was held", required=False, initial=True,
        help_text="Attendance counts towards each mentor's attendance once the meeting is marked held.",
    )

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.fields["present"].choices = [(str(r.user.pk), str(r.user)) for r in sheet.rows]
        self.fields["minutes"].initial = sheet.meeting.minutes
        if sheet.meeting.status == "held":
            del self.fields["held"]

    def present_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["present"]}

    def ticked(self) -> set[int]:
        """The boxes to show ticked: as posted, else as recorded (or the yes answers)."""
        if self.is_bound:
            return {int(v) for v in self.data.getlist("present") if v.isdigit()}
        return self.sheet.ticked()
