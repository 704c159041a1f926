"""The instrument editor and the read-only response browser, scoped to the coordinator's programs.

Shared default instruments (no program) are visible to every coordinator and editable only
by superusers; a coordinator copies one into their program to change it. A version with a
submitted response is frozen: every edit of it, its domains and its items is refused with a
message, and "New version from this" makes an editable copy.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mentorprogram import audit
from mentorprogram import permissions as core_permissions
from mentorprogram.admin_scoping import ProgramScopedAdmin, ProgramScopedInline
from toolbox.admin_confirm import confirmed_action
from toolbox.csv_export import csv_response

from . import interchange, selectors, services
from .models import FROZEN_MESSAGE, Answer, Domain, FollowUpCadence, Instrument, InstrumentVersion, Item, Response


class SharedInstrumentMixin:
    """Scoping for instrument data: the coordinator's programs' own, plus the shared defaults
    (read-only). ``instrument_path`` is the lookup from the model to its Instrument."""

    instrument_path = ""

    def _program_lookup(self) -> str:
        return f"{self.instrument_path}__program" if self.instrument_path else "program"

    def scope(self, request, queryset):
        ids = core_permissions.admin_program_ids(request.user)
        if ids is None:
            return queryset
        lookup = self._program_lookup()
        return queryset.filter(Q(**{f"{lookup}__in": ids}) | Q(**{f"{lookup}__isnull": True}))

    def instrument_of(self, obj) -> Instrument:
        for part in filter(None, self.instrument_path.split("__")):
            obj = getattr(obj, part)
        return obj

    def version_of(self, obj) -> InstrumentVersion | None:
        return None

    def may_edit(self, request, obj) -> bool:
        """Shared instruments are for superusers to change; frozen versions for nobody."""
        instrument = self.instrument_of(obj)
        if instrument.program_id is None and not request.user.is_superuser:
            return False
        version = self.version_of(obj)
        return not (version is not None and version.is_frozen)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_edit(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_edit(request, obj))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # a selection may hold shared or frozen rows
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if obj is not None:
            version = self.version_of(obj)
            frozen = version is not None and version.is_frozen
            shared = self.instrument_of(obj).program_id is None and not request.user.is_superuser
            if request.method == "POST" and (frozen or shared):
                messages.error(request, FROZEN_MESSAGE if frozen else
                               "The shared default instruments are read-only for coordinators. "
                               "Use “Copy into my program” on the instrument list to make your own.")
                return HttpResponseRedirect(request.path)
            if request.method == "GET":
                if frozen:
                    messages.warning(request, FROZEN_MESSAGE)
                elif shared:
                    messages.info(request, "A shared default instrument: read-only for coordinators.")
            extra_context = {**(extra_context or {}), "frozen": frozen, "shared_readonly": shared}
        return super().changeform_view(request, object_id, form_url, extra_context)


def _editable_instruments(request):
    ids = core_permissions.admin_program_ids(request.user)
    qs = Instrument.objects.all()
    return qs if ids is None else qs.filter(program_id__in=ids)


class VersionInline(ProgramScopedInline):
    model = InstrumentVersion
    fields = ["number", "published_at", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "versions (open one to edit its domains and items)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(SharedInstrumentMixin, ProgramScopedAdmin):
    list_display = ["name", "kind", "program_display", "is_active", "version_count"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VersionInline]
    actions = ["copy_into_my_programs"]
    change_form_template = "admin/assessments/instrument/change_form.html"

    def get_urls(self):
        return [
            path("<int:pk>/import/", self.admin_site.admin_view(self.import_view),
                 name="assessments_instrument_import"),
            *super().get_urls(),
        ]

    def import_view(self, request, pk: int):
        """Import a version from a file: upload, see a preview (or every problem, item by item),
        then confirm. Nothing is saved until the confirmation, and nothing at all on an error."""
        instrument = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.may_edit(request, instrument):
            messages.error(request, "The shared default instruments are read-only for coordinators. "
                                    "Copy one into your program to import a version of it.")
            return HttpResponseRedirect(reverse("admin:assessments_instrument_change", args=[pk]))
        form = InstrumentImportForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "instrument": instrument,
                   "form": form, "title": f"Import a version of “{instrument.name}” from a file",
                   "format_version": interchange.FORMAT_VERSION}
        if request.method == "POST" and form.is_valid():
            try:
                mapping = interchange.parse_mapping(form.cleaned_data["mapping"])
                document = (interchange.load(form.cleaned_data["file"].read()) if form.cleaned_data.get("file")
                            else interchange.load(form.cleaned_data["document"]))
                parsed = interchange.validate_document(document, instrument=instrument, mapping=mapping)
            except interchange.InvalidDocument as invalid:
                context["errors"] = sorted(invalid.errors.items())
            else:
                if request.POST.get("confirm") == "yes" and not form.cleaned_data.get("file"):
                    version = interchange.version_import(instrument=instrument, parsed=parsed)
                    messages.success(request, f"Version {version.number} was imported, unpublished, with "
                                              f"{len(parsed.domains)} domains and {parsed.item_count} items. "
                                              "Check it, then publish it.")
                    return HttpResponseRedirect(reverse("admin:assessments_instrumentversion_change",
                                                        args=[version.pk]))
                context["parsed"] = parsed
                context["confirm_form"] = InstrumentImportForm(initial={
                    "document": interchange.json.dumps(document), "mapping": form.cleaned_data["mapping"]})
        return TemplateResponse(request, "admin/assessments/instrument/import.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program").annotate(n_versions=Count("versions"))

    @admin.display(description="program", ordering="program__name")
    def program_display(self, obj: Instrument) -> str:
        return obj.program.name if obj.program else "Shared default"

    @admin.display(description="versions", ordering="n_versions")
    def version_count(self, obj: Instrument) -> int:
        return obj.n_versions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser and "program" in form.base_fields:
            form.base_fields["program"].required = True
            form.base_fields["program"].help_text = "The program that uses this instrument."
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            InstrumentVersion.objects.create(instrument=obj, number=1)
            messages.info(request, "Version 1 was created, unpublished: open it to add domains and items.")

    @confirmed_action(
        description="Copy into my program(s), to edit there",
        refuse=lambda instrument, now: "it is already a program's own" if instrument.program_id else None,
        what_happens=lambda admin, request, chosen: (
            f"{len(chosen)} shared instrument{'s' if len(chosen) != 1 else ''} will be copied, with all their "
            "domains and items, into each program you coordinate, unpublished, for you to edit there."),
        button="Yes, copy them",
    )
    def copy_into_my_programs(self, request, chosen):
        ids = core_permissions.admin_program_ids(request.user)
        if ids is None:
            self.message_user(request, "Superusers edit the shared instruments directly.", messages.WARNING)
            return
        from mentorprogram.models import Program

        for instrument in chosen:
            for program in Program.objects.filter(pk__in=ids):
                try:
                    services.instrument_copy_to_program(instrument=instrument, program=program)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.WARNING)
                else:
                    self.message_user(request, f"{program} now has its own “{instrument.name}” (unpublished). "
                                      "Publish it to use it instead of the shared one.")


class InstrumentImportForm(forms.Form):
    file = forms.FileField(
        required=False, label="Instrument file (JSON)",
        help_text="A file in the format the README describes, e.g. one exported from another version.")
    mapping = forms.CharField(
        required=False, label="Domain keys to map", widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="One line per domain of the file whose key this app does not know: “their-key = our-key” to "
                  "count it as one of our domains (so course suggestions and the report carry on), or "
                  "“their-key = new” to keep it as a new domain.")
    document = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None and not cleaned.get("document"):
            self.add_error("file", "Choose the file to import.")
        elif upload is not None and upload.size > 2 * 1024 * 1024:
            self.add_error("file", "The file is larger than 2 MB; an instrument file is far smaller.")
        return cleaned


class VersionContentInline(ProgramScopedInline):
    """Rows of an instrument version (its domains, a domain's items): editable only while the
    version is not frozen, and in a shared instrument by superusers only."""

    extra = 0
    ordering = ["order", "pk"]

    @staticmethod
    def version_of(obj) -> InstrumentVersion:
        raise NotImplementedError

    def _editable(self, request, obj) -> bool:
        if obj is None:
            return core_permissions.can_use_admin_for_programs(request.user)
        version = self.version_of(obj)
        if version.instrument.program_id is None and not request.user.is_superuser:
            return False
        return not version.is_frozen

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)


class DomainInline(VersionContentInline):
    model = Domain
    fields = ["order", "key", "name", "description"]
    show_change_link = True

    @staticmethod
    def version_of(obj) -> InstrumentVersion:  # the page's object is the version
        return obj


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(SharedInstrumentMixin, ProgramScopedAdmin):
    instrument_path = "instrument"
    list_display = ["instrument", "number", "published_at", "submitted_count"]
    list_filter = ["instrument"]
    list_select_related = ["instrument", "instrument__program"]
    inlines = [DomainInline]
    readonly_fields = ["created_at", "outline"]
    fields = ["instrument", "number", "published_at", "licence", "created_at", "outline"]
    actions = ["new_version_from_this", "publish"]
    change_form_template = "admin/assessments/instrumentversion/change_form.html"

    def version_of(self, obj):
        return obj

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED))
        )

    @admin.display(description="submitted responses", ordering="n_submitted")
    def submitted_count(self, obj) -> int:
        return obj.n_submitted

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "instrument"] if obj else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "instrument":
            kwargs["queryset"] = _editable_instruments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="domains and items, in order")
    def outline(self, obj: InstrumentVersion) -> str:
        if obj.pk is None:
            return "—"
        domains = Domain.objects.filter(version=obj).order_by("order", "pk").prefetch_related("items")
        return format_html_join(
            "", "<p><strong>{}. {}</strong> <code>{}</code></p><ol>{}</ol>",
            ((d.order, d.name, d.key, format_html_join(
                "", "<li>{} <small>({})</small></li>",
                ((i.prompt, i.get_response_type_display()) for i in d.items.all()))) for d in domains),
        ) or "No domains yet."

    def get_urls(self):
        return [
            path("<int:pk>/new-version/", self.admin_site.admin_view(self.new_version_view),
                 name="assessments_instrumentversion_new_version"),
            path("<int:pk>/export.json", self.admin_site.admin_view(self.export_view),
                 name="assessments_instrumentversion_export"),
            *super().get_urls(),
        ]

    def export_view(self, request, pk: int):
        """The version as a file of the documented format (README, "Instruments as files")."""
        version = get_object_or_404(self.get_queryset(request).select_related("instrument"), pk=pk)
        response = HttpResponse(interchange.version_export_json(version=version),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="{version.instrument.slug}-v{version.number}.json"')
        return response

    def new_version_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        if version.instrument.program_id is None and not request.user.is_superuser:
            messages.error(request, "Only a superuser makes new versions of a shared instrument.")
            return HttpResponseRedirect(reverse("admin:assessments_instrumentversion_change", args=[pk]))
        copy = services.version_copy(version=version)
        messages.success(request, f"Version {copy.number} was made from version {version.number}, unpublished. "
                                  "Edit it, then publish it.")
        return HttpResponseRedirect(reverse("admin:assessments_instrumentversion_change", args=[copy.pk]))

    @admin.action(description="New version from this (copies domains and items)")
    def new_version_from_this(self, request, queryset):
        for version in queryset.select_related("instrument"):
            if version.instrument.program_id is None and not request.user.is_superuser:
                self.message_user(request, f"{version}: only a superuser versions a shared instrument.",
                                  messages.WARNING)
                continue
            copy = services.version_copy(version=version)
            self.message_user(request, f"{copy} was made from version {version.number}, unpublished.")

    @confirmed_action(
        description="Publish (new responses use the latest published version)",
        refuse=lambda version, now: "it is already published" if version.published_at else None,
        what_happens=lambda admin, request, chosen: (
            f"{len(chosen)} version{'s' if len(chosen) != 1 else ''} will be published: from then on new responses "
            "use it, and it can no longer change once someone has submitted an answer to it."),
        button="Yes, publish",
    )
    def publish(self, request, chosen):
        for version in chosen:
            if version.instrument.program_id is None and not request.user.is_superuser:
                self.message_user(request, f"{version}: the shared instruments are read-only.", messages.WARNING)
                continue
            try:
                services.version_publish(version=version, now=timezone.now())
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{version} is published.")


class ItemInline(VersionContentInline):
    model = Item
    fields = ["order", "prompt", "help_text", "response_type", "required", "scale_min", "scale_max",
              "scale_labels", "allow_not_applicable"]

    @staticmethod
    def version_of(obj) -> InstrumentVersion:  # the page's object is a domain
        return obj.version


@admin.register(Domain)
class DomainAdmin(SharedInstrumentMixin, ProgramScopedAdmin):
    """A domain and its items, reached from its version's page."""

    instrument_path = "version__instrument"
    list_display = ["name", "key", "version", "order"]
    list_select_related = ["version", "version__instrument"]
    list_filter = ["version__instrument"]
    inlines = [ItemInline]
    fields = ["version", "order", "key", "name", "description"]

    def version_of(self, obj):
        return obj.version

    def get_readonly_fields(self, request, obj=None):
        return ["version"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = (
                InstrumentVersion.objects.filter(instrument__in=_editable_instruments(request))
                .exclude(responses__status=Response.Status.SUBMITTED).select_related("instrument")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_model_perms(self, request):
        return {}  # edited from the version page, not listed on the admin index


class AnswerInline(ProgramScopedInline):
    model = Answer
    fields = ["item", "choice", "rating", "not_applicable", "willingness", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "item__domain").order_by(
            "item__domain__order", "item__order")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(ProgramScopedAdmin):
    """Read-only. Coordinators see their programs' submitted responses; drafts stay private."""

    list_display = ["user", "instrument", "version_number", "program", "occasion", "status", "submitted_at",
                    "results_link"]
    list_filter = [("program", admin.RelatedOnlyFieldListFilter), ("instrument", admin.RelatedOnlyFieldListFilter),
                   "occasion", "status", "submitted_at"]
    list_select_related = ["user", "program", "instrument", "version"]
    search_fields = ["user__email", "user__display_name"]
    date_hierarchy = "submitted_at"
    inlines = [AnswerInline]
    actions = ["export_csv"]
    readonly_fields = ["user", "program", "instrument", "version", "status", "occasion", "started_at",
                       "updated_at", "submitted_at", "results_link"]
    fields = readonly_fields

    def get_queryset(self, request):
        # Mentees' feedback on their mentor is read in aggregate only, never answer by answer.
        qs = super().get_queryset(request).exclude(instrument__kind=Instrument.Kind.MENTEE_FEEDBACK)
        return qs if request.user.is_superuser else qs.filter(status=Response.Status.SUBMITTED)

    @admin.display(description="version")
    def version_number(self, obj) -> str:
        return f"v{obj.version.number}"

    @admin.display(description="results")
    def results_link(self, obj) -> str:
        if obj.status != Response.Status.SUBMITTED:
            return "—"
        return format_html('<a href="{}">View results</a>', reverse("assessments:results", args=[obj.pk]))

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description="Export selected responses as CSV (scores by domain)", permissions=["view"])
    def export_csv(self, request, queryset):
        responses = list(queryset.select_related("user", "program", "instrument", "version").order_by(
            "program__name", "instrument__name", "user__email", "submitted_at"))
        scored = selectors.score_responses(responses)
        keys: list[str] = []
        for s in scored.values():
            keys += [d.key for d in s.score.domains if d.key not in keys]
        header = ["email", "name", "program", "instrument", "version", "status", "occasion", "submitted_at",
                  "overall_score", "readiness_share", "gaps", *keys]
        rows = []
        for r in responses:
            s = scored[r.pk].score
            rows.append([
                r.user.email, r.user.display_name, r.program.name, r.instrument.name, r.version.number,
                r.status, r.occasion, r.submitted_at.isoformat() if r.submitted_at else "",
                _fmt(s.overall), _fmt(s.readiness), " ".join(d.key for d in s.gaps),
                *[_fmt(_domain_value(s.domain(k))) for k in keys],
            ])
        audit.record_export(viewer=request.user, people=[r.user_id for r in responses], what="assessment responses CSV")
        return csv_response(f"assessment-responses-{timezone.localdate():%Y-%m-%d}.csv", header, rows)


def _domain_value(result):
    if result is None:
        return None
    return result.score if result.score is not None else result.readiness


def _fmt(value) -> str:
    return "" if value is None else f"{value:.2f}"


@admin.register(FollowUpCadence)
class FollowUpCadenceAdmin(ProgramScopedAdmin):
    """When each program asks its people to take a self-assessment again after their baseline."""

    list_display = ["instrument", "program", "rule", "months", "overdue_after_days", "is_active"]
    list_filter = ["rule", "is_active"]
    list_select_related = ["instrument", "program"]
    fieldsets = [
        (None, {"fields": ["program", "instrument", "is_active"]}),
        ("When the follow-up comes round", {
            "fields": ["rule", "months", "overdue_after_days"],
            "description": "Each person is invited by email once on each due date, counted from their own "
                           "baseline, and their home page says a follow-up is due until they take it. Once the "
                           "days to answer have passed, the coordinators' home lists them as overdue.",
        }),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "instrument":
            ids = core_permissions.admin_program_ids(request.user)
            qs = Instrument.objects.filter(is_active=True)
            kwargs["queryset"] = qs if ids is None else qs.filter(Q(program__isnull=True) | Q(program_id__in=ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
