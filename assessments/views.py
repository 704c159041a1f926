"""Pages for taking assessments and reading results. Thin: parse, check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentorprogram.models import Program
from toolbox import datetimes

from . import permissions, scoring, selectors, services
from .charts import results_chart
from .forms import ResponseForm


@login_required
@require_safe
def assessment_list(request):
    statuses = selectors.statuses_for_taker(user=request.user)
    return render(request, "assessments/list.html", {"statuses": statuses})


@login_required
@require_safe
def history(request):
    return render(request, "assessments/history.html", {"history": selectors.submitted_history(user=request.user)})


@login_required
@require_POST
def start(request, program_slug: str, instrument_id: int):
    program = Program.objects.filter(slug=program_slug, pk__in=permissions.taking_program_ids(request.user)).first()
    if program is None:
        raise Http404("You do not take assessments in this program.")
    version = selectors.current_version_for(program=program, instrument_id=instrument_id)
    response = services.response_start(user=request.user, program=program, version=version)
    return redirect("assessments:take", pk=response.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def take(request, pk: int):
    autosave = request.method == "POST" and request.POST.get("action") == AUTOSAVE
    try:
        response = selectors.get_draft_for_user(user=request.user, pk=pk)
    except selectors.AlreadySubmitted as done:
        if autosave:
            return JsonResponse({"saved": False, "error": "This response is already submitted."}, status=409)
        if request.method == "POST":
            return _already_submitted(request, done.response)
        return redirect("assessments:results", pk=pk)
    structure = selectors.structures([response.version_id])[response.version_id]
    saved = selectors.answers_by_response([response.pk])[response.pk]
    if autosave:
        return _autosave(request, response, structure, saved)
    if request.method != "POST":
        form = ResponseForm(structure=structure, answers=saved)
        return _render_take(request, response, form, saved)

    form = ResponseForm(request.POST, structure=structure, answers=saved)
    if form.is_tampered():
        return _render_take(request, response, form, saved, status=400, tampered=True)
    if not form.is_valid():
        return _render_take(request, response, form, saved)
    answers = form.answers()
    submitting = request.POST.get("action") == "submit"
    try:
        if submitting:
            services.response_submit(response=response, answers=answers, specs=structure.specs, items=form.items)
        else:
            services.response_save_draft(response=response, answers=answers, items=form.items)
    except services.IncompleteResponse as incomplete:
        form.mark_missing(incomplete.missing, answers)
        return _render_take(request, response, form, answers, submitted_incomplete=True)
    except services.InvalidAnswers:
        return _render_take(request, response, form, saved, status=400, tampered=True)
    except services.NotADraft:
        return _already_submitted(request, response)
    if submitting:
        messages.success(request, f"Thank you: your {response.instrument.name} is submitted.")
        return redirect("assessments:results", pk=response.pk)
    messages.success(request, "Your answers are saved as a draft. Come back any time to finish.")
    return redirect("assessments:take", pk=response.pk)


AUTOSAVE = "autosave"


def _autosave(request, response, structure, saved):
    """The page's script saves the draft as the person answers: the same rules as Save draft,
    answered in JSON, so a slip of the network loses nothing the next save will not carry."""
    form = ResponseForm(request.POST, structure=structure, answers=saved)
    if form.is_tampered() or not form.is_valid():
        return JsonResponse({"saved": False, "error": "Some answers could not be saved; press Save draft."},
                            status=400)
    answers = form.answers()
    try:
        services.response_save_draft(response=response, answers=answers, items=form.items)
    except services.InvalidAnswers:
        return JsonResponse({"saved": False, "error": "Some answers could not be saved; press Save draft."},
                            status=400)
    except services.NotADraft:
        return JsonResponse({"saved": False, "error": "This response is already submitted."}, status=409)
    answered, total = scoring.progress(structure.specs, answers)
    return JsonResponse({"saved": True, "answered": answered, "total": total,
                         "at": datetimes.format_time(timezone.now())})


def _render_take(request, response, form, answers, *, status=200, tampered=False, submitted_incomplete=False):
    answered, total = scoring.progress(form.structure.specs, answers)
    context = {
        "response": response,
        "form": form,
        "sections": form.sections(),
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
        "tampered": tampered,
        "submitted_incomplete": submitted_incomplete,
        "error_count": len(form.errors),
    }
    return render(request, "assessments/take.html", context, status=status)


def _already_submitted(request, response):
    return render(request, "assessments/already_submitted.html", {"response": response}, status=400)


@login_required
@require_safe
def results(request, pk: int):
    response = selectors.get_response_for_user(user=request.user, pk=pk)
    data = selectors.response_results(response=response)
    context = {
        "response": response,
        "results": data,
        "is_author": response.user_id == request.user.pk,
        "chart": results_chart(data),
    }
    return render(request, "assessments/results.html", context)
