from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health, selectors, services
from .forms import ProfileForm


@require_GET
@never_cache
def healthz(request):
    """JSON, always: 200 when the database, the cache and the broker answer, else 503 naming the one
    that does not. ``HealthzMiddleware`` serves it before sessions and sign-in are looked at."""
    checks = {"database": health.database_ok(), "cache": health.cache_ok(), "broker": health.broker_ok()}
    status = 200 if all(ok for ok, _ in checks.values()) else 503
    return JsonResponse({name: state for name, (_, state) in checks.items()}, status=status)


@login_required
def program_detail(request, slug: str):
    program = selectors.get_program_for_user(user=request.user, slug=slug)
    return render(request, "mentorprogram/program_detail.html", {"program": program})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "mentorprogram/profile.html", {"form": form})
