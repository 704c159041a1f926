from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.forms import BaseInlineFormSet, ValidationError
from django.urls import path, reverse
from django.utils.html import format_html

from toolbox.admin_confirm import confirmed_action

from . import admin_onboarding, audit, mfa, permissions, services
from .admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from .form_fields import LeadDaysField, MonthField, TimeZoneField
from .models import PRIVACY_THRESHOLD_FLOOR, AuditEntry, Membership, PrivacyThresholdChange, Program, User
from .privacy import erasure

# Admin sign-in goes through allauth, so its rate limits and verification apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "mentorprogram administration"
admin.site.site_title = "mentorprogram"
admin.site.index_title = "Programs, people and training"


class ProgramAdminForm(forms.ModelForm):
    allow_below_floor = forms.BooleanField(
        label=f"Allow a privacy threshold below {PRIVACY_THRESHOLD_FLOOR}", required=False,
        help_text=f"Below {PRIVACY_THRESHOLD_FLOOR} responses, one person's answers can be worked out from the "
                  "report. Tick this only if the program has agreed to that.",
    )

    time_zone = TimeZoneField(help_text="Meetings, due dates and the academic year follow this time zone.")
    reminder_lead_days = LeadDaysField(
        label="Reminder emails",
        help_text="When members are reminded of a meeting. Tick none to send reminders only with "
                  "“Send reminders now”.",
    )
    academic_year_start_month = MonthField(
        label="The academic year begins in", initial=7,
        help_text="Training credit and transcripts are counted by academic year.",
    )

    class Meta:
        model = Program
        fields = []  # the admin adds its fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reminder_lead_days" in self.fields:
            self.fields["reminder_lead_days"].offer_current(self.instance.reminder_lead_days)

    def clean(self):
        data = super().clean()
        threshold = data.get("privacy_threshold")
        if ("privacy_threshold" in self.fields and threshold is not None
                and threshold < PRIVACY_THRESHOLD_FLOOR and not data.get("allow_below_floor")):
            self.add_error("privacy_threshold", (
                f"A threshold below {PRIVACY_THRESHOLD_FLOOR} lets people's answers be worked out from the "
                f"report. Tick “Allow a privacy threshold below {PRIVACY_THRESHOLD_FLOOR}” if you mean it."
            ))
        return data


