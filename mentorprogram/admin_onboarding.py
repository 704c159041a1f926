"""The admin pages of bulk onboarding: upload, preview, confirm (see ``onboarding``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from . import onboarding, permissions
from .models import Program

TEMPLATE = "admin/mentorprogram/membership/import.html"


def coordinated_programs(user):
    ids = permissions.admin_program_ids(user)
    programs = Program.objects.order_by("name")
    return programs if ids is None else programs.filter(pk__in=ids)


class UploadForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, name, role (mentor or faculty), department; optionally program (its slug). "
                  "UTF-8, up to 2,000 people.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = coordinated_programs(user)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["rows"] = onboarding.read_csv(upload.read(onboarding.MAX_BYTES + 1))
            except onboarding.ImportFileError as error:
                self.add_error("file", str(error))
        return cleaned


class ConfirmForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput)
    resend = forms.BooleanField(
        required=False, label="Send the invitation again to people invited before who have not accepted yet",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = coordinated_programs(user)


def import_view(model_admin, request):
    """GET: the upload form. POST a file: the preview. POST ``confirm``: the import itself."""
    if not permissions.can_use_admin_for_programs(request.user):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": "Import people from CSV"}
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(model_admin, request, context)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            program, rows = form.cleaned_data["program"], form.cleaned_data["rows"]
            plan = onboarding.import_plan(user=request.user, program=program, rows=rows)
            confirm = ConfirmForm(user=request.user, initial={
                "program": program.pk,
                "payload": onboarding.sign_rows(user=request.user, program=program, rows=rows),
            })
            context.update(title="Check the import before saving", plan=plan, confirm_form=confirm)
            return TemplateResponse(request, TEMPLATE, context)
    else:
        form = UploadForm(user=request.user)
    context["form"] = form
    return TemplateResponse(request, TEMPLATE, context)


def _confirm(model_admin, request, context):
    form = ConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "This preview is no longer valid. Upload the file again.")
        return redirect("admin:mentorprogram_membership_import")
    program = form.cleaned_data["program"]
    try:
        rows = onboarding.unsign_rows(user=request.user, program=program, token=form.cleaned_data["payload"])
    except onboarding.ImportFileError as error:
        messages.error(request, str(error))
        return redirect("admin:mentorprogram_membership_import")
    result = onboarding.import_apply(
        user=request.user, program=program, rows=rows, resend=form.cleaned_data["resend"],
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    messages.success(request, (
        f"Imported into {program.name}: {result.created_people} new people, "
        f"{result.created_memberships} new memberships, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.skipped} rows with errors skipped. {len(result.invited_membership_ids)} invitations are on "
        f"their way."
    ))
    changelist = reverse("admin:mentorprogram_membership_changelist")
    return redirect(f"{changelist}?{urlencode({'program__id__exact': program.pk})}")
