from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.forms import BaseInlineFormSet, ValidationError
from django.urls import path

from . import admin_onboarding, permissions
from .admin_export import export_csv_action
from .admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from .models import Membership, Program, User

# Admin sign-in goes through allauth, so its rate limits and verification apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "mentorprogram administration"
admin.site.site_title = "mentorprogram"
admin.site.index_title = "Programs, people and training"


@admin.register(Program)
class ProgramAdmin(ProgramScopedAdmin):
    program_path = ""
    list_display = ["name", "community_name", "time_zone", "privacy_threshold"]
    search_fields = ["name", "community_name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "community_name", "time_zone"]}),
        ("Mission and expectations", {
            "fields": ["mission", "expected_behaviours", "expected_topics", "professionalism_standards"],
        }),
        ("Settings", {
            "fields": ["privacy_threshold", "gap_threshold", "reminder_lead_days", "academic_year_start_month"],
        }),
    ]

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(ProgramScopedAdmin):
    list_display = ["user", "program", "role", "status", "department", "joined_on"]
    list_filter = ["program", "role", "status"]
    search_fields = ["user__email", "user__display_name", "department"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "program"]
    readonly_fields = ["invited_at"]
    change_list_template = "admin/mentorprogram/membership/change_list.html"
    actions = [export_csv_action(
        ("Email", "user__email"), ("Name", "user__display_name"), ("Program", "program__name"),
        ("Role", "role"), ("Status", "status"), ("Department", "department"), ("Joined on", "joined_on"),
        ("Invited at", "invited_at"), ("Last sign-in", "user__last_login"),
        filename="memberships",
    )]

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: admin_onboarding.import_view(self, request))
        return [path("import/", view, name="mentorprogram_membership_import"), *super().get_urls()]


class MembershipFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.request.user.is_superuser:
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError("Add the person to at least one of your programs.")


class MembershipInline(ProgramScopedInline):
    model = Membership
    formset = MembershipFormSet
    extra = 1
    fields = ["program", "role", "status", "department"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_queryset(self, request):
        # A coordinator sees and edits only the memberships of their own programs.
        ids = permissions.admin_program_ids(request.user)
        qs = super().get_queryset(request).select_related("program")
        return qs if ids is None else qs.filter(program_id__in=ids)


@admin.register(User)
class UserAdmin(ProgramScopedAdmin, BaseUserAdmin):
    program_path = "memberships__program"
    form = UserChangeForm
    add_form = AdminUserCreationForm
    inlines = [MembershipInline]
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "memberships__program", "memberships__role"]
    search_fields = ["email", "display_name"]
    actions = [export_csv_action(
        ("Email", "email"), ("Name", "display_name"), ("Active", "is_active"), ("Time zone", "time_zone"),
        ("No reminder emails", "reminders_opt_out"), ("Joined", "date_joined"), ("Last sign-in", "last_login"),
        filename="people",
    )]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "reminders_opt_out"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "time_zone", "usable_password",
                                                  "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        # Coordinators manage people, not privileges.
        return ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        # A coordinator may not edit another staff account: that would hand them its privileges.
        if obj is not None and obj.is_staff and obj != request.user and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser sets passwords here; people reset their own.")
        return super().user_change_password(request, id, form_url)
from . import admin_outbox  # noqa: E402, F401  (registers the outbox admin)