class PrivacyThresholdChangeInline(admin.TabularInline):
    """The record of the program's privacy threshold: shown, never edited."""

    model = PrivacyThresholdChange
    fields = readonly_fields = ["changed_at", "changed_by_email", "old_threshold", "new_threshold",
                                "below_floor_allowed"]
    extra = 0
    verbose_name = "privacy threshold change"
    verbose_name_plural = "privacy threshold changes"

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_use_admin_for_programs(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(ProgramScopedAdmin):
    program_path = ""
    form = ProgramAdminForm
    inlines = [PrivacyThresholdChangeInline]
    list_display = ["name", "community_name", "time_zone", "privacy_threshold"]
    search_fields = ["name", "community_name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "community_name", "time_zone"]}),
        ("Mission and expectations", {
            "fields": ["mission", "expected_behaviours", "expected_topics", "professionalism_standards"],
        }),
        ("Settings", {
            "fields": ["privacy_threshold", "allow_below_floor", "gap_threshold", "reminder_lead_days",
                       "academic_year_start_month", "self_erasure_allowed"],
        }),
        ("Retention", {
            "fields": ["mentee_notes_retention_months", "alumni_retention_months"],
            "description": "What is removed, and when, is applied every night; the runs are listed under "
                           "Retention › Retention runs.",
        }),
    ]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return self.fieldsets
        # Coordinators see the threshold but may not change it: lowering it defeats the report's privacy.
        return [(name, {**options, "fields": [f for f in options["fields"] if f != "allow_below_floor"]})
                for name, options in self.fieldsets]

    def get_readonly_fields(self, request, obj=None):
        # Retention deletes for good, and erasure too: a coordinator reads these, a superuser sets them.
        return [] if request.user.is_superuser else ["privacy_threshold", "self_erasure_allowed",
                                                      "mentee_notes_retention_months", "alumni_retention_months"]

    def save_model(self, request, obj, form, change):
        if "privacy_threshold" not in form.cleaned_data:
            return super().save_model(request, obj, form, change)
        wanted = obj.privacy_threshold
        # Saved with the threshold it had (a new program: the default), then changed through the
        # service, which records the change.
        obj.privacy_threshold = (Program.objects.get(pk=obj.pk).privacy_threshold if change
                                 else Program._meta.get_field("privacy_threshold").default)
        super().save_model(request, obj, form, change)
        services.program_set_privacy_threshold(
            program=obj, threshold=wanted, by=request.user,
            allow_below_floor=bool(form.cleaned_data.get("allow_below_floor")),
        )

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class MembershipAdminForm(forms.ModelForm):
    """Offers the coordinator role to superusers only; a coordinator membership is theirs to change."""

    actor: User | None = None  # set per request by the admin and the inline

    class Meta:
        model = Membership
        fields = ["user", "program", "role", "status", "department", "joined_on", "left_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.actor is None or self.actor.is_superuser:
            return
        if self.instance.pk and self.instance.role == Membership.Role.COORDINATOR:
            for field in self.fields.values():
                field.disabled = True
        elif "role" in self.fields:
            self.fields["role"].choices = [
                (value, label) for value, label in self.fields["role"].choices if value != Membership.Role.COORDINATOR
            ]

    def clean_role(self):
        role = self.cleaned_data.get("role")
        if self.actor is not None and not self.actor.is_superuser and role == Membership.Role.COORDINATOR \
                and not self.fields["role"].disabled:
            raise ValidationError("Only an administrator makes someone a coordinator.")
        return role


def _form_for(form_class, actor: User):
    return type(form_class.__name__, (form_class,), {"actor": actor})


@admin.register(Membership)
class MembershipAdmin(ProgramScopedAdmin):
    form = MembershipAdminForm
    list_display = ["user", "program", "role", "status", "department", "joined_on", "left_on"]
    list_filter = ["program", "role", "status"]
    search_fields = ["user__email", "user__display_name", "department"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "program"]
    readonly_fields = ["invited_at"]
    change_list_template = "admin/mentorprogram/membership/change_list.html"
    actions = [audit.csv_export_action(
        ("Email", "user__email"), ("Name", "user__display_name"), ("Program", "program__name"),
        ("Role", "role"), ("Status", "status"), ("Department", "department"), ("Joined on", "joined_on"),
        ("Invited at", "invited_at"), ("Last sign-in", "user__last_login"),
        filename="memberships", people="user_id",
    )]

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: admin_onboarding.import_view(self, request))
        return [path("import/", view, name="mentorprogram_membership_import"), *super().get_urls()]

    def get_form(self, request, obj=None, **kwargs):
        return _form_for(super().get_form(request, obj, **kwargs), request.user)

    def _keeps_coordinator_role(self, request, obj) -> bool:
        return obj is not None and obj.role == Membership.Role.COORDINATOR and not request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._keeps_coordinator_role(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._keeps_coordinator_role(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        services.membership_save_by_admin(actor=request.user, membership=obj)

    def delete_model(self, request, obj) -> None:
        services.membership_delete_by_admin(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            services.membership_check_role(actor=request.user, membership=membership)
        super().delete_queryset(request, queryset)


class MembershipFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and form.fields.get("role") is not None and form.fields["role"].disabled:
            form.fields["DELETE"].disabled = True  # a coordinator membership stays as a superuser left it

    def clean(self) -> None:
        super().clean()
        if self.request.user.is_superuser:
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError("Add the person to at least one of your programs.")


class MembershipInline(ProgramScopedInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipFormSet
    extra = 1
    fields = ["program", "role", "status", "department"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _form_for(formset.form, request.user)
        formset.request = request
        return formset

    def get_queryset(self, request):
        # A coordinator sees and edits only the memberships of their own programs.
        ids = permissions.admin_program_ids(request.user)
        qs = super().get_queryset(request).select_related("program")
        if ids is None:
            return qs
        return qs.filter(permissions.coordinator_sees_membership_q(), program_id__in=ids)


class CoordinatorUserCreationForm(forms.ModelForm):
    """A coordinator's new account has no password: the person chooses one through a reset link."""

    class Meta:
        model = User
        fields = ["email", "display_name", "time_zone"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class CoordinatorUserChangeForm(forms.ModelForm):
    """What a coordinator edits of a person: their profile, never their sign-in (no password field)."""

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "reminders_opt_out"]


@admin.register(User)
class UserAdmin(ProgramScopedAdmin, BaseUserAdmin):
    program_path = "memberships__program"
    form = UserChangeForm
    add_form = AdminUserCreationForm
    inlines = [MembershipInline]
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", ("erased_at", admin.EmptyFieldListFilter), "memberships__program",
                   "memberships__role"]
    search_fields = ["email", "display_name"]
    actions = [audit.csv_export_action(
        ("Email", "email"), ("Name", "display_name"), ("Active", "is_active"), ("Time zone", "time_zone"),
        ("No reminder emails", "reminders_opt_out"), ("Joined", "date_joined"), ("Last sign-in", "last_login"),
        filename="people", people="pk",
    ), "reset_mfa", "erase_people"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "reminders_opt_out"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "erased_at"]}),
        ("Audit trail", {"fields": ["audit_trail"]}),
    ]
    # What a coordinator is shown: the sign-in email read-only, no password field (not even its hash).
    coordinator_fieldsets = [
        (None, {"fields": ["email"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "reminders_opt_out"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "time_zone", "usable_password",
                                                  "password1", "password2"]}),
    ]
    coordinator_add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "time_zone"]})]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.coordinator_add_fieldsets if obj is None else self.coordinator_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = CoordinatorUserCreationForm if obj is None else CoordinatorUserChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined", "erased_at", "audit_trail"]
        if obj is None:
            return []
        # Coordinators manage people's place in their programs, not their sign-in or privileges.
        return ["email", "is_active", "is_staff", "is_superuser", "last_login", "date_joined", "erased_at"]

    @admin.display(description="audit trail")
    def audit_trail(self, obj: User) -> str:
        """A link to every entry about the person (superusers only: coordinators see no trail)."""
        if obj.pk is None:
            return "—"
        url = reverse("admin:mentorprogram_auditentry_changelist") + f"?person__id__exact={obj.pk}"
        return format_html('<a href="{}">What was changed and viewed of this person’s data, by whom</a>', url)

    def save_model(self, request, obj, form, change) -> None:
        services.user_save_by_admin(actor=request.user, user=obj)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_delete_by_admin(actor=request.user, membership=membership)
        for membership in instances:
            services.membership_save_by_admin(actor=request.user, membership=membership)
        formset.save_m2m()
        return None

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        # A coordinator may not edit another staff account: that would hand them its privileges.
        if obj is not None and obj.is_staff and obj != request.user and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("reset_mfa", None)
            actions.pop("erase_people", None)
        return actions

    @confirmed_action(
        description="Erase the selected people's data",
        refuse=lambda person, now: "already erased" if person.erased_at else None,
        what_happens=lambda admin, request, people: (
            f"{len(people)} {'person' if len(people) == 1 else 'people'} will be erased, for good: their accounts "
            "anonymised and locked, their self-assessments, plans, mentee records, notes, challenges, RSVPs, "
            "attendance and course records deleted, their names and addresses taken out of what the program "
            "keeps. Figures the program has already published stay as they are. Your own account is left alone."),
        button="Yes, erase them",
    )
    def erase_people(self, request, people) -> None:
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser erases people.")
        others = [person for person in people if person.pk != request.user.pk]
        for person in others:
            erasure.person_erase(person=person, by=request.user)
        self.message_user(request, f"Erased {len(others)} {'person' if len(others) == 1 else 'people'}.")
        if len(others) < len(people):
            self.message_user(request, "Your own account is not erased from here.", level="warning")

    @admin.action(description="Reset the second sign-in factor of the selected people")
    def reset_mfa(self, request, queryset) -> None:
        others = [user for user in queryset if user.pk != request.user.pk]
        for user in others:
            mfa.user_reset_mfa(user=user, by=request.user)
        self.message_user(request, f"Reset the second factor of {len(others)} person(s); they are signed out and "
                                   "set a factor up again when they next sign in.")
        if len(others) < len(queryset):
            self.message_user(request, "Your own factor is changed from your profile, not here.", level="warning")

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser sets passwords here; people reset their own.")
        return super().user_change_password(request, id, form_url)
from . import admin_outbox, admin_sso  # noqa: E402, F401  (admin_outbox registers the outbox admin)

admin_sso.register()  # the identity providers' page, with the addresses their administrators need

if admin.site.is_registered(AuditEntry):  # django-auditlog's own list: ours replaces it
    admin.site.unregister(AuditEntry)
from . import admin_audit  # noqa: E402, F401  (registers the audit trail's admin)
