"""Views that exist only for `make bench` (mounted when BENCH_ENDPOINTS is set)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def bare(request):
    """The cheapest page Django can serve through our middleware: the benchmark's yardstick."""
    return HttpResponse(b"ok", content_type="text/plain")
