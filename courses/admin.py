"""Coordinators keep their programs' catalog items, readings and guides and verify their
people's completions; shared items (no program) are shown to them read-only and kept by
superusers."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q

from mentorprogram import audit
from mentorprogram import permissions as core
from mentorprogram.admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from toolbox.admin_confirm import confirmed_action
from toolbox.periods import local_today

from . import selectors, services
from .domains import DOMAIN_CHOICES
from .models import Completion, Course, CourseSession, QuickGuide, Reading, Theme

URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _https_urls(db_field, **kwargs):
    """Links typed without a scheme are read as https (the admin does the same for its own forms)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SharedItemsAdmin(ProgramScopedAdmin):
    """Scoped by ``program``; rows without a program are visible to every coordinator, but
    only superusers change them, and only superusers may create one."""

    formfield_overrides = URL_FIELDS

    def scope(self, request, queryset):
        ids = core.admin_program_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(Q(program__isnull=True) | Q(program_id__in=ids))

    def _may_change(self, request, obj=None) -> bool:
        if not self._allowed(request, obj):
            return False
        return obj is None or request.user.is_superuser or obj.program_id is not None

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_change(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "program" in form.base_fields:
            form.base_fields["program"].required = True
            form.base_fields["program"].empty_label = None
            form.base_fields["program"].help_text = "The program whose members see this."
        return form


class ThemeNamesField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Separate them with commas, e.g. “stress, giving and receiving feedback”.")
        super().__init__(required=False, max_length=1000, **kwargs)


def _theme_names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


class CourseAdminForm(forms.ModelForm):
    theme_names = ThemeNamesField(label="Themes")
    domain_keys = forms.MultipleChoiceField(
        label="Domains it addresses", required=False, choices=DOMAIN_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text="The skills and readiness domains this helps with; plans suggest it for gaps in them.",
    )

    class Meta:
        model = Course
        formfield_callback = _https_urls
        fields = ["program", "title", "provider", "modality", "description", "url", "is_active", "reading",
                  "quick_guide", "hours", "cme_credit_hours", "needs_external_account"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["theme_names"].initial = ", ".join(t.name for t in self.instance.themes.all())
            self.fields["domain_keys"].initial = list(self.instance.domains.values_list("domain_key", flat=True))


class CourseSessionInline(ProgramScopedInline):
    model = CourseSession
    formfield_overrides = URL_FIELDS
    extra = 0
    fields = ["part", "title", "starts_at", "ends_at", "location", "url"]


@admin.register(Course)
class CourseAdmin(SharedItemsAdmin):
    form = CourseAdminForm
    inlines = [CourseSessionInline]
    list_display = ["title", "modality", "provider", "cme_credit_hours", "program", "is_active"]
    list_filter = ["modality", "is_active", "program"]
    search_fields = ["title", "provider", "description"]
    list_select_related = ["program"]
    fieldsets = [
        (None, {"fields": ["program", "title", "provider", "modality", "description", "url", "is_active"]}),
        ("Content", {"fields": ["theme_names", "domain_keys", "reading", "quick_guide"]}),
        ("Time and credit", {"fields": ["hours", "cme_credit_hours", "needs_external_account"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        course = form.instance
        course.themes.set(services.themes_from_names(_theme_names(form.cleaned_data.get("theme_names", ""))))
        services.course_set_domains(course=course, domain_keys=form.cleaned_data.get("domain_keys", []))


class ReadingAdminForm(forms.ModelForm):
    topic_names = ThemeNamesField(label="Topics")

    class Meta:
        model = Reading
        formfield_callback = _https_urls
        fields = ["program", "title", "citation", "url", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["topic_names"].initial = ", ".join(t.name for t in self.instance.topics.all())


@admin.register(Reading)
class ReadingAdmin(SharedItemsAdmin):
    form = ReadingAdminForm
    list_display = ["title", "year", "program"]
    list_filter = ["program"]
    search_fields = ["title", "citation"]
    list_select_related = ["program"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.topics.set(services.themes_from_names(_theme_names(form.cleaned_data.get("topic_names", ""))))


@admin.register(QuickGuide)
class QuickGuideAdmin(SharedItemsAdmin):
    list_display = ["title", "program", "updated_at"]
    list_filter = ["program"]
    search_fields = ["title", "summary", "body"]
    list_select_related = ["program"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The shared vocabulary of themes; coordinators add themes by typing them on a course."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CompletionAdminForm(forms.ModelForm):
    class Meta:
        model = Completion
        fields = ["user", "course", "status", "completed_on", "credit_hours"]

    def clean(self):
        data = super().clean()
        user, status = data.get("user"), data.get("status")
        if user is not None and status and (status != Completion.Status.COMPLETED or data.get("completed_on")):
            # Set before the constraints are validated, so that a second record of the year is a form error.
            self.instance.user, self.instance.status = user, status
            self.instance.completed_on = data.get("completed_on")
            self.instance.assign_academic_year(start_month=selectors.academic_start_month_for(person=user),
                                               today=local_today(user.time_zone))
        return data


@admin.register(Completion)
class CompletionAdmin(ProgramScopedAdmin):
    form = CompletionAdminForm
    program_path = "user__memberships__program"
    list_display = ["user", "course", "status", "completed_on", "credit_hours", "verified_at", "verified_by"]
    list_filter = ["status", ("verified_at", admin.EmptyFieldListFilter), "course__modality"]
    search_fields = ["user__email", "user__display_name", "course__title"]
    list_select_related = ["user", "course", "verified_by"]
    autocomplete_fields = ["user"]
    readonly_fields = ["verified_at", "verified_by"]
    fields = ["user", "course", "status", "completed_on", "credit_hours", "verified_at", "verified_by"]
    actions = ["verify", "unverify", audit.csv_export_action(
        ("Email", "user__email"), ("Name", "user__display_name"), ("Course", "course__title"),
        ("Provider", "course__provider"), ("Status", lambda c: c.get_status_display()),
        ("Completed on", "completed_on"), ("Credit hours", "credit_hours"), ("Verified at", "verified_at"),
        ("Verified by", lambda c: c.verified_by.email if c.verified_by else ""),
        filename="training-completions", select_related=["user", "course", "verified_by"], people="user_id",
    )]
    date_hierarchy = "completed_on"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course":
            kwargs["queryset"] = admin.site._registry[Course].get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _each(self, request, queryset, action, done: str) -> None:
        count = 0
        for completion in queryset.select_related("user", "course"):
            try:
                action(completion=completion, by=request.user)
                count += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{completion}: {' '.join(getattr(error, 'messages', [str(error)]))}",
                                  messages.WARNING)
        self.message_user(request, f"{count} record{'s' if count != 1 else ''} {done}.", messages.SUCCESS)

    @confirmed_action(
        description="Verify the selected completions",
        refuse=lambda c, now: ("it is not completed" if c.status != Completion.Status.COMPLETED
                               else "it is already verified" if c.is_verified else None),
        what_happens=lambda admin, request, chosen: (
            f"{len(chosen)} completed course record{'s' if len(chosen) != 1 else ''} will be marked verified by "
            "you; their people can then no longer correct or remove them."),
        button="Yes, verify them",
    )
    def verify(self, request, chosen):
        self._each(request, Completion.objects.filter(pk__in=[c.pk for c in chosen]), services.completion_verify,
                   "verified")

    @confirmed_action(
        description="Withdraw the verification of the selected completions",
        refuse=lambda c, now: None if c.is_verified else "it is not verified",
        what_happens=lambda admin, request, chosen: (
            f"{len(chosen)} record{'s' if len(chosen) != 1 else ''} will no longer be verified; their people can "
            "then correct or remove them again."),
        button="Yes, withdraw the verification",
    )
    def unverify(self, request, chosen):
        self._each(request, Completion.objects.filter(pk__in=[c.pk for c in chosen]),
                   services.completion_unverify, "no longer verified")
