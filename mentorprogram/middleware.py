from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .views import healthz


class UserTimezoneMiddleware:
    """Show every time in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class HealthzMiddleware:
    """Answer ``/healthz`` before the session and the signed-in user are read, so that a database
    or cache failure there cannot turn the health check into an HTML error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """Keep private pages out of every cache: paths under ``NO_STORE_PATH_PREFIXES`` (assessments,
    plans, mentee records) and the exact ``NO_STORE_PATHS`` (the dashboard) are sent with
    ``Cache-Control: no-store``, so a feature's pages are covered without anyone remembering to."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "NO_STORE_PATH_PREFIXES", ()))
        self.paths = frozenset(getattr(settings, "NO_STORE_PATHS", ()))

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info in self.paths or request.path_info.startswith(self.prefixes):
            add_never_cache_headers(response)
        return response
