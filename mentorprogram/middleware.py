from __future__ import annotations

import zoneinfo

from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


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
