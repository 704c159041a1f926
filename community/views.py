"""Community pages. Each view parses, checks permission through a selector, calls a service
or selector and renders or redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from toolbox import datetimes
from toolbox.params import next_url, query_int

from . import calendar, permissions, selectors, services
from .forms import ChallengeForm, MemberSearchForm, RsvpForm


@login_required
@require_safe
def index(request):
    communities = selectors.communities_for_user(user=request.user, now=timezone.now())
    return render(request, "community/index.html", {"communities": communities})


@login_required
@require_safe
def detail(request, slug: str):
    program = selectors.get_program_for_user(user=request.user, slug=slug)
    context = selectors.community_page(program=program, user=request.user, now=timezone.now())
    return render(request, "community/detail.html", context)


@login_required
@require_safe
def members(request, slug: str):
    """The community's member directory: its active mentors by name, a page at a time, searchable."""
    program = selectors.get_program_for_user(user=request.user, slug=slug)
    form = MemberSearchForm(request.GET)
    search = form.search()
    page = selectors.member_page(program=program, search=search,
                                 number=query_int(request, "page", 1, minimum=1, maximum=1_000_000))
    return render(request, "community/members.html",
                  {"program": program, "form": form, "search": search, "member_page": page})


@login_required
@require_safe
def meeting(request, pk: int):
    obj = selectors.get_meeting_for_user(user=request.user, pk=pk)
    context = selectors.meeting_page(meeting=obj, user=request.user, now=timezone.now())
    context["rsvp_form"] = RsvpForm(initial={"answer": context["my_rsvp"]})
    return render(request, "community/meeting.html", context)


@login_required
@require_POST
def meeting_rsvp(request, pk: int):
    obj = selectors.get_meeting_for_user(user=request.user, pk=pk)
    if not permissions.may_take_part(request.user, obj.series.program_id):
        raise Http404("No such meeting.")
    default = reverse("community:meeting", args=[obj.pk])
    then = next_url(request, default)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose yes, no or maybe.")
        return redirect(default)
    try:
        rsvp = services.rsvp_answer(meeting=obj, user=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(default)
    messages.success(request, f"Your answer for the meeting of {datetimes.format_date(obj.starts_at)} is saved: "
                              f"{rsvp.get_answer_display().lower()}.")
    return redirect(then)


@login_required
@require_safe
def meeting_ics(request, pk: int):
    obj = selectors.get_meeting_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("community:meeting", args=[obj.pk]))
    body = calendar.meeting_calendar(obj, agenda=selectors.agenda(obj), url=url, user=request.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{obj.starts_at:%Y-%m-%d}.ics"'
    return response


@login_required
def challenges(request, slug: str):
    program = selectors.get_program_for_user(user=request.user, slug=slug)
    may_submit = permissions.may_take_part(request.user, program.pk)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST":
        if not may_submit:
            raise Http404("No such community.")
        if form.is_valid():
            services.challenge_submit(program=program, author=request.user, **form.cleaned_data)
            messages.success(request, "Thank you: your challenge is sent for the next meeting. The coordinators "
                                      "will see it when they set the agenda.")
            return redirect("community:challenges", slug=program.slug)
    context = {
        "program": program,
        "form": form,
        "may_submit": may_submit,
        "next_meeting": services.next_meeting(program, timezone.now()),
        "own": selectors.own_challenges(user=request.user, program=program),
        "open": selectors.open_challenges(program=program, user=request.user),
    }
    return render(request, "community/challenges.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def agreements(request, slug: str):
    program = selectors.get_program_for_user(user=request.user, slug=slug)
    context = selectors.agreement_page(program=program, user=request.user, now=timezone.now())
    return render(request, "community/agreements.html", context)


@login_required
@require_POST
def agreement_acknowledge(request, pk: int):
    agreement = selectors.get_agreement_for_user(user=request.user, pk=pk)
    current = selectors.current_agreement(program=agreement.program)
    page = reverse("community:agreements", args=[agreement.program.slug])
    then = next_url(request, page)
    if current is None or current.pk != agreement.pk:
        messages.error(request, "A newer version of the agreements has been published; please read it first.")
        return redirect(page)
    services.agreement_acknowledge(agreement=agreement, user=request.user)
    messages.success(request, f"You acknowledged version {agreement.version} of the process agreements.")
    return redirect(then)


@require_safe
@never_cache
def feed(request, token: str):
    """The private subscription feed. The token is the credential; no session is needed."""
    user = selectors.get_feed_user(token=token)
    meetings = selectors.feed_meetings(user=user)
    body = calendar.feed_calendar(
        meetings, url_for=lambda m: request.build_absolute_uri(reverse("community:meeting", args=[m.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@login_required
@require_POST
def feed_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(request, "Your calendar link is ready. Any earlier link no longer works.")
    return redirect("profile")


@login_required
@require_POST
def feed_revoke(request):
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, "Your calendar link is turned off.")
    return redirect("profile")
