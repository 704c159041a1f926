from __future__ import annotations

from allauth.account.forms import ResetPasswordForm, ResetPasswordKeyForm
from allauth.core import context as allauth_context
from django import forms

from .models import User, time_zone_choices
from .sso import password_refusal


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


class PasswordResetForm(ResetPasswordForm):
    """The reset form refuses an address whose institution's sign-in has passwords switched off
    (mentorprogram/sso.py), saying where to sign in instead; no email is sent."""

    def clean_email(self) -> str:
        email = super().clean_email()
        refusal = password_refusal(allauth_context.request, email)
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")
        return email


class PasswordFromKeyForm(ResetPasswordKeyForm):
    """A reset link sent before passwords were switched off for the person's domain sets none."""

    def clean(self):
        cleaned = super().clean()
        refusal = password_refusal(allauth_context.request, getattr(self.user, "email", ""))
        if refusal:  # on the field: allauth's page shows field errors only
            self.add_error("password1", forms.ValidationError(refusal, code="password_off"))
        return cleaned
