from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import ngettext

from .domains import DOMAIN_CHOICES
from .models import Completion, Course, Theme


class CatalogFilterForm(forms.Form):
    """The catalog's filters, read from the query string; bad values are ignored, not fatal."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    modality = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Course.Modality.choices])
    theme = forms.ChoiceField(label="Theme", required=False)
    domain = forms.ChoiceField(label="Skill or readiness domain", required=False,
                               choices=[("", "Any domain"), *DOMAIN_CHOICES])
    with_credit = forms.BooleanField(label="Has CME credit", required=False)
    upcoming = forms.BooleanField(label="Has upcoming sessions", required=False)

    def __init__(self, *args, themes: list[Theme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Any theme"), *((t.slug, t.name) for t in themes)]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of ``selectors.catalog_for_user``."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "", "modality": data.get("modality") or "", "theme": data.get("theme") or "",
            "domain": data.get("domain") or "", "with_credit": bool(data.get("with_credit")),
            "upcoming": bool(data.get("upcoming")),
        }


class CompletionForm(forms.Form):
    status = forms.ChoiceField(choices=Completion.Status.choices, widget=forms.RadioSelect)
    completed_on = forms.DateField(
        label="Completed on", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only for a completed course.",
    )
    credit_hours = forms.DecimalField(
        label="CME credit hours claimed", required=False, min_value=Decimal("0"), max_digits=5, decimal_places=2,
        help_text="Only for a completed course; at most the course's credit.",
    )

    def __init__(self, *args, course: Course, current: Completion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        choices = course.status_choices()  # in the words of its kind: a reading is read, not enrolled
        if current is not None:  # a record only moves forward: offer its status and those after it
            rank = Completion.STATUS_RANK[current.status]
            choices = [(value, label) for value, label in choices if Completion.STATUS_RANK[value] >= rank]
        self.fields["status"].choices = choices
        done = course.done_word  # "Read", "Attended", "Completed": the date and credit follow the kind's word
        self.fields["completed_on"].label = f"{done} on"
        if course.done_word != Completion.Status.COMPLETED.label:
            only = f"Only once the status is “{done}”."
            self.fields["completed_on"].help_text = self.fields["credit_hours"].help_text = only
        self.fields["credit_hours"].max_value = course.cme_credit_hours
        self.fields["credit_hours"].widget.attrs.update(max=str(course.cme_credit_hours), step="0.25")
        if not course.has_credit:  # nothing to claim: the field stays out of the way and reads as 0
            self.fields["credit_hours"].widget = forms.HiddenInput()
            self.fields["credit_hours"].help_text = ""

    def clean_credit_hours(self):
        value = self.cleaned_data.get("credit_hours")
        if value is not None and value > self.course.cme_credit_hours:
            most = self.course.cme_credit_hours
            raise forms.ValidationError(ngettext("This course carries at most %(n)s CME credit hour.",
                                                 "This course carries at most %(n)s CME credit hours.",
                                                 1 if most == 1 else 2) % {"n": format(most.normalize(), "f")})
        return value

    def clean(self):
        data = super().clean()
        if not self.course.has_credit and data.get("credit_hours") is None and "credit_hours" not in self.errors:
            data["credit_hours"] = Decimal("0")
        if data.get("status") == Completion.Status.COMPLETED:
            if not data.get("completed_on") and "completed_on" not in self.errors:
                self.add_error("completed_on", f"Give the date you {self.course.done_word.lower()} it.")
            if data.get("credit_hours") is None and "credit_hours" not in self.errors:
                self.add_error("credit_hours", "Give the credit hours you claim (0 if none).")
        return data


class CompletionCorrectionForm(CompletionForm):
    """The date and credit of a completed record, corrected."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["status"]
        for name in ("completed_on", "credit_hours"):
            self.fields[name].required = True
        self.fields["completed_on"].help_text = ""

    def clean(self):
        return forms.Form.clean(self)  # no status to reconcile: both fields are required
