from __future__ import annotations

from django import forms

from .models import User, time_zone_choices


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "reminders_opt_out", "nudges_opt_out"]


class EraseAccountForm(forms.Form):
    """Erasing one's own account asks for one's email address, typed, so that a stray click erases nothing."""

    email = forms.CharField(label="Your email address", max_length=254,
                            help_text="Type it to confirm that you want your account and data erased.")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if value.casefold() != self.user.email.casefold():
            raise forms.ValidationError("Type your email address exactly as it is shown above to confirm.")
        return value
