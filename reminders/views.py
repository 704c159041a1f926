"""The page behind the RSVP links in reminder emails. GET only shows what the link would
record (mail scanners follow links); the person's POST records it. The signed token is the
credential, so no sign-in is needed: a bad token is a 404, an expired one a 410 page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from community import services as community_services

from . import selectors, tokens


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request, token: str, answer: str):
    try:
        invitation = selectors.get_rsvp_invitation(token=token, answer=answer)
    except tokens.ExpiredToken as exc:
        meeting_url = reverse("community:meeting", args=[exc.meeting_id]) if exc.meeting_id else None
        return render(request, "reminders/rsvp_expired.html", {"meeting_url": meeting_url}, status=410)
    context = {"invitation": invitation, "meeting": invitation.meeting, "done": False, "error": None,
               "meeting_url": reverse("community:meeting", args=[invitation.meeting.pk]),
               "zone": invitation.user.time_zone}
    if request.method == "POST":
        try:
            community_services.rsvp_answer(meeting=invitation.meeting, user=invitation.user, answer=answer)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "reminders/rsvp.html", context, status=409)
        context["done"] = True
    return render(request, "reminders/rsvp.html", context)
