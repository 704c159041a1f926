from __future__ import annotations

from django import forms

from .models import User, time_zone_choices


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "reminders_opt_out", "nudges_opt_out"]
