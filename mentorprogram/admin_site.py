"""The project's admin site: Django's, with change lists that answer odd query strings calmly.

Django turns most bad filter parameters into its “?e=1” redirect, but not all: a date hierarchy
year of twenty digits, or the last year a date can hold, and an integer too large for the
database raise ``OverflowError``, ``ValueError`` or ``DataError`` and answer a 500. Every admin
registered on this site — ours and the installed apps' — treats those like any other bad lookup.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DataError


class SafeChangeListMixin:
    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError, DataError) as error:
            if not request.GET:
                raise  # not the query string's fault
            raise IncorrectLookupParameters(error) from error


class MentorAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeChangeListMixin):
            admin_class = type(admin_class.__name__, (SafeChangeListMixin, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)


class MentorAdminConfig(AdminConfig):
    default_site = "mentorprogram.admin_site.MentorAdminSite"
