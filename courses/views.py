"""Catalog, course, completion, transcript, reading and quick-guide pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from toolbox.markdown import render_markdown
from toolbox.params import query_int
from toolbox.periods import academic_year_label

from . import calendar, exports, selectors, services
from .forms import CatalogFilterForm, CompletionCorrectionForm, CompletionForm
from .models import Completion

CATALOG_PAGE_SIZE = 25


@login_required
@require_safe
def catalog(request):
    themes = list(selectors.themes())
    form = CatalogFilterForm(request.GET, themes=themes)
    courses = selectors.catalog_for_user(user=request.user, **form.filters())
    page = Paginator(courses, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = selectors.status_by_course(user=request.user)
    for course in page:
        status = statuses.get(course.pk)
        course.my_status = course.status_label(status) if status else ""
    filtering = any(form.filters().values())
    return render(request, "courses/catalog.html", {"form": form, "page": page, "filtering": filtering})


def _blank_form(course, current: Completion | None) -> CompletionForm | None:
    """The form moves this year's record forward; once it is completed there is nothing to add."""
    if current is not None and not current.is_open:
        return None
    return CompletionForm(course=course, current=current, initial={
        "status": current.status if current else Completion.Status.PLANNED,
        "completed_on": timezone.localdate(),
        "credit_hours": course.cme_credit_hours,
    })


def _render_course(request, course, form: CompletionForm | None = None):
    upcoming, past = selectors.course_sessions(course=course)
    records = list(selectors.completions_of(user=request.user, course=course))
    current = selectors.record_this_year(user=request.user, records=records)
    return render(request, "courses/course_detail.html", {
        "course": course, "upcoming_sessions": upcoming, "past_sessions": past, "records": records,
        "current": current, "form": form or _blank_form(course, current),
        "domains": list(course.domains.all()), "themes": list(course.themes.all()),
    })


@login_required
@require_safe
def course_detail(request, pk: int):
    return _render_course(request, selectors.get_course_for_user(user=request.user, pk=pk))


@login_required
@require_safe
def session_ics(request, pk: int):
    session = selectors.get_session_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(session.course.get_absolute_url())
    response = HttpResponse(calendar.session_calendar(session, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@login_required
@require_POST
def completion_save(request, pk: int):
    course = selectors.get_course_for_user(user=request.user, pk=pk)
    form = CompletionForm(request.POST, course=course)  # the service refuses a step back
    if form.is_valid():
        try:
            completion = services.completion_record(user=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{course.title}” is recorded as {completion.status_label.lower()}.")
            return redirect(course.get_absolute_url())
    return _render_course(request, course, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def completion_edit(request, pk: int):
    completion = selectors.completions_of(user=request.user).filter(pk=pk, status=Completion.Status.COMPLETED).first()
    if completion is None or completion.is_verified:
        raise Http404("No such record to correct.")
    form = CompletionCorrectionForm(request.POST or None, course=completion.course, initial={
        "completed_on": completion.completed_on, "credit_hours": completion.credit_hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.completion_correct(user=request.user, completion=completion, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your record of “{completion.course.title}” is corrected.")
            return redirect(completion.course.get_absolute_url())
    return render(request, "courses/completion_edit.html", {"form": form, "completion": completion})


@login_required
@require_POST
def completion_delete(request, pk: int):
    completion = selectors.completions_of(user=request.user).filter(pk=pk).first()
    if completion is None:
        raise Http404("No such record.")
    try:
        services.completion_remove(user=request.user, completion=completion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Your record of “{completion.course.title}” is removed.")
    return redirect(completion.course.get_absolute_url())


def _year_param(request) -> int | None:
    return query_int(request, "year", minimum=1900, maximum=2200)


def _transcript(request, user_id: int | None):
    person = selectors.get_person_for_viewer(viewer=request.user, user_id=user_id or request.user.pk)
    start_month = selectors.academic_start_month_for(person=person, viewer=request.user)
    year = _year_param(request)
    return selectors.transcript_for(person=person, start_month=start_month, year=year)


@login_required
@require_safe
def transcript(request, user_id: int | None = None):
    data = _transcript(request, user_id)
    return render(request, "courses/transcript.html", {
        "transcript": data, "is_own": data.person.pk == request.user.pk,
        "year_label": academic_year_label(data.year, data.start_month) if data.year else "",
    })


@login_required
@require_safe
def transcript_print(request, user_id: int):
    data = _transcript(request, user_id)
    return render(request, "courses/transcript_print.html", {
        "transcript": data, "printed_at": timezone.now(),
        "year_label": academic_year_label(data.year, data.start_month) if data.year else "",
    })


@login_required
@require_safe
def transcript_csv(request, user_id: int):
    return exports.transcript_csv_response(_transcript(request, user_id))


@login_required
@require_safe
def readings(request):
    topic = request.GET.get("topic", "")
    return render(request, "courses/readings.html", {
        "readings": selectors.readings_for_user(user=request.user, topic=topic),
        "themes": list(selectors.themes()), "topic": topic,
    })


@login_required
@require_safe
def quick_guides(request):
    return render(request, "courses/quick_guides.html", {"guides": selectors.quick_guides_for_user(user=request.user)})


@login_required
@require_safe
def quick_guide_detail(request, pk: int):
    guide = selectors.get_quick_guide_for_user(user=request.user, pk=pk)
    return render(request, "courses/quick_guide_detail.html", {"guide": guide, "body": render_markdown(guide.body)})
