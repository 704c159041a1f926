"""Forms parse input; the services enforce the rules (and report them per field)."""

from __future__ import annotations

from django import forms

from mentorprogram.models import Program

from .models import Mentee, MenteeGoal, MenteeMeeting, Mentorship, PlanItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MenteeForm(forms.ModelForm):
    program = forms.ModelChoiceField(queryset=None, empty_label=None)
    started_on = forms.DateField(label="Mentoring since", required=False, widget=DATE,
                                 help_text="Leave empty for today.")

    class Meta:
        model = Mentee
        fields = ["program", "name", "email", "department", "career_stage"]

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(pk__in=[p.pk for p in programs])
        if len(programs) == 1:
            self.fields["program"].widget = forms.HiddenInput()
            self.fields["program"].initial = programs[0].pk


class MenteeEditForm(forms.ModelForm):
    status = forms.ChoiceField(label="Mentorship", choices=Mentorship.Status.choices)
    ended_on = forms.DateField(label="Ended on", required=False, widget=DATE,
                               help_text="When you set the mentorship to Ended; leave empty for today.")

    class Meta:
        model = Mentee
        fields = ["name", "email", "department", "career_stage"]


class _MenteeChoiceMixin:
    def _limit_mentees(self, mentees):
        self.fields["mentee"].queryset = mentees
        self.fields["mentee"].empty_label = None
        self.fields["mentee"].error_messages["invalid_choice"] = "Choose one of your own mentees."


class MenteeMeetingForm(_MenteeChoiceMixin, forms.ModelForm):
    class Meta:
        model = MenteeMeeting
        fields = ["mentee", "held_on", "duration_minutes", "mode", "notes"]
        widgets = {"held_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, mentees, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_mentees(mentees)
        self.fields["duration_minutes"].widget.attrs.update({"min": 1, "max": 1440})


class MenteeGoalForm(_MenteeChoiceMixin, forms.ModelForm):
    class Meta:
        model = MenteeGoal
        fields = ["mentee", "text", "set_on", "target_date", "status", "notes"]
        widgets = {"set_on": DATE, "target_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, mentees, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_mentees(mentees)

    def clean(self):
        data = super().clean()
        if data.get("target_date") and data.get("set_on") and data["target_date"] < data["set_on"]:
            self.add_error("target_date", "The target date comes after the day the goal was set.")
        return data


class PlanItemForm(forms.ModelForm):
    link = forms.URLField(required=False, max_length=500, assume_scheme="https",
                          help_text="A page about the course, reading or activity (optional).")
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    class Meta:
        model = PlanItem
        fields = ["title", "description", "kind", "due_on", "status", "completed_on", "evidence", "link"]
        widgets = {"due_on": DATE, "completed_on": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def _post_clean(self):
        """Model validation happens in the service, against the saved item."""

    def item_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}
