from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import selectors, services, session_limits
from .forms import ProfileForm
from .outbox.headers import read_unsubscribe_token

UNSUBSCRIBE_LABELS = {"reminders": "meeting reminder emails", "nudges": "accountability nudges"}


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


@login_required
@require_POST
def sign_out_everywhere(request):
    ended = session_limits.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, f"You are signed out on every device ({ended} sign-in(s) ended).")
    return redirect(settings.LOGIN_URL)


@login_required
@require_safe
@never_cache
def invitations(request):
    pending = selectors.pending_invitations_for_user(user=request.user)
    return render(request, "mentorprogram/invitations.html", {"invitations": pending})


@login_required
@require_POST
def invitation_accept(request, pk: int):
    membership = selectors.get_invitation_for_user(user=request.user, pk=pk)
    if services.membership_accept(user=request.user, membership=membership):
        role = membership.get_role_display().lower()
        messages.success(request, f"You have joined {membership.program.name} as a {role}.")
    return redirect("dashboard:home")


@login_required
@require_POST
def invitation_decline(request, pk: int):
    membership = selectors.get_invitation_for_user(user=request.user, pk=pk)
    if services.membership_decline(user=request.user, membership=membership):
        messages.info(request, f"You declined the invitation to {membership.program.name}.")
    return redirect("invitations")


@csrf_exempt  # RFC 8058: the mail provider POSTs without cookies; the signed token is the credential
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """A List-Unsubscribe link. POST (a one-click mail client, or the button) turns the emails
    off; GET only asks, so that a link checker opening it changes nothing."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, topic = found
    context = {"what": UNSUBSCRIBE_LABELS[topic], "done": False}
    if request.method == "POST":
        if services.user_unsubscribe(user_id=user_id, topic=topic) is None:
            raise Http404("This account no longer exists.")
        context["done"] = True
    return render(request, "mentorprogram/unsubscribe.html", context)
