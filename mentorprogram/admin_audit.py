"""The audit trail in the admin: superusers only, read-only, searchable, downloadable as CSV.

Coordinators do not see it — neither the whole trail nor their members' entries: it records what
other coordinators and superusers looked at, which is not a coordinator's to read.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html

from toolbox.admin_export import export_csv_action
from toolbox.admin_readonly import ReadOnlyAdminMixin

from . import audit
from .models import AuditEntry

ACTION_NAMES = {
    AuditEntry.Action.CREATE: "created",
    AuditEntry.Action.UPDATE: "changed",
    AuditEntry.Action.DELETE: "deleted",
    AuditEntry.Action.ACCESS: "viewed",
}


def summary(entry: AuditEntry) -> str:
    """What happened, in one line: "status: invited → active; department: — → Cardiology"."""
    data = entry.additional_data or {}
    if data.get("event") == "erasure":
        return "The person's personal data was erased."
    if data.get("viewed"):
        return f"Viewed {data['viewed']}"
    if data.get("exported"):
        return f"Downloaded in {data['exported']}"
    parts = []
    for field, values in (entry.changes or {}).items():
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = (_shown(v) for v in values)
            parts.append(f"{field}: {before} → {after}")
        else:
            parts.append(f"{field}: {json.dumps(values, default=str)}")
    return "; ".join(parts)


def _shown(value) -> str:
    if value in (None, "", "None"):
        return "—"
    return value if isinstance(value, str) else json.dumps(value, default=str)


class RecordKindFilter(admin.SimpleListFilter):
    title = "kind of record"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize())
                for m in audit.followed_models()]

    def queryset(self, request, queryset):
        if not self.value() or "." not in self.value():
            return queryset
        app_label, model = self.value().split(".", 1)
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type)


class ActionFilter(admin.SimpleListFilter):
    title = "what happened"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(value), name.capitalize()) for value, name in ACTION_NAMES.items()]

    def queryset(self, request, queryset):
        if self.value() in {str(v) for v in ACTION_NAMES}:
            return queryset.filter(action=int(self.value()))
        return queryset


_audit_csv = export_csv_action(
    ("When", "timestamp"),
    ("What happened", lambda e: ACTION_NAMES.get(e.action, "")),
    ("Kind of record", lambda e: e.content_type.name),
    ("Record id", "object_pk"),
    ("Record", "object_repr"),
    ("About person id", "person_id"),
    ("By", lambda e: e.actor_email or (e.actor.email if e.actor else "system")),
    ("From address", "remote_addr"),
    ("Details", summary),
    ("Changes (JSON)", lambda e: json.dumps(e.changes, default=str) if e.changes else ""),
    filename="audit-trail", select_related=["content_type", "actor"],
)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["when", "what_happened", "record", "about", "by", "details"]
    list_filter = [ActionFilter, RecordKindFilter]
    list_select_related = ["content_type", "actor", "person"]
    search_fields = ["object_repr", "actor_email", "actor__email", "person__email", "person__display_name"]
    show_full_result_count = False  # the trail grows without end; no COUNT(*) of all of it per page
    actions = [_audit_csv]
    fields = ["when", "what_happened", "record", "about", "by", "from_address", "details"]
    readonly_fields = fields
    ordering = ["-timestamp", "-pk"]

    @admin.display(description="when", ordering="timestamp")
    def when(self, entry: AuditEntry):
        return entry.timestamp

    @admin.display(description="from address")
    def from_address(self, entry: AuditEntry) -> str:
        return entry.remote_addr or "—"

    @admin.display(description="what happened", ordering="action")
    def what_happened(self, entry: AuditEntry) -> str:
        return ACTION_NAMES.get(entry.action, "")

    @admin.display(description="record")
    def record(self, entry: AuditEntry) -> str:
        return f"{entry.content_type.name.capitalize()} {entry.object_pk}: {entry.object_repr}"

    @admin.display(description="about")
    def about(self, entry: AuditEntry):
        if entry.person_id is None:
            return "—"
        url = reverse("admin:mentorprogram_auditentry_changelist") + f"?person__id__exact={entry.person_id}"
        return format_html('<a href="{}">{}</a>', url, entry.person or f"person {entry.person_id}")

    @admin.display(description="by")
    def by(self, entry: AuditEntry) -> str:
        if entry.actor is not None:
            return str(entry.actor)
        return entry.actor_email or "system"

    @admin.display(description="details")
    def details(self, entry: AuditEntry) -> str:
        return summary(entry)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
