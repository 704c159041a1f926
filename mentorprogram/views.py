from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import selectors, services, session_limits
from .forms import EraseAccountForm, PasswordFromKeyForm, ProfileForm
from .outbox.headers import read_unsubscribe_token
from .privacy import erasure, export
from .sso import password_refusal

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
    return render(request, "mentorprogram/profile.html", {
        "form": form, "may_erase_self": erasure.person_may_erase_self(person=request.user),
    })


@login_required
@require_POST
def data_export_request(request):
    _export, asked = export.data_export_request(person=request.user)
    if asked:
        messages.success(request, "We are putting your data together. An email with a download link follows in a "
                                  "few minutes.")
    else:
        messages.info(request, "Your copy is already being made. An email with a download link follows shortly.")
    return redirect("profile")


@login_required
@require_safe
@never_cache
def data_export_download(request, token: str):
    """The emailed link: the signed token names the copy and its person, who must be the one signed in."""
    try:
        found = export.export_for_download(token=token, user=request.user)
    except export.LinkExpired:
        return render(request, "mentorprogram/data_export_expired.html", status=410)
    if found is None:
        raise Http404("This link is not valid.")
    response = HttpResponse(bytes(found.content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{found.ready_at:%Y-%m-%d}.zip"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def erase_account(request):
    """A person erases their own account, where every program of theirs allows it."""
    allowed = erasure.person_may_erase_self(person=request.user)
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied("Your program does not let people erase their own accounts.")
        if form.is_valid():
            erasure.person_erase(person=request.user, by=request.user)
            logout(request)
            messages.success(request, "Your account and your data are erased. Thank you for taking part.")
            return redirect(settings.LOGIN_URL)
    return render(request, "mentorprogram/erase_account.html", {"form": form, "allowed": allowed})


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


@login_required
@require_POST
def invitation_resend(request, pk: int):
    """A coordinator sends an unanswered invitation of their program again, through the outbox.
    A double click within the minute sends it once."""
    from django.utils import timezone

    from .onboarding import invitation_send

    membership = selectors.get_unanswered_invitation(user=request.user, pk=pk)
    requested_at = timezone.now().replace(second=0, microsecond=0)
    if invitation_send(membership_id=membership.pk, base_url=request.build_absolute_uri("/").rstrip("/"),
                       requested_at=requested_at):
        messages.success(request, f"The invitation to {membership.user} is on its way again.")
    else:
        messages.info(request, f"The invitation to {membership.user} was already sent a moment ago.")
    return redirect("dashboard:home")


WELCOME_SESSION_KEY = "_invitation_welcome_key"
WELCOME_SET = "set"  # the key's place in the URL once it is kept in the session


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_welcome(request, uidb36: str, key: str):
    """The invitation link: a page in the program's name that sets the password, signs the person
    in and sends them to their first steps. As allauth does for a reset, the key moves from the
    URL into the session at once, so that it never leaks through a Referer or the history."""
    from allauth.account.internal.flows.login import perform_login, record_authentication
    from allauth.account.models import Login
    from allauth.core import ratelimit
    from django.urls import reverse

    from .onboarding import invitation_user_for_key, invitation_welcome_memberships

    if key != WELCOME_SET:
        request.session[WELCOME_SESSION_KEY] = key
        return redirect("invitation_welcome", uidb36=uidb36, key=WELCOME_SET)
    # The reset form's limit, on every request: a GET already tells a good key from a bad one.
    limited = ratelimit.consume_or_429(request, action="reset_password_from_key", limit_get=True)
    if limited:
        return limited
    key = request.session.get(WELCOME_SESSION_KEY, "")
    person = invitation_user_for_key(uidb36=uidb36, key=key)
    if person is None:
        return render(request, "mentorprogram/invitation_welcome.html", {"bad_link": True})
    memberships = invitation_welcome_memberships(user=person)
    form = PasswordFromKeyForm(request.POST or None, user=person, temp_key=key)
    if request.method == "POST" and form.is_valid():
        form.save()  # the account adapter accepts the invitations with the password
        request.session.pop(WELCOME_SESSION_KEY, None)
        if person.is_staff:  # staff sign in themselves, with every check the sign-in page makes
            messages.success(request, "Your password is set. Sign in to continue.")
            return redirect("account_login")
        record_authentication(request, person, method="password_reset", email=person.email)
        login = Login(user=person, email=person.email, redirect_url=reverse("dashboard:first_steps"))
        return perform_login(request, login)
    return render(request, "mentorprogram/invitation_welcome.html", {
        "person": person, "form": form, "memberships": memberships,
        "program": memberships[0].program if memberships else None,
        "passwords_off": password_refusal(request, person.email) is not None,
    })
