"""Every automatic email in one list: what failed, with the mail server's words, and "send again"."""

from __future__ import annotations

from django.contrib import admin

from toolbox.admin_confirm import confirmed_action

from .admin_scoping import ProgramScopedAdmin
from .models import OutboundEmail
from .outbox import outbox_resend


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ProgramScopedAdmin):
    program_path = "program"
    list_display = ["created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind", "program"]
    list_select_related = ["user", "program"]
    search_fields = ["to_address", "user__email", "user__display_name", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = ["kind", "program", "user", "to_address", "subject", "status", "attempts", "last_error", "message_id",
              "dedupe_key", "created_at", "claimed_at", "next_attempt_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description="to")
    def recipient(self, obj: OutboundEmail) -> str:
        return obj.to_address or (obj.user.email if obj.user else "—")

    @admin.display(description="the mail server said")
    def short_error(self, obj: OutboundEmail) -> str:
        return obj.last_error if len(obj.last_error) < 100 else obj.last_error[:97] + "…"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only; "send again" is an action

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @confirmed_action(
        description="Send the selected failed emails again", permissions=["view"],
        refuse=lambda email, now: None if email.status == OutboundEmail.Status.FAILED else
        f"it is {email.get_status_display().lower()}, not failed",
        what_happens=lambda admin, request, emails: (
            f"{len(emails)} email{'s' if len(emails) != 1 else ''} that failed will be sent again, each with a "
            "fresh set of attempts."),
        button="Yes, send them again",
    )
    def send_again(self, request, emails):
        queued = outbox_resend(emails=OutboundEmail.objects.filter(pk__in=[e.pk for e in emails]))
        self.message_user(request, f"{queued} email(s) queued to be sent again.")
