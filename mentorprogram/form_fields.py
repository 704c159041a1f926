"""Form fields in plain words for the program's settings: a searchable time zone select, whole-day
reminder lead times as checkboxes, and a month by its name."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings

from toolbox.timezones import time_zone_choices

MONTHS = [(n, name) for n, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)]
LEAD_DAY_OFFERS = (30, 21, 14, 7, 3, 2, 1)


class SearchableSelect(forms.Select):
    """A select the admin turns into a search box (its own Select2); a plain select without script."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "searchable-select", **(attrs or {})}, choices)

    @property
    def media(self):
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=(f"admin/js/vendor/jquery/jquery{extra}.js", f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js", "js/searchable-select.js"),
            css={"screen": (f"admin/css/vendor/select2/select2{extra}.css", "admin/css/autocomplete.css")},
        )


class _KeepsOldName:
    """Shows a value that is an old time zone name as an option (selected) instead of silently
    showing the first one, so that saving the form does not change it unasked."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        offered = {str(v) for v, _ in self.choices}
        extra = [v for v in value if v and v not in offered and v in zoneinfo.available_timezones()]
        for v in extra:
            groups.append((None, [self.create_option(name, v, f"{v} (an old name)", True, len(groups))], len(groups)))
        return groups


class TimeZoneSelect(_KeepsOldName, forms.Select):
    pass


class SearchableTimeZoneSelect(_KeepsOldName, SearchableSelect):
    pass


class TimeZoneField(forms.ChoiceField):
    """The current IANA time zone names (no deprecated aliases such as America/Godthab); an old name
    an object already has stays valid. ``blank_label`` offers an empty choice."""

    def __init__(self, *, blank_label: str | None = None, searchable: bool = True, **kwargs):
        for name in ("max_length", "empty_value"):
            kwargs.pop(name, None)
        blank = [("", blank_label)] if blank_label is not None else []
        kwargs.setdefault("widget", SearchableTimeZoneSelect if searchable else TimeZoneSelect)
        super().__init__(choices=blank + time_zone_choices(), **kwargs)

    def valid_value(self, value) -> bool:
        return super().valid_value(value) or (value in zoneinfo.available_timezones() and "/" in value)


class LeadDaysField(forms.TypedMultipleChoiceField):
    """Reminder lead times as a set of whole days, ticked in a list; saved largest first."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        for name in ("encoder", "decoder", "max_length"):
            kwargs.pop(name, None)
        kwargs.setdefault("required", False)
        super().__init__(coerce=int, choices=self.choices_for(()), **kwargs)

    @staticmethod
    def choices_for(current) -> list[tuple[int, str]]:
        days = set(LEAD_DAY_OFFERS)
        days |= {d for d in (current or ()) if isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 60}
        return [(d, "1 day before" if d == 1 else f"{d} days before") for d in sorted(days, reverse=True)]

    def offer_current(self, current) -> None:
        self.choices = self.choices_for(current if isinstance(current, list) else ())

    def prepare_value(self, value):
        return [str(v) for v in value] if isinstance(value, list) else value

    def clean(self, value):
        return sorted(set(super().clean(value)), reverse=True)


class MonthField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        for name in ("min_value", "max_value", "step_size"):
            kwargs.pop(name, None)
        super().__init__(coerce=int, choices=MONTHS, **kwargs)
