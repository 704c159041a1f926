from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .health import healthz


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
    """Keep every answer to a signed-in person out of browser and proxy caches
    (``Cache-Control: no-store``): what a signed-in person is shown is theirs (assessments,
    transcripts, plans) or a coordinator's view of others (reports, compliance, the admin), and a
    rule by sign-in covers a new page without anyone listing it. Pages open to everyone keep their
    own headers; the few whose URL holds a person's token are ``never_cache`` themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


NUL_REFUSAL = "Bad request: the request holds a NUL character, which no page of this site accepts.\n"


def _holds_nul(items) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in items)


class RejectNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query string, cookies or form
    values. No text we keep may hold one, and PostgreSQL refuses it in any query (SQLite does
    not), so a NUL that reached a filter or a lookup would be a server error. Form values are
    checked after the CSRF check (``process_view``), uploaded files' contents never."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if ("\x00" in request.path or _holds_nul(request.GET.lists())
                or _holds_nul((k, [v]) for k, v in request.COOKIES.items())):
            return self.refuse()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and _holds_nul(request.POST.lists()):
            return self.refuse()
        return None

    @staticmethod
    def refuse():
        return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than ``MAX_REQUEST_BODY_BYTES``,
    before any of it is read: first in the chain, ahead of the CSRF check and the form parser,
    which would otherwise read it (and write uploads to disk) first. A body without a
    ``Content-Length`` (chunked) is never read by Django at all: it reads only as many bytes as
    the header declares."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if declared > limit:
            return HttpResponse(f"Request too large: at most {limit // (1024 * 1024)} MB may be sent.\n",
                                status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
