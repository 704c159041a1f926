"""Forms of the mentee's own pages and of the feedback they give."""

from __future__ import annotations

from django import forms

from assessments.forms import ResponseForm

from .mentees import GOAL_STATUSES
from .models import MenteeGoal


class OwnGoalForm(forms.Form):
    text = forms.CharField(label="Your goal", max_length=500)
    target_date = forms.DateField(label="Target date (optional)", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class GoalProgressForm(forms.Form):
    status = forms.ChoiceField(label="Progress", choices=[(s.value, s.label) for s in MenteeGoal.Status
                                                          if s in GOAL_STATUSES])


class FeedbackForm(ResponseForm):
    """The feedback form: the instrument's items, then an optional comment and whether to share it."""

    def __init__(self, *args, threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"] = forms.CharField(
            label="Anything else you would like to say? (optional)", required=False, max_length=5000, strip=True,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self.fields["share_with_mentor"] = forms.BooleanField(
            label="Share my comment with my mentor", required=False,
            help_text=f"Without your name, once at least {threshold} of their mentees have answered. "
                      "Unticked, your mentor never sees it.",
        )

    def is_tampered(self) -> bool:
        own = {"comment", "share_with_mentor"}
        unknown = {k for k in self.data if k.startswith("item_")} - set(self.fields)
        if unknown:
            return True
        return any(e.code == "invalid_choice" for name, errors in self.errors.as_data().items()
                   if name not in own for e in errors)
