"""Reading values a person can type into a URL or a form field: the ``next`` redirect and integers
from query strings. Every view reads them through here, so a value that is not what it should be
falls back to the normal answer instead of an error."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme

# The largest value a PostgreSQL bigint holds; anything larger fails in the database.
MAX_QUERY_INT = 2**63 - 1


def is_local_path(request, target: str) -> bool:
    """Whether ``target`` is a path of this site. Only a path beginning with one ``/`` passes: a
    view name ("id", "admin:index") would make ``redirect()`` fail after the view has saved, and
    anything with a scheme or a host could send the person off the site."""
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                            require_https=request.is_secure())
    )


def next_url(request, default: str) -> str:
    """The POST's ``next`` value when it is a path of this site, else ``default``. Call it before
    saving anything, so that a bad value cannot fail a request that has saved."""
    target = request.POST.get("next", "")
    return target if is_local_path(request, target) else default


def query_int(request, name: str, default: int | None = None, *, minimum: int = -MAX_QUERY_INT,
              maximum: int = MAX_QUERY_INT) -> int | None:
    """The query-string integer ``name``, or ``default`` when it is absent, not plain ASCII digits,
    or outside ``minimum``..``maximum``."""
    raw = request.GET.get(name, "").strip()
    digits = raw[1:] if raw[:1] == "-" else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default
