"""The coordinators' side of the Mentor Community, scoped to their programs."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Func, IntegerField, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from courses import permissions as course_permissions
from mentorprogram.admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from toolbox.admin_confirm import confirmed_action

from . import recurrence, selectors, services
from .admin_forms import PICKER_FIELDS, AttendanceForm, MeetingSeriesAdminForm
from .models import (
    AgendaItem,
    Attendance,
    Challenge,
    Meeting,
    MeetingSeries,
    MentorCommunity,
    ProcessAgreement,
    ResourcePerson,
    Rsvp,
    Topic,
)

URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _count(qs) -> Subquery:
    """How many rows ``qs`` (correlated to the outer row) has, as a subquery."""
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(MentorCommunity)
class MentorCommunityAdmin(ProgramScopedAdmin):
    list_display = ["__str__", "program", "updated_at"]
    list_select_related = ["program"]
    fields = ["program", "purpose"]

    def get_readonly_fields(self, request, obj=None):
        return ["program"] if obj else []


@admin.register(ResourcePerson)
class ResourcePersonAdmin(ProgramScopedAdmin):
    list_display = ["name", "role", "affiliation", "program"]
    list_filter = ["program"]
    search_fields = ["name", "role", "affiliation"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ProgramScopedAdmin):
    form = MeetingSeriesAdminForm
    formfield_overrides = URL_FIELDS
    list_display = ["title", "program", "repeats", "start_time", "duration_minutes", "is_active"]
    list_filter = ["program", "is_active"]
    list_select_related = ["program"]
    fieldsets = [
        (None, {"fields": ["program", "title", "is_active"]}),
        ("When", {
            "fields": ["first_date", "start_time", "duration_minutes", "time_zone"],
            "description": "Meetings are made twelve months ahead and kept up to date every night. "
                           "Moving or cancelling one meeting (under Meetings) leaves the others alone.",
        }),
        ("How often it meets", {"fields": [*PICKER_FIELDS, "last_date", "preview"]}),
        ("Where", {"fields": ["place", "video_url"]}),
        ("Advanced: the recurrence rule", {"classes": ["collapse"], "fields": ["rrule"]}),
    ]

    class Media:
        js = ["js/series-picker.js"]

    @admin.display(description="repeats", ordering="rrule")
    def repeats(self, obj: MeetingSeries) -> str:
        pattern = recurrence.from_rule(obj.rrule, obj.first_date)
        return pattern.describe() if pattern else obj.rrule

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        result = services.series_materialise(series=obj)
        messages.info(
            request,
            f"Meetings for the next twelve months: {result.created} made, {result.updated} updated, "
            f"{result.cancelled} cancelled.",
        )


class AgendaItemInline(ProgramScopedInline):
    model = AgendaItem
    extra = 1
    fields = ["position", "topic", "text"]
    # Narrow enough for a 1366-pixel screen beside the admin's sidebar.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
        models.PositiveSmallIntegerField: {"widget": forms.NumberInput(attrs={"class": "vSmallField"})},
    }


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["reading"]  # the admin adds the fieldsets' other fields

    def clean(self):
        data = super().clean()
        series = data.get("series") or (self.instance.series if self.instance.series_id else None)
        reading = data.get("reading")
        # Checked where a reading is chosen, not in Meeting.clean(): a reading that later moves to
        # another program must not stop the nightly materialising of the meeting's series.
        if series and reading and not course_permissions.program_may_use(reading, series.program_id):
            self.add_error("reading", "Choose a shared reading or one of this program's own.")
        starts_at = data.get("starts_at") or self.instance.starts_at
        if data.get("status") == Meeting.Status.HELD and self.instance.status != Meeting.Status.HELD and starts_at:
            reason = services.meeting_hold_refusal(Meeting(series=series, starts_at=starts_at), timezone.now()) \
                if series else None
            if reason:
                self.add_error("status", f"This meeting cannot be marked held: {reason}.")
        if self.instance.pk is None and series and data.get("starts_at"):
            try:
                services.meeting_check_extra(series=series, starts_at=data["starts_at"])
            except ValidationError as error:
                self.add_error("starts_at", error)
        return data


@admin.register(Meeting)
class MeetingAdmin(ProgramScopedAdmin):
    form = MeetingAdminForm
    formfield_overrides = URL_FIELDS
    change_form_template = "admin/community/meeting_change_form.html"
    program_path = "series__program"
    list_display = ["title", "starts", "status", "rsvps", "attendance_link", "presenter"]
    list_display_links = ["title", "starts"]
    list_filter = ["series__program", ("series", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["series__program", "presenter"]
    search_fields = ["series__title", "place"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    inlines = [AgendaItemInline]
    # Choices and search are the Reading admin's: shared readings and the coordinator's programs'
    # own; the form refuses a reading of another program than the meeting's.
    autocomplete_fields = ["reading"]
    readonly_fields = ["series", "occurrence_start", "uid", "sequence", "rsvp_summary", "attendance_summary",
                       "open_challenges"]
    actions = ["cancel_meetings", "record_attendance_from_rsvps"]
    fieldsets = [
        (None, {"fields": ["series", "status", "starts_at", "ends_at", "place", "video_url"]}),
        ("Content", {"fields": ["presenter", "reading", "minutes"]}),
        ("People", {"fields": ["rsvp_summary", "attendance_summary", "open_challenges"]}),
        ("Calendar", {"classes": ["collapse"], "fields": ["uid", "occurrence_start", "sequence"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_yes=_count(Rsvp.objects.filter(meeting=OuterRef("pk"), answer=Rsvp.Answer.YES)),
            n_no=_count(Rsvp.objects.filter(meeting=OuterRef("pk"), answer=Rsvp.Answer.NO)),
            n_maybe=_count(Rsvp.objects.filter(meeting=OuterRef("pk"), answer=Rsvp.Answer.MAYBE)),
            n_present=_count(Attendance.objects.filter(meeting=OuterRef("pk"), present=True)),
            n_recorded=_count(Attendance.objects.filter(meeting=OuterRef("pk"))),
        )

    @admin.display(description="meeting", ordering="series__title")
    def title(self, obj: Meeting) -> str:
        return obj.series.title

    @admin.display(description="starts", ordering="starts_at")
    def starts(self, obj: Meeting) -> str:
        local = obj.starts_at.astimezone(obj.series.zone)
        return f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"

    @admin.display(description="RSVPs (yes · no · maybe)", ordering="n_yes")
    def rsvps(self, obj: Meeting) -> str:
        return f"{obj.n_yes} · {obj.n_no} · {obj.n_maybe}"

    @admin.display(description="attendance", ordering="n_present")
    def attendance_link(self, obj: Meeting) -> str:
        if obj.status == Meeting.Status.CANCELLED or obj.starts_at > timezone.now():
            return "—"
        url = reverse("admin:community_meeting_attendance", args=[obj.pk])
        if obj.n_recorded:
            return format_html('<a href="{}">{} present</a>', url, obj.n_present)
        return format_html('<a href="{}">Take attendance</a>', url)

    @admin.display(description="RSVPs")
    def rsvp_summary(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        rsvps = obj.rsvps.select_related("user").order_by("answer", "user__display_name")
        return render_to_string("community/admin/_rsvps.html", {"rsvps": rsvps})

    @admin.display(description="Attendance")
    def attendance_summary(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:community_meeting_attendance", args=[obj.pk])
        counts = dict(obj.attendance.values_list("present").annotate(n=Count("pk")).values_list("present", "n"))
        if not counts:
            return format_html('Not taken yet. <a href="{}">Take attendance and write the minutes</a>', url)
        return format_html('{} present, {} absent. <a href="{}">Change attendance or minutes</a>',
                           counts.get(True, 0), counts.get(False, 0), url)

    @admin.display(description="Open challenges of the program")
    def open_challenges(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:community_challenge_changelist")
        return format_html(
            '<a href="{}?program__id__exact={}&status__exact=open">Review open challenges</a>',
            url, obj.series.program_id,
        )

    # Adding is for a meeting outside the series' rule (an extra session, a guest's visit); the
    # regular ones come from the series.
    add_fieldsets = [
        (None, {"fields": ["series", "starts_at", "ends_at", "place", "video_url"],
                "description": "An extra meeting outside the series' rule. Its regular meetings "
                               "come from the series itself."}),
        ("Content", {"fields": ["presenter", "reading"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.attendance_view)
        return [path("<path:object_id>/attendance/", view, name="community_meeting_attendance"),
                *super().get_urls()]

    def attendance_view(self, request, object_id: str):
        """The whole meeting's attendance on one page: a checklist of the sheet's people (the yes
        answers ticked until attendance is recorded), the minutes, and "held", saved in one POST."""
        meeting = self.get_object(request, object_id)
        if meeting is None or not self.has_change_permission(request, meeting):
            raise Http404("No such meeting.")
        now = timezone.now()
        sheet = selectors.attendance_sheet(meeting=meeting)
        form = AttendanceForm(request.POST if request.method == "POST" else None, sheet=sheet)
        refusal = services.attendance_refusal(meeting, now)
        if request.method == "POST" and not refusal and form.is_valid():
            try:
                recorded = services.meeting_take_attendance(
                    meeting=meeting, present=form.present_ids(), listed={r.user.pk for r in sheet.rows},
                    minutes=form.cleaned_data["minutes"], mark_held=form.cleaned_data.get("held", False), now=now,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                present = len(form.present_ids())
                self.message_user(request, f"Attendance saved: {present} present, {recorded - present} absent.")
                return redirect("admin:community_meeting_attendance", meeting.pk)
        zone = meeting.series.zone
        return TemplateResponse(request, "admin/community/meeting_attendance.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "meeting": meeting,
            "title": "Attendance and minutes", "subtitle": str(meeting), "form": form, "sheet": sheet,
            "rows": sheet.rows, "ticked": form.ticked(), "refusal": refusal, "zone": str(zone).replace("_", " "),
            "starts": meeting.starts_at.astimezone(zone),
            "yes_count": sum(1 for r in sheet.rows if r.rsvp == Rsvp.Answer.YES),
        })

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A meeting's times are shown and entered in its series' time zone (the program's, unless
        the series names another), whatever the coordinator's own zone."""
        meeting = self.get_object(request, object_id) if object_id else None
        if meeting is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(meeting.series.zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # inside the zone: a TemplateResponse renders late otherwise
        return response

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            services.meeting_save(meeting=obj, changed_fields=list(form.changed_data))
        else:
            services.meeting_add_extra(meeting=obj)

    @confirmed_action(
        description="Cancel the selected meetings",
        refuse=lambda meeting, now: _cancel_refusal(meeting, now),
        what_happens=lambda admin, request, meetings: (
            f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} will be cancelled. Everyone who was "
            "sent an invitation gets a cancellation email, and the meeting leaves their calendar."),
        button="Yes, cancel them",
    )
    def cancel_meetings(self, request, meetings):
        for meeting in meetings:
            services.meeting_cancel(meeting=meeting)
        self.message_user(request, f"{len(meetings)} meeting(s) cancelled.")

    @confirmed_action(
        description="Mark held and record everyone who answered yes as present",
        refuse=lambda meeting, now: (
            "it is already held; correct its attendance on its attendance page"
            if meeting.status == Meeting.Status.HELD else services.meeting_hold_refusal(meeting, now)),
        what_happens=lambda admin, request, meetings: _hold_summary(meetings),
        button="Yes, mark them held",
    )
    def record_attendance_from_rsvps(self, request, meetings):
        recorded = 0
        for meeting in meetings:
            try:
                recorded += services.attendance_from_rsvps(meeting=meeting)
            except ValidationError as exc:
                self.message_user(request, f"{meeting}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, f"{recorded} attendance record(s) made. Correct them on each meeting's "
                                   "attendance page.")


