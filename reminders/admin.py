"""Coordinators' view of reminder deliveries, and "send reminders now" on a meeting.

The meeting admin belongs to the community app, which knows nothing of reminders (DESIGN
§10); this module re-registers it with a reminders panel and the button."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from community.admin import MeetingAdmin as CommunityMeetingAdmin
from community.models import Meeting
from mentorprogram import audit
from mentorprogram.admin_scoping import ProgramScopedAdmin
from toolbox.admin_confirm import confirmed_action

from . import selectors, services
from .models import ReminderDelivery

Status = ReminderDelivery.Status


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ProgramScopedAdmin):
    program_path = "meeting__series__program"
    list_display = ["meeting", "user", "what", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["email__status", "kind", ("meeting", admin.RelatedOnlyFieldListFilter), "meeting__series__program"]
    list_select_related = ["meeting__series__program", "user", "email"]
    search_fields = ["user__email", "user__display_name"]
    date_hierarchy = "created_at"
    actions = ["resend", audit.csv_export_action(
        ("Program", "meeting__series__program__name"), ("Meeting", "meeting__series__title"),
        ("Meeting starts", "meeting__starts_at"), ("Email", "user__email"), ("Name", "user__display_name"),
        ("Email sent", lambda d: d.describe()), ("Status", lambda d: d.email.get_status_display()),
        ("Attempts", "email__attempts"), ("Created", "created_at"), ("Sent at", "email__sent_at"),
        ("Last error", "email__last_error"),
        filename="reminder-deliveries", select_related=["meeting__series__program", "user", "email"],
        people="user_id",
    )]
    fields = ["meeting", "user", "kind", "lead_days", "sequence", "status", "attempts", "last_error",
              "created_at", "sent_at", "sent_sequence", "email"]
    readonly_fields = fields

    @admin.display(description="status", ordering="email__status")
    def status(self, obj: ReminderDelivery) -> str:
        return obj.email.get_status_display()

    @admin.display(description="attempts")
    def attempts(self, obj: ReminderDelivery) -> int:
        return obj.email.attempts

    @admin.display(description="sent at")
    def sent_at(self, obj: ReminderDelivery):
        return obj.email.sent_at

    @admin.display(description="last error")
    def last_error(self, obj: ReminderDelivery) -> str:
        return obj.email.last_error

    @admin.display(description="email")
    def what(self, obj: ReminderDelivery) -> str:
        return obj.describe()

    @admin.display(description="error")
    def short_error(self, obj: ReminderDelivery) -> str:
        error = obj.email.last_error
        return error if len(error) < 100 else error[:97] + "…"

    def has_add_permission(self, request, *args) -> bool:
        return False  # the dispatcher and "send reminders now" make deliveries

    @confirmed_action(
        description="Send the selected failed deliveries again",
        refuse=lambda delivery, now: None if delivery.email.status == Status.FAILED else
        f"it is {delivery.email.get_status_display().lower()}, not failed",
        what_happens=lambda admin, request, deliveries: (
            f"{len(deliveries)} email{'s' if len(deliveries) != 1 else ''} that failed will be sent again, each "
            "with a fresh set of attempts."),
        button="Yes, send them again",
    )
    def resend(self, request, deliveries):
        queued = services.deliveries_resend(
            deliveries=ReminderDelivery.objects.filter(pk__in=[d.pk for d in deliveries]))
        self.message_user(request, f"{queued} delivery(ies) queued to be sent again.")


admin.site.unregister(Meeting)


@admin.register(Meeting)
class MeetingAdmin(CommunityMeetingAdmin):
    change_form_template = "admin/reminders/meeting_change_form.html"
    readonly_fields = [*CommunityMeetingAdmin.readonly_fields, "reminder_summary"]
    fieldsets = [*CommunityMeetingAdmin.fieldsets, ("Reminders", {"fields": ["reminder_summary"]})]

    def get_urls(self):
        extra = [
            path("<path:object_id>/send-reminders/", self.admin_site.admin_view(self.send_reminders_view),
                 name="community_meeting_send_reminders"),
        ]
        return extra + super().get_urls()

    @admin.display(description="Reminder emails")
    def reminder_summary(self, obj: Meeting) -> str:
        if obj is None or obj.pk is None:
            return "—"
        counts = dict(obj.reminder_deliveries.values_list("email__status").annotate(n=Count("pk"))
                      .values_list("email__status", "n"))
        if not counts:
            return "None yet. They go out by themselves at the program's lead times."
        url = reverse("admin:reminders_reminderdelivery_changelist")
        return format_html_join(
            " · ", '<a href="{}?meeting__id__exact={}&email__status__exact={}">{} {}</a>',
            ((url, obj.pk, status, counts[status], label.lower())
             for status, label in ReminderDelivery.Status.choices if counts.get(status)),
        )

    def send_reminders_view(self, request, object_id: str):
        """GET: what "send reminders now" will do, and to how many people; POST: do it."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        meeting = self.get_object(request, object_id)
        if meeting is None or not self.has_change_permission(request, meeting):
            raise Http404("No such meeting.")
        back = redirect("admin:community_meeting_change", meeting.pk)
        try:
            recipients = selectors.send_now_recipients(meeting=meeting)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return back
        if request.method == "GET":
            return TemplateResponse(request, "admin/reminders/send_reminders_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "original": meeting,
                "title": "Send reminders now?", "recipients": recipients[:50],
                "more": max(0, len(recipients) - 50), "count": len(recipients),
            })
        try:
            queued = services.meeting_send_reminders_now(meeting=meeting)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            if queued:
                self.message_user(request, format_html("{} reminder(s) are on their way.", queued))
            else:
                self.message_user(request, "Everyone has already been sent a reminder with this button.",
                                  messages.WARNING)
        return back
