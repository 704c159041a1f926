from __future__ import annotations

from django.contrib import admin

from mentorprogram.admin_scoping import ProgramScopedAdmin
from toolbox.admin_readonly import ReadOnlyAdminMixin

from .models import COUNTED_KINDS, RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, ProgramScopedAdmin):
    """What the nightly job removed, per program and day: read-only, for the program's coordinators
    and superusers. Counts only, never what the removed text said."""

    program_path = "program"
    list_display = ["applied_on", "program", *[kind for kind, _ in COUNTED_KINDS], "runs"]
    list_filter = ["program"]
    date_hierarchy = "applied_on"
    list_select_related = ["program"]
    fields = readonly_fields = ["program", "applied_on", "last_ran_at", "runs",
                                *[kind for kind, _ in COUNTED_KINDS]]
