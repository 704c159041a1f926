"""An admin list that nobody adds to, edits or deletes from, superusers included: records a job or
the app writes (retention runs, the audit trail), shown for reading only."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