def _cancel_refusal(meeting: Meeting, now) -> str | None:
    if meeting.status == Meeting.Status.CANCELLED:
        return "it is already cancelled"
    if meeting.status == Meeting.Status.HELD:
        return "it was held"
    if meeting.starts_at <= now:
        return "it has already started"
    return None


def _hold_summary(meetings: list[Meeting]) -> str:
    yes = Rsvp.objects.filter(meeting__in=meetings, answer=Rsvp.Answer.YES).count()
    n = len(meetings)
    return (f"{n} meeting{'s' if n != 1 else ''} will be marked held, and the {yes} "
            f"{'person' if yes == 1 else 'people'} who answered yes recorded as present. You can correct the "
            "attendance afterwards on each meeting's attendance page.")


@admin.register(Challenge)
class ChallengeAdmin(ProgramScopedAdmin):
    list_display = ["short_text", "author", "anonymous", "program", "meeting", "status", "submitted_at"]
    list_filter = ["program", "status", "anonymous"]
    list_select_related = ["author", "program", "meeting__series"]
    search_fields = ["text", "author__display_name", "author__email"]
    readonly_fields = ["program", "author", "anonymous", "text", "meeting", "agenda_item", "submitted_at"]
    fields = ["program", "author", "anonymous", "text", "meeting", "status", "agenda_item", "submitted_at"]
    actions = ["add_to_agenda"]

    @admin.display(description="challenge")
    def short_text(self, obj) -> str:
        return obj.text if len(obj.text) < 90 else obj.text[:87] + "…"

    def has_add_permission(self, request, *args) -> bool:
        return False  # mentors raise challenges from the community pages

    @confirmed_action(
        description="Put on the agenda of the coming meeting",
        refuse=lambda challenge, now: None if challenge.status == Challenge.Status.OPEN else
        "it is already on an agenda or closed",
        what_happens=lambda admin, request, challenges: (
            f"{len(challenges)} challenge{'s' if len(challenges) != 1 else ''} will be added to the end of the "
            "agenda of the meeting it was raised for (or the next one). The agenda does not name the authors."),
        button="Yes, put them on the agenda",
    )
    def add_to_agenda(self, request, challenges):
        for challenge in challenges:
            try:
                item = services.challenge_add_to_agenda(challenge=challenge)
            except ValidationError as exc:
                self.message_user(request, f"“{challenge}”: {' '.join(exc.messages)}", messages.WARNING)
                continue
            self.message_user(request, f"Added to the agenda of {item.meeting}.")


