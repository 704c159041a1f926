"""Coordinators edit requirements and plans here. Mentee records show dates and counts only:
private notes and goal wording never appear in the admin, for anyone."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mentorprogram import audit
from mentorprogram.admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from mentorprogram.models import OutboundEmail
from toolbox.admin_confirm import confirmed_action

from . import nudges, services
from .models import (
    AccountabilityPlan,
    FeedbackRound,
    FeedbackSchedule,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    Nudge,
    PlanItem,
    PlanItemChange,
    ReportingRequirement,
)


@admin.register(ReportingRequirement)
class ReportingRequirementAdmin(ProgramScopedAdmin):
    list_display = ["metric", "program", "target", "period", "is_active"]
    list_filter = ["program", "metric", "period", "is_active"]
    fields = ["program", "metric", "target", "period", "description", "is_active"]


class PlanItemFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        for form in self.forms:
            if form.cleaned_data and form.has_changed():
                values = {**{f: getattr(form.instance, f) for f in services.TRACKED_ITEM_FIELDS},
                          **form.cleaned_data}
                try:
                    services.plan_item_validate(values, today=today)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        form.add_error(field, messages)


class PlanItemInline(ProgramScopedInline):
    model = PlanItem
    formset = PlanItemFormSet
    extra = 0
    fields = ["title", "kind", "domain_name", "due_on", "status", "completed_on", "evidence", "version"]
    readonly_fields = ["version"]
    can_delete = False
    show_change_link = False


_plan_items_csv = audit.csv_export_action(
    ("Mentor email", "plan__mentor__email"), ("Mentor", "plan__mentor__display_name"),
    ("Program", "plan__program__name"), ("Plan year starts", "plan__period_start"),
    ("Item", "title"), ("Kind", lambda i: i.get_kind_display()), ("Domain", "domain_name"), ("Due", "due_on"),
    ("Status", lambda i: i.get_status_display()), ("Completed on", "completed_on"), ("Evidence", "evidence"),
    name="export_plan_items_csv", filename="plan-items", select_related=["plan__mentor", "plan__program"],
    people="plan__mentor_id",
)


@admin.register(AccountabilityPlan)
class AccountabilityPlanAdmin(ProgramScopedAdmin):
    list_display = ["mentor", "program", "period_start", "proposed_at"]
    actions = ["export_plan_items_csv"]
    list_filter = ["program", "period_start"]
    search_fields = ["mentor__email", "mentor__display_name"]
    autocomplete_fields = ["mentor"]
    readonly_fields = ["proposed_at", "created_at", "history"]
    fields = ["program", "mentor", "period_start", "period_end", "proposed_at", "created_at", "history"]
    inlines = [PlanItemInline]
    list_select_related = ["mentor", "program"]

    @admin.action(description="Download the items of the selected plans as CSV", permissions=["view"])
    def export_plan_items_csv(self, request, queryset):
        """One row per item (dropped ones too, with their status), of the plans this list shows."""
        return _plan_items_csv(self, request, PlanItem.objects.filter(plan__in=queryset))

    @admin.display(description="History")
    def history(self, obj: AccountabilityPlan) -> str:
        if obj.pk is None:
            return "—"
        changes = PlanItemChange.objects.filter(item__plan=obj).select_related("changed_by", "item")[:100]
        if not changes:
            return "No changes yet."
        rows = format_html_join(
            "", "<li>{} — {}: {} “{}” (version {}): {}</li>",
            ((f"{c.changed_at:%Y-%m-%d %H:%M}", c.changed_by or "—", c.get_action_display(), c.item.title,
              c.version, "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in c.changes.items())) for c in changes),
        )
        return format_html("<ul>{}</ul>", rows)

    def save_formset(self, request, form, formset, change):
        """Item edits go through the plan service, so they are versioned and kept in the history."""
        if formset.model is not PlanItem:
            return super().save_formset(request, form, formset, change)
        now = timezone.now()
        for item_form in formset.forms:
            if not item_form.has_changed() or not item_form.cleaned_data:
                continue
            data = {f: item_form.cleaned_data.get(f) for f in PlanItemInline.fields if f != "version"}
            if item_form.instance.pk is None:
                services.plan_item_add(plan=form.instance, by=request.user, now=now, **data)
            else:
                current = PlanItem.objects.get(pk=item_form.instance.pk)
                services.plan_item_update(item=current, by=request.user, version=current.version, now=now,
                                          **{k: v for k, v in data.items() if k in item_form.changed_data})
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class MentorshipInline(ProgramScopedInline):
    model = Mentorship
    extra = 0
    fields = ["started_on", "ended_on", "status"]


class MenteeMeetingInline(ProgramScopedInline):
    model = MenteeMeeting
    extra = 0
    fields = ["held_on", "duration_minutes", "mode"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MenteeGoalInline(ProgramScopedInline):
    model = MenteeGoal
    extra = 0
    fields = ["set_on", "target_date", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Mentee)
class MenteeAdmin(ProgramScopedAdmin):
    list_display = ["name", "mentor", "program", "department"]
    list_filter = ["program"]
    search_fields = ["name", "mentor__email", "mentor__display_name"]
    autocomplete_fields = ["mentor"]
    fields = ["program", "mentor", "name", "email", "department", "career_stage", "takes_part"]
    readonly_fields = ["takes_part"]
    inlines = [MentorshipInline, MenteeMeetingInline, MenteeGoalInline]
    list_select_related = ["mentor", "program"]
    actions = ["invite"]

    @admin.display(description="takes part")
    def takes_part(self, obj: Mentee) -> str:
        return {"accepted": f"Yes, since {obj.accepted_at:%b %-d, %Y}" if obj.accepted_at else "Yes",
                "invited": "Invited, no answer yet", "declined": "Declined the invitation"}.get(
            obj.invitation_state, "Not invited")

    @admin.action(description="Invite the selected mentees to take part (by email)")
    def invite(self, request, queryset):
        from . import mentees

        base_url = request.build_absolute_uri("/").rstrip("/")
        sent, problems = 0, []
        for mentee in queryset.select_related("mentor"):
            try:
                sent += mentees.mentee_invite(by=request.user, mentee=mentee, base_url=base_url)
            except ValidationError as error:
                problems.append(f"{mentee}: {' '.join(error.messages)}")
        self.message_user(request, f"{sent} invitation(s) on their way.")
        for problem in problems:
            self.message_user(request, problem, level="warning")


class FeedbackRoundInline(ProgramScopedInline):
    model = FeedbackRound
    extra = 1
    fields = ["name", "opens_on"]


@admin.register(FeedbackSchedule)
class FeedbackScheduleAdmin(ProgramScopedAdmin):
    """When mentees are asked for feedback on their mentor. The answers are never listed here:
    coordinators read them in aggregate in the program report."""

    list_display = ["program", "after_meetings", "is_active"]
    fields = ["program", "after_meetings", "is_active"]
    inlines = [FeedbackRoundInline]


@admin.register(Nudge)
class NudgeAdmin(ProgramScopedAdmin):
    list_display = ["person", "kind", "key", "status", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["program", "kind", "email__status"]
    search_fields = ["person__email", "key"]
    readonly_fields = ["program", "person", "kind", "key", "status", "attempts", "created_at", "sent_at",
                       "error", "email"]
    list_select_related = ["person", "email"]
    actions = ["send_again"]

    @admin.display(description="status", ordering="email__status")
    def status(self, obj: Nudge) -> str:
        return obj.email.get_status_display()

    @admin.display(description="attempts")
    def attempts(self, obj: Nudge) -> int:
        return obj.email.attempts

    @admin.display(description="sent at")
    def sent_at(self, obj: Nudge):
        return obj.email.sent_at

    @admin.display(description="the mail server said")
    def error(self, obj: Nudge) -> str:
        return obj.email.last_error

    @admin.display(description="error")
    def short_error(self, obj: Nudge) -> str:
        error = obj.email.last_error
        return error if len(error) < 100 else error[:97] + "…"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @confirmed_action(
        description="Send the selected failed nudges again", permissions=["view"],
        refuse=lambda nudge, now: None if nudge.email.status == OutboundEmail.Status.FAILED else
        f"it is {nudge.email.get_status_display().lower()}, not failed",
        what_happens=lambda admin, request, chosen: (
            f"{len(chosen)} nudge{'s' if len(chosen) != 1 else ''} that failed will be emailed again, each with a "
            "fresh set of attempts."),
        button="Yes, send them again",
    )
    def send_again(self, request, chosen):
        queued = nudges.nudges_resend(nudges=Nudge.objects.filter(pk__in=[n.pk for n in chosen]))
        self.message_user(request, f"{queued} nudge(s) queued to be sent again.")
