"""The admin's program scoping: a coordinator sees and edits only their programs' objects.

Every ModelAdmin of program-owned data inherits ``ProgramScopedAdmin`` and names the
lookup from its model to ``Program`` in ``program_path``. Lists, change pages,
autocomplete and foreign-key choices all go through ``get_queryset``; foreign keys to a
scoped model are limited with that model's own admin queryset, and so are the choices of every
list filter on a relation (``get_list_filter``), so a coordinator's filter sidebar names no other
program and none of its objects.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import DateTimeField, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from . import permissions


class ProgramScopedMixin:
    program_path: str = "program"

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        ids = permissions.admin_program_ids(request.user)
        if ids is None:
            return queryset
        if self.program_path == "":
            return queryset.filter(pk__in=ids)
        lookups = Q(**{f"{self.program_path}__in": ids})
        prefix = self._membership_prefix()
        if prefix is not None:
            # In the same filter() as the program, so that both conditions hold for one membership.
            lookups &= permissions.coordinator_sees_membership_q(prefix)
        return queryset.filter(lookups).distinct()

    def _membership_prefix(self) -> str | None:
        """The lookup to the membership that puts an object in a program, when there is one: the
        object is then seen only through a membership its person has accepted."""
        from .models import Membership

        if self.model is Membership:
            return ""
        if self.program_path.endswith("memberships__program"):
            return self.program_path[: -len("program")]
        return None

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if permissions.admin_program_ids(request.user) is None:
            return filters
        return [_scoped_list_filter(self.model, spec) for spec in filters]

    def _allowed(self, request, obj: Model | None = None) -> bool:
        if not permissions.can_use_admin_for_programs(request.user):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return self.scope(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another program's object is answered like a missing one, with a 404 (not Django's redirect
        # to the index, which tells "exists elsewhere" and "never existed" apart no better).
        raise Http404(f"No {opts.verbose_name} here.")

    def has_module_permission(self, request) -> bool:
        return permissions.can_use_admin_for_programs(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return permissions.can_use_admin_for_programs(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    # Tabular inlines show their labels as column headings, not <label>s: name each input instead.
    name_every_input = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if _is_time_zone(db_field):
            formfield = _time_zone_formfield(db_field)
        else:
            formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, DateTimeField):
            # Said in words, in the zone the form shows (the person's own; a meeting's: its series').
            formfield.help_text = _in_zone(formfield.help_text, timezone.get_current_timezone_name())
        if formfield is not None:
            _name_inputs(formfield.widget, capfirst(db_field.verbose_name), every_input=self.name_every_input)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_choices(self.admin_site, request, db_field, kwargs)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TolerantAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _limit_choices(self.admin_site, request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TolerantAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks up the posted value to show it again, and fails with a
    server error when the value is no id at all; here such a value shows as no choice (the field
    then says "select a valid choice")."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        return super().optgroups(name, [v for v in value if _is_lookup_value(target, v)], attr)


def _is_lookup_value(field, value) -> bool:
    try:
        converted = field.to_python(value)
    except (TypeError, ValueError, ValidationError):
        return False
    return not isinstance(converted, int) or -(2**63) <= converted < 2**63


def _limit_choices(site: admin.AdminSite, request, db_field, kwargs: dict) -> None:
    """Offer only the related objects the related model's own admin would show this user."""
    model_admin = site._registry.get(db_field.related_model)
    if "queryset" not in kwargs and isinstance(model_admin, ProgramScopedMixin):
        kwargs["queryset"] = model_admin.get_queryset(request)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter on a relation offering only what the user may see: the related objects the related
    model's own admin shows them, or, where that model has no scoped admin, those their list reaches."""

    only_reached = False

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related_admin = model_admin.admin_site._registry.get(field.related_model)
        scoped = isinstance(related_admin, ProgramScopedMixin)
        limit = Q()
        if scoped:
            limit &= Q(pk__in=related_admin.get_queryset(request).values("pk"))
        if self.only_reached or not scoped:
            reached = model_admin.get_queryset(request).values_list(f"{self.field_path}__pk", flat=True)
            limit &= Q(pk__in=reached)
        return field.get_choices(include_blank=False, limit_choices_to=limit, ordering=ordering)


class ScopedRelatedOnlyFieldListFilter(ScopedRelatedFieldListFilter):
    """``RelatedOnlyFieldListFilter``, scoped: only related objects the user's list reaches and may see."""

    only_reached = True


def _scoped_list_filter(model, spec):
    """``spec`` from ``list_filter``, with a scoped filter wherever it filters on a relation."""
    if isinstance(spec, str):
        try:
            field = get_fields_from_path(model, spec)[-1]
        except FieldDoesNotExist:
            return spec
        return (spec, ScopedRelatedFieldListFilter) if field.is_relation else spec
    if isinstance(spec, tuple | list) and len(spec) == 2 and isinstance(spec[1], type):
        path, filter_class = spec
        if issubclass(filter_class, admin.RelatedOnlyFieldListFilter):
            return (path, ScopedRelatedOnlyFieldListFilter)
        if issubclass(filter_class, admin.RelatedFieldListFilter) and not issubclass(
                filter_class, ScopedRelatedFieldListFilter):
            return (path, ScopedRelatedFieldListFilter)
    return spec


def _in_zone(help_text: str, zone: str) -> str:
    note = f"Date and time in {zone.replace('_', ' ')} time."
    return f"{help_text} {note}".strip() if help_text else note


def _is_time_zone(db_field) -> bool:
    from .models import validate_time_zone

    return validate_time_zone in getattr(db_field, "validators", ())


def _time_zone_formfield(db_field) -> forms.Field:
    """A time zone as a searchable select of the current names, never free text."""
    from .form_fields import TimeZoneField

    blank = "— the program's time zone —" if db_field.blank else None
    return TimeZoneField(
        required=not db_field.blank, blank_label=blank, label=capfirst(db_field.verbose_name),
        help_text=db_field.help_text, initial=db_field.get_default() or None,
    )


def _name_inputs(widget: forms.Widget, label: str, *, every_input: bool) -> None:
    """Give inputs that no <label> names an accessible name: the date and time halves of a
    split date-time field (its label points at neither), and, with ``every_input``, all."""
    widget = getattr(widget, "widget", widget)  # inside the admin's related-object wrapper
    if isinstance(widget, forms.SplitDateTimeWidget):
        for part, name in zip(widget.widgets, ("date", "time"), strict=True):
            part.attrs.setdefault("aria-label", f"{label}: {name}")
    elif every_input:
        widget.attrs.setdefault("aria-label", label)


class ProgramScopedAdmin(ProgramScopedMixin, admin.ModelAdmin):
    pass


class ProgramScopedInline(ProgramScopedMixin, admin.TabularInline):
    """Inlines take their scoping from the parent object; only the choices are limited."""

    name_every_input = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class NamedFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:  # the row's delete box, under a "Delete?" heading
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete")

        return NamedFormSet

    def get_queryset(self, request):
        return admin.TabularInline.get_queryset(self, request)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_use_admin_for_programs(request.user)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request, obj=None) -> bool:
        return permissions.can_use_admin_for_programs(request.user)