PUBLISHED_IS_FINAL = (
    "A published version cannot change: mentors have acknowledged its text as it is. To change it, "
    "tick it in the list of process agreements and choose “Start a new draft version from this one”, "
    "then edit and publish the new version."
)


class ProcessAgreementAdminForm(forms.ModelForm):
    class Meta:
        model = ProcessAgreement
        fields = []  # the admin adds its fields

    def clean(self):
        data = super().clean()
        # Read from the database, not the instance: it may have been published since the form opened.
        if self.instance.pk is not None and ProcessAgreement.objects.filter(
                pk=self.instance.pk, published_at__isnull=False).exists():
            raise ValidationError(PUBLISHED_IS_FINAL)
        return data


@admin.register(ProcessAgreement)
class ProcessAgreementAdmin(ProgramScopedAdmin):
    form = ProcessAgreementAdminForm
    list_display = ["program", "version", "published_at", "acknowledged"]
    list_filter = ["program"]
    list_select_related = ["program"]
    actions = ["publish", "new_version"]
    section_fields = [name for name, _ in ProcessAgreement.SECTIONS]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_acks=Count("acknowledgements", distinct=True))

    @admin.display(description="acknowledged by", ordering="n_acks")
    def acknowledged(self, obj) -> int:
        return obj.n_acks

    def get_fields(self, request, obj=None):
        extra = ["version", "published_at", "acknowledgement_table"] if obj else []
        return ["program", *self.section_fields, *extra]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.published_at:
            return ["program", *self.section_fields, "version", "published_at", "acknowledgement_table"]
        return ["program", "version", "published_at", "acknowledgement_table"]

    @admin.display(description="Who has acknowledged this version")
    def acknowledgement_table(self, obj) -> str:
        if obj is None or obj.published_at is None:
            return "Publish this version to ask the mentors to acknowledge it."
        status = selectors.acknowledgement_status(agreement=obj)
        return render_to_string("community/_acknowledgement_table.html", {"status": status})

    def save_model(self, request, obj, form, change):
        services.agreement_save_draft(agreement=obj)

    @confirmed_action(
        description="Publish (mentors are asked to acknowledge it)",
        refuse=lambda agreement, now: "it is already published" if agreement.published_at else None,
        what_happens=lambda admin, request, agreements: (
            "Once published, a version cannot change, and every mentor of its program is asked to "
            "acknowledge it on their dashboard."),
        button="Yes, publish",
    )
    def publish(self, request, agreements):
        for agreement in agreements:
            services.agreement_publish(agreement=agreement)
        self.message_user(request, "Published.")

    @admin.action(description="Start a new draft version from this one")
    def new_version(self, request, queryset):
        for agreement in queryset:
            created = services.agreement_new_version(program=agreement.program, based_on=agreement)
            self.message_user(
                request, f"Draft version {created.version} of {agreement.program} made; edit and publish it.",
            )
