"""The mentee's own pages, the mentor's invitation button and the mentor's feedback page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments import services as assessment_services

from . import feedback, mentees, selectors
from .forms_mentee import FeedbackForm, GoalProgressForm, OwnGoalForm


@login_required
@never_cache
@require_safe
def mentee_home(request):
    """"My mentoring": the mentee's mentorships, meetings, goals and feedback asked of them."""
    context = mentees.mentee_home(user=request.user)
    return render(request, "accountability/mentee_home.html", {
        **context, "goal_form": OwnGoalForm(), "statuses": GoalProgressForm.base_fields["status"].choices,
    })


@login_required
@require_POST
def mentee_invitation_accept(request, pk: int):
    mentee = mentees.mentee_invitation_accept(user=request.user, pk=pk)
    messages.success(request, f"Welcome: this is your page for your mentoring with {mentee.mentor}.")
    return redirect("accountability:mentee_home")


@login_required
@require_POST
def mentee_invitation_decline(request, pk: int):
    mentee = mentees.mentee_invitation_decline(user=request.user, pk=pk)
    messages.info(request, f"You declined the invitation from {mentee.mentor}; nothing of your account is shared.")
    return redirect("accountability:mentee_home")


@login_required
@require_POST
def mentee_own_goal_add(request, pk: int):
    mentee = mentees.get_own_record(user=request.user, pk=pk)
    form = OwnGoalForm(request.POST)
    if form.is_valid():
        try:
            mentees.mentee_goal_add(user=request.user, mentee=mentee, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    if form.errors:
        context = mentees.mentee_home(user=request.user)
        return render(request, "accountability/mentee_home.html", {
            **context, "goal_form": form, "goal_form_for": mentee.pk,
            "statuses": GoalProgressForm.base_fields["status"].choices,
        }, status=400)
    messages.success(request, "Your goal is added; your mentor sees it too.")
    return redirect("accountability:mentee_home")


@login_required
@require_POST
def mentee_goal_progress(request, pk: int):
    goal = mentees.get_own_goal_as_mentee(user=request.user, pk=pk)
    form = GoalProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose in progress, achieved or set aside.")
        return redirect("accountability:mentee_home")
    mentees.mentee_goal_progress(user=request.user, goal=goal, status=form.cleaned_data["status"])
    messages.success(request, "Progress saved.")
    return redirect("accountability:mentee_home")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mentee_feedback(request, pk: int):
    """The feedback form of one request, answered once."""
    fb_request = feedback.get_request_for_mentee(user=request.user, pk=pk)
    if fb_request.answered_at is not None:
        return render(request, "accountability/mentee_feedback.html", {"fb_request": fb_request, "done": True})
    structure = feedback.request_structure(fb_request)
    if structure is None:
        return render(request, "accountability/mentee_feedback.html", {"fb_request": fb_request, "no_form": True})
    threshold = fb_request.program.privacy_threshold
    form = FeedbackForm(request.POST or None, structure=structure, answers={}, threshold=threshold)
    if request.method == "POST":
        if form.is_tampered():
            return render(request, "accountability/mentee_feedback.html",
                          {"fb_request": fb_request, "form": form, "tampered": True}, status=400)
        if form.is_valid():
            answers = form.answers()
            try:
                feedback.feedback_submit(request=fb_request, answers=answers, structure=structure,
                                         comment=form.cleaned_data["comment"],
                                         share_with_mentor=form.cleaned_data["share_with_mentor"])
            except assessment_services.IncompleteResponse as incomplete:
                form.mark_missing(incomplete.missing, answers)
            except assessment_services.InvalidAnswers:
                return render(request, "accountability/mentee_feedback.html",
                              {"fb_request": fb_request, "form": form, "tampered": True}, status=400)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Thank you: your feedback is in.")
                return redirect("accountability:mentee_home")
    return render(request, "accountability/mentee_feedback.html", {"fb_request": fb_request, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def mentee_invite(request, pk: int):
    """The mentor, or a coordinator of the program, invites the mentee by email (outbox)."""
    mentee = selectors.get_mentee_for_user(user=request.user, pk=pk)
    try:
        sent = mentees.mentee_invite(by=request.user, mentee=mentee,
                                     base_url=request.build_absolute_uri("/").rstrip("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(request, f"The invitation to {mentee.name} is on its way to {mentee.email}.")
        else:
            messages.info(request, f"The invitation to {mentee.name} was sent a moment ago.")
    return redirect("accountability:mentee_detail", pk=mentee.pk)


@login_required
@never_cache
@require_safe
def my_feedback(request):
    """What the mentor's mentees said, in aggregate, per program."""
    summaries = feedback.mentor_feedback_programs(mentor=request.user)
    return render(request, "accountability/my_feedback.html", {"summaries": summaries})
