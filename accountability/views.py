from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from toolbox.csv_export import csv_response
from toolbox.params import query_int
from toolbox.periods import local_today

from . import coordinators, permissions, progress, selectors, services
from .forms import MenteeEditForm, MenteeForm, MenteeGoalForm, MenteeMeetingForm, PlanItemForm
from .models import Mentorship

# Mentors per page of the compliance table (furthest behind first; the CSV has every one).
COMPLIANCE_PAGE_SIZE = 100
private = never_cache  # plan and mentee pages are never kept by a browser or a proxy


def _apply(form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field when it names fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Overview -------------------------------------------------------------------------------

@login_required
@private
@require_safe
def home(request):
    programs = selectors.mentor_programs(user=request.user)
    plans = selectors.current_plans(user=request.user, programs=programs)
    sections = [
        {"program": p, "plan": plans.get(p.pk),
         "progress": progress.progress_for_mentor(user=request.user, program=p)}
        for p in programs
    ]
    coordinated = coordinators.coordinated_programs(user=request.user)
    return render(request, "accountability/home.html", {"sections": sections, "coordinated": coordinated})


# --- Plans ----------------------------------------------------------------------------------

@login_required
@require_POST
def plan_start(request):
    programs = {p.pk: p for p in selectors.mentor_programs(user=request.user)}
    try:
        program = programs[int(request.POST.get("program", ""))]
    except (KeyError, ValueError):
        raise Http404("No such program.") from None
    plan = services.plan_get_or_create(mentor=request.user, program=program)
    return redirect("accountability:plan_detail", pk=plan.pk)


@login_required
@private
@require_safe
def plan_detail(request, pk: int):
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    context = {"plan": plan, "can_edit": permissions.can_edit_plan(request.user, plan),
               "is_owner": plan.mentor_id == request.user.pk, **selectors.plan_detail(plan=plan)}
    return render(request, "accountability/plan_detail.html", context)


@login_required
@private
def plan_propose(request, pk: int):
    """The items the latest self-assessments suggest, as a checklist: nothing is added until the
    mentor (or a coordinator) ticks what to take and sends the form."""
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    if not permissions.can_edit_plan(request.user, plan):
        raise Http404("No such plan.")
    error = ""
    if request.method == "POST":
        keys = request.POST.getlist("proposal")
        if not keys:
            error = "Tick at least one item to add, or go back to the plan."
        else:
            added = services.plan_propose_from_baseline(plan=plan, by=request.user, keys=keys)
            if added:
                messages.success(request, ngettext(
                    "%(n)d item added to the plan. Edit, date or drop it as you see fit.",
                    "%(n)d items added to the plan. Edit, date or drop them as you see fit.", len(added),
                ) % {"n": len(added)})
            else:
                messages.info(request, "Nothing was added: the plan already holds what you ticked.")
            return redirect("accountability:plan_detail", pk=plan.pk)
    proposals = services.plan_proposals(plan=plan)
    return render(request, "accountability/propose.html", {
        "plan": plan, "proposals": proposals, "error": error, "is_owner": plan.mentor_id == request.user.pk,
        "chosen": set(request.POST.getlist("proposal")),
    }, status=400 if error else 200)


@login_required
@private
def item_add(request, pk: int):
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    form = PlanItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_add(plan=plan, by=request.user, **form.item_fields())
        except PermissionDenied:
            raise Http404("No such plan.") from None
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Item added to the plan.")
            return redirect("accountability:plan_detail", pk=plan.pk)
    return render(request, "accountability/item_form.html", {"form": form, "plan": plan, "item": None})


@login_required
@private
def item_edit(request, pk: int):
    item = selectors.get_item_for_user(user=request.user, pk=pk)
    form = PlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_update(item=item, by=request.user, version=form.cleaned_data["version"],
                                      **form.item_fields())
        except PermissionDenied:
            raise Http404("No such plan item.") from None
        except services.StaleEdit as error:
            form.add_error(None, error)
            item.refresh_from_db()
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Plan item saved.")
            return redirect("accountability:plan_detail", pk=item.plan_id)
    history = list(item.changes.select_related("changed_by"))
    return render(request, "accountability/item_form.html",
                  {"form": form, "plan": item.plan, "item": item, "history": history})


# --- Mentees --------------------------------------------------------------------------------

@login_required
@private
@require_safe
def mentee_list(request):
    programs = selectors.mentor_programs(user=request.user)
    return render(request, "accountability/mentee_list.html",
                  {"mentees": selectors.mentee_list(user=request.user), "programs": programs})


@login_required
@private
def mentee_add(request):
    programs = selectors.mentor_programs(user=request.user)
    if not programs:
        raise Http404("You are not a mentor in any program.")
    form = MenteeForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mentee = services.mentee_create(
                mentor=request.user, program=data["program"], name=data["name"], email=data["email"],
                department=data["department"], career_stage=data["career_stage"], started_on=data["started_on"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"{mentee.name} is on your list of mentees.")
            return redirect("accountability:mentee_detail", pk=mentee.pk)
    return render(request, "accountability/mentee_form.html", {"form": form, "mentee": None})


@login_required
@private
@require_safe
def mentee_detail(request, pk: int):
    mentee = selectors.get_mentee_for_user(user=request.user, pk=pk)
    context = {"mentee": mentee, "show_private": permissions.can_read_private_notes(request.user, mentee),
               "can_invite": permissions.can_invite_mentee(request.user, mentee),
               **selectors.mentee_detail(mentee=mentee)}
    return render(request, "accountability/mentee_detail.html", context)


@login_required
@private
def mentee_edit(request, pk: int):
    mentee = selectors.get_own_mentee(user=request.user, pk=pk)
    current = mentee.mentorships.exclude(status=Mentorship.Status.ENDED).first()
    initial = {"status": current.status if current else Mentorship.Status.ENDED}
    form = MenteeEditForm(request.POST or None, instance=mentee, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentee_update(by=request.user, mentee=mentee, name=data["name"], email=data["email"],
                                   department=data["department"], career_stage=data["career_stage"],
                                   status=data["status"], ended_on=data["ended_on"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Mentee record saved.")
            return redirect("accountability:mentee_detail", pk=mentee.pk)
    return render(request, "accountability/mentee_form.html", {"form": form, "mentee": mentee})


@dataclass(frozen=True)
class _Record:
    """A mentee meeting or goal, as its add and edit pages name and date it."""

    form_class: type
    noun: str
    date_field: str
    add_title: str


MEETING = _Record(MenteeMeetingForm, "meeting", "held_on", "Log a meeting")
GOAL = _Record(MenteeGoalForm, "goal", "set_on", "Set a goal")


def _record_form(request, *, record: _Record, instance, create, update):
    mentees = selectors.own_mentees(user=request.user)
    initial = {}
    if instance is None:
        initial[record.date_field] = local_today(request.user.time_zone)
        mentee = query_int(request, "mentee", minimum=1)
        if mentee is not None:
            initial["mentee"] = mentee
    form = record.form_class(request.POST or None, instance=instance, initial=initial, mentees=mentees)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = create(by=request.user, **data) if instance is None else update(by=request.user, **data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"{record.noun.capitalize()} saved.")
            return redirect("accountability:mentee_detail", pk=saved.mentee_id)
    return render(request, "accountability/record_form.html", {"form": form, "object": instance, "record": record})


@login_required
@private
def meeting_add(request):
    return _record_form(request, record=MEETING, instance=None, create=services.mentee_meeting_log, update=None)


@login_required
@private
def meeting_edit(request, pk: int):
    meeting = selectors.get_own_meeting(user=request.user, pk=pk)
    return _record_form(request, record=MEETING, instance=meeting, create=None,
                        update=lambda **kw: services.mentee_meeting_update(meeting=meeting, **kw))


@login_required
@private
def goal_add(request):
    return _record_form(request, record=GOAL, instance=None, create=services.mentee_goal_set, update=None)


@login_required
@private
def goal_edit(request, pk: int):
    goal = selectors.get_own_goal(user=request.user, pk=pk)
    return _record_form(request, record=GOAL, instance=goal, create=None,
                        update=lambda **kw: services.mentee_goal_update(goal=goal, **kw))


# --- Coordinators ---------------------------------------------------------------------------

@login_required
@private
@require_safe
def compliance(request, slug: str):
    program = coordinators.get_coordinated_program(user=request.user, slug=slug)
    behind_only = request.GET.get("show") == "behind"
    table = coordinators.compliance_table_page(program=program, number=request.GET.get("page"),
                                               per_page=COMPLIANCE_PAGE_SIZE, behind_only=behind_only)
    return render(request, "accountability/compliance.html", {
        "program": program, "requirements": table.requirements, "rows": table.page.object_list, "page": table.page,
        "mentor_count": table.mentor_count, "behind_count": table.behind_count, "behind_only": behind_only,
    })


@login_required
@require_safe
def compliance_csv(request, slug: str):
    program = coordinators.get_coordinated_program(user=request.user, slug=slug)
    requirements, rows = coordinators.compliance_export(program=program, viewer=request.user)
    # Numbers in the actual and target columns (empty when there is nothing to count, the status
    # says why), the unit in their headers, so that a spreadsheet can sort and sum them.
    header = ["Mentor", "Email", "Department", "Requirements behind"]
    for req in requirements:
        unit = f" ({req.unit})"
        header += [f"{req.get_metric_display()} — actual{unit}", f"target{unit}", "status"]
    body = (
        [str(r.mentor), r.mentor.email, r.department, r.behind]
        + [v for c in r.cells for v in ("" if c.actual is None else progress.number(c.actual), c.target_display,
                                        c.status_label)]
        for r in rows
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(f"{program.slug}-compliance-{stamp}.csv", header, body)



# --- From the table to a person --------------------------------------------------------------

def _person_context(request, slug: str, user_id: int) -> tuple:
    program = coordinators.get_program_for_person_summary(user=request.user, slug=slug)
    person = coordinators.get_person_in_program(program=program, user_id=user_id)
    return program, person


@login_required
@private
@require_safe
def person(request, slug: str, user_id: int):
    """One person of the program, for its coordinators: requirements, plan, training and the
    assessments they submitted — counts and dates, never mentee notes nor assessment answers."""
    from assessments import selectors as assessments
    from courses import selectors as courses
    from toolbox.periods import academic_year_of

    program, person = _person_context(request, slug, user_id)
    today = local_today(program.time_zone)
    year = academic_year_of(today, program.academic_year_start_month)
    transcript = courses.transcript_for(person=person, start_month=program.academic_year_start_month, year=year)
    return render(request, "accountability/person.html", {
        "program": program, "person": person,
        "summary": coordinators.person_summary(program=program, person=person, viewer=request.user, today=today),
        "transcript": transcript, "this_year": transcript.years[0] if transcript.years else None,
        "responses": assessments.submitted_list(person=person, program=program),
    })


@login_required
@private
@require_http_methods(["GET", "HEAD", "POST"])
def person_remind(request, slug: str, user_id: int):
    """GET shows the reminder exactly as it will be sent; POST sends it through the outbox."""
    from . import nudges

    program, person = _person_context(request, slug, user_id)
    if request.method == "POST":
        if nudges.coordinator_reminder_send(program=program, person=person, by=request.user):
            messages.success(request, f"A reminder is on its way to {person}.")
        else:
            preview = nudges.coordinator_reminder_preview(program=program, person=person, by=request.user)
            messages.warning(request, preview.blocked or "Nothing was sent.")
        return redirect("accountability:person", slug=program.slug, user_id=person.pk)
    preview = nudges.coordinator_reminder_preview(program=program, person=person, by=request.user)
    return render(request, "accountability/person_remind.html", {
        "program": program, "person": person, "preview": preview,
    })
