from __future__ import annotations

from django import forms

from .models import Challenge, Rsvp


class MemberSearchForm(forms.Form):
    """The member directory's search, read from the query string."""

    q = forms.CharField(label="Name or department", required=False, max_length=100)

    def search(self) -> str:
        """What to look for: nothing when the search is not valid (its error says why)."""
        return self.cleaned_data["q"] if self.is_valid() else ""


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=Rsvp.Answer.choices, widget=forms.RadioSelect)


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["text", "anonymous"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "text": "A situation with a mentee, or a question you would like the group to discuss.",
            "anonymous": "Other mentors will not see your name. The coordinators always do.",
        }

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Say a little more (at least 10 characters).")
        return text
