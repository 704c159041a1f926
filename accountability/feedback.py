"""Mentees' feedback on their mentor: asked at the program's cadence, answered on the six
competencies of the skills inventory, and shown only in aggregate (issue "the evidence loop").

* **Asking.** A program's ``FeedbackSchedule`` names rounds (dates such as mid-year and year
  end) and, optionally, a number of logged meetings. ``feedback_requests_dispatch`` records one
  ``FeedbackRequest`` per mentee with an accepted invitation and per reason that has come due,
  with its email in the outbox in the same transaction; the unique (mentee, key) row and the
  outbox's (kind, dedupe key) make a second run record and send nothing.
* **Answering.** The answers are a submitted ``assessments.Response`` of the mentee-feedback
  instrument, so ``DomainScore`` scores them exactly as it scores a skills inventory, under the
  same stable domain keys. An optional comment is kept on the request, with the mentee's choice
  to share it with their mentor.
* **Privacy.** Figures rest on distinct mentees, each counted once (their latest answer). A
  mentor sees their figures only once at least the program's threshold of their mentees have
  answered, and shared comments only then, without names, in no telling order; coordinators see
  figures per program under the same threshold, and never which mentee said what.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import scoring
from assessments import services as assessment_services
from assessments.models import DomainScore, Instrument, InstrumentVersion, Response
from assessments.selectors import Structure, structures
from mentorprogram.models import OutboundEmail, Program, User
from mentorprogram.outbox import Composed, Skip, outbox_enqueue, outbox_queue
from toolbox.periods import local_today

from .models import FeedbackRequest, FeedbackRound, FeedbackSchedule, Mentee, Mentorship

ROUND_LOOKBACK_DAYS = 60
"""A round is asked for during this many days after it opens; a mentee who accepts later waits for the next."""


# --- Asking ---------------------------------------------------------------------------------

def _round_key(round_: FeedbackRound) -> str:
    return f"round:{round_.pk}"


def _meetings_key(n: int) -> str:
    return f"meetings:{n}"


def _dedupe_key(request: FeedbackRequest) -> str:
    return f"{request.mentee_id}:{request.key}"


def feedback_requests_due(*, program: Program, schedule: FeedbackSchedule, now: dt.datetime) -> list[FeedbackRequest]:
    """The requests now due in one program (not yet recorded ones included; the caller's insert
    skips those already there). Three queries whatever the number of mentees."""
    today = local_today(program.time_zone, now)
    rounds = [r for r in schedule.rounds.all()
              if r.opens_on <= today < r.opens_on + dt.timedelta(days=ROUND_LOOKBACK_DAYS)]
    mentees = list(
        Mentee.objects.filter(program=program, accepted_at__isnull=False, user__is_active=True,
                              mentorships__status=Mentorship.Status.ACTIVE)
        .annotate(n_meetings=Count("meetings", distinct=True)).select_related("user")
        .only("pk", "mentor_id", "program_id", "user_id", "user__email")
    )
    wanted = []
    for mentee in mentees:
        for round_ in rounds:
            wanted.append(FeedbackRequest(mentee=mentee, program=program, mentor_id=mentee.mentor_id,
                                          key=_round_key(round_), reason=round_.name, asked_at=now))
        n = schedule.after_meetings
        if n and mentee.n_meetings >= n:
            wanted.append(FeedbackRequest(mentee=mentee, program=program, mentor_id=mentee.mentor_id,
                                          key=_meetings_key(n), reason=f"After {n} meetings", asked_at=now))
    return wanted


def feedback_requests_dispatch(*, now: dt.datetime | None = None) -> list[int]:
    """Record the feedback requests now due and queue their emails (after commit). Returns the
    outbox ids queued: run twice, the second run records and queues nothing."""
    now = now or timezone.now()
    schedules = (FeedbackSchedule.objects.filter(is_active=True).select_related("program")
                 .prefetch_related("rounds"))
    queued: list[int] = []
    for schedule in schedules:
        wanted = feedback_requests_due(program=schedule.program, schedule=schedule, now=now)
        if not wanted:
            continue
        token = uuid.uuid4().hex
        with transaction.atomic():
            known = set(FeedbackRequest.objects.filter(program=schedule.program)
                        .values_list("mentee_id", "key"))
            new = [r for r in wanted if (r.mentee_id, r.key) not in known]
            emails = outbox_enqueue([
                OutboundEmail(kind=OutboundEmail.Kind.MENTEE_FEEDBACK, dedupe_key=_dedupe_key(r),
                              program=schedule.program, user_id=r.mentee.user_id, to_address=r.mentee.user.email,
                              context={"mentee": r.mentee_id, "key": r.key})
                for r in new
            ], now=now, dispatch_token=token)
            for request in new:
                request.email = emails[_dedupe_key(request)]
            FeedbackRequest.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
            queued += outbox_queue(dispatch_token=token)
    return queued


class FeedbackRequestComposer:
    """Builds each request's email when the outbox sends it; skips one already answered."""

    def prepare(self, emails: list[OutboundEmail], now: dt.datetime):
        by_email = {r.email_id: r for r in FeedbackRequest.objects.filter(email_id__in=[e.pk for e in emails])
                    .select_related("mentee__user", "mentor", "program")}

        def build(email: OutboundEmail) -> Composed:
            request = by_email.get(email.pk)
            if request is None:
                raise Skip("The request was removed.")
            if request.answered_at is not None:
                raise Skip("The mentee has already answered.")
            person = request.mentee.user
            if person is None or request.mentee.accepted_at is None:
                raise Skip("The mentee no longer takes part.")
            if not person.is_active:
                raise Skip("The account is deactivated.")
            return Composed(_request_message(request, person))
        return build


def _request_message(request: FeedbackRequest, person: User) -> EmailMultiAlternatives:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {"person": person, "mentor": request.mentor, "program": request.program, "request": request,
               "url": base + reverse("accountability:mentee_feedback", args=[request.pk])}
    template = "emails/mentee_feedback_request"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{template}.txt", context), to=[person.email])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


# --- Answering ------------------------------------------------------------------------------

def feedback_version(*, program: Program, now: dt.datetime | None = None) -> InstrumentVersion | None:
    """The mentee-feedback version the program uses: its own instrument's, else the shared one's."""
    now = now or timezone.now()
    versions = (InstrumentVersion.objects.filter(
        instrument__kind=Instrument.Kind.MENTEE_FEEDBACK, instrument__is_active=True, published_at__lte=now)
        .filter(Q(instrument__program=program) | Q(instrument__program__isnull=True))
        .select_related("instrument").order_by("-number"))
    found = list(versions)
    own = [v for v in found if v.instrument.program_id == program.pk]
    return (own or found or [None])[0]


def get_request_for_mentee(*, user: User, pk: int) -> FeedbackRequest:
    """One of the mentee's own requests; anyone else's (the mentor's, a coordinator's) is a 404."""
    request = (FeedbackRequest.objects.filter(pk=pk, mentee__user=user, mentee__accepted_at__isnull=False)
               .select_related("mentor", "program", "mentee").first())
    if request is None or not user.is_active:
        raise Http404("No such feedback request.")
    return request


def request_structure(request: FeedbackRequest) -> Structure | None:
    version = feedback_version(program=request.program)
    return None if version is None else structures([version.pk])[version.pk]


def feedback_submit(*, request: FeedbackRequest, answers: dict[int, scoring.AnswerValue], structure: Structure,
                    comment: str = "", share_with_mentor: bool = False,
                    now: dt.datetime | None = None) -> FeedbackRequest:
    """Answer a request once: the answers become a submitted response (scored by domain like a
    skills inventory), the comment stays on the request. Every required item must be answered
    (``assessments.services.IncompleteResponse``) or nothing is saved; a second answer is refused."""
    now = now or timezone.now()
    comment = comment.strip()
    if len(comment) > 5000:
        raise ValidationError({"comment": "Keep the comment under 5,000 characters."})
    version_id = structure.domains[0].version_id if structure.domains else None
    if version_id is None:
        raise ValidationError("The program has no feedback form yet.")
    version = InstrumentVersion.objects.get(pk=version_id)
    with transaction.atomic():
        locked = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
        if locked.answered_at is not None:
            raise ValidationError("You have already answered this request. Thank you.")
        # A draft that lives only inside this transaction: mentees answer in one go.
        response = Response.objects.create(user_id=request.mentee.user_id, program_id=request.program_id,
                                           instrument_id=version.instrument_id, version=version)
        assessment_services.response_submit(response=response, answers=answers, specs=structure.specs,
                                            items={i.pk: i for i in structure.items}, now=now)
        FeedbackRequest.objects.filter(pk=locked.pk).update(
            response=response, answered_at=now, comment=comment, share_with_mentor=share_with_mentor and bool(comment))
    request.answered_at, request.response = now, response
    request.comment, request.share_with_mentor = comment, share_with_mentor and bool(comment)
    return request


# --- Reading, in aggregate --------------------------------------------------------------------

@dataclass
class DomainFeedback:
    key: str
    name: str
    mean: float | None
    n: int


@dataclass
class FeedbackSummary:
    """Figures over distinct mentees (each once: their latest answer). ``shown`` is False, with
    every figure left out, under the threshold."""

    threshold: int
    n: int
    domains: list[DomainFeedback] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.n >= self.threshold

    @property
    def short_by(self) -> int:
        return max(0, self.threshold - self.n)


def _latest_answered(requests) -> QuerySet[FeedbackRequest]:
    """Of ``requests``, each mentee's latest answered one."""
    answered = requests.filter(answered_at__isnull=False, response__isnull=False)
    latest = answered.filter(mentee=OuterRef("mentee_id")).order_by("-answered_at", "-pk").values("pk")[:1]
    return answered.filter(pk=Subquery(latest))


SCORE_COLUMNS = ("domain__key", "domain__name", "domain__order", "score")


def _scores(rows) -> tuple[dict[int, dict[str, float]], dict[str, str], dict[int, int]]:
    """From (mentee, mentor, domain key, name, order, score) rows: per mentee their score per domain
    key; the domains' names in order; and per mentee their mentor."""
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    names: dict[str, tuple[int, str]] = {}
    mentor_of: dict[int, int] = {}
    for mentee_id, mentor_id, key, name, order, score in rows:
        scores[mentee_id][key] = score
        names.setdefault(key, (order, name))
        mentor_of[mentee_id] = mentor_id
    ordered = {k: n for k, (_, n) in sorted(names.items(), key=lambda kv: kv[1][0])}
    return scores, ordered, mentor_of


def _latest_scores(requests) -> tuple[dict[int, dict[str, float]], dict[str, str], dict[int, int]]:
    """``_scores`` of each mentee's latest answered request among ``requests``. One query."""
    return _scores(DomainScore.objects.filter(response__feedback_request__in=_latest_answered(requests),
                                              score__isnull=False)
                   .values_list("response__feedback_request__mentee_id", "response__feedback_request__mentor_id",
                                *SCORE_COLUMNS))


def _summarise(scores: dict[int, dict[str, float]], names: dict[str, str], threshold: int) -> FeedbackSummary:
    summary = FeedbackSummary(threshold=threshold, n=len(scores))
    if not summary.shown:
        return summary
    for key, name in names.items():
        values = [s[key] for s in scores.values() if key in s]
        mean = sum(values) / len(values) if len(values) >= threshold else None
        summary.domains.append(DomainFeedback(key=key, name=name, mean=mean, n=len(values)))
    return summary


def mentor_feedback(*, mentor: User, program: Program) -> FeedbackSummary:
    """What a mentor sees of their mentees' feedback in one program: nothing until at least the
    program's threshold of distinct mentees have answered; then the mean per domain and the
    comments their authors chose to share (sorted by their text, so their order tells nothing)."""
    requests = FeedbackRequest.objects.filter(program=program, mentor=mentor)
    scores, names, _ = _latest_scores(requests)
    summary = _summarise(scores, names, program.privacy_threshold)
    if summary.shown:
        summary.comments = sorted(requests.filter(answered_at__isnull=False, share_with_mentor=True)
                                  .exclude(comment="").values_list("comment", flat=True))
    return summary


def mentor_feedback_programs(*, mentor: User) -> list[tuple[Program, FeedbackSummary]]:
    """The mentor's summary in each program where their mentees were asked."""
    programs = Program.objects.filter(mentee_feedback_requests__mentor=mentor).distinct().order_by("name")
    return [(p, mentor_feedback(mentor=mentor, program=p)) for p in programs]


@dataclass
class ProgramFeedbackRow:
    key: str
    name: str
    mentee_mean: float | None
    mentees: int
    self_mean: float | None
    mentee_view_of_them: float | None
    mentors: int
    """Mentors with both their own latest skills inventory and feedback from a mentee."""
    pair_mentees: int = 0
    """The mentees behind ``mentee_view_of_them``."""

    @property
    def gap(self) -> float | None:
        if self.self_mean is None or self.mentee_view_of_them is None:
            return None
        return self.self_mean - self.mentee_view_of_them


def program_feedback(*, program: Program) -> list[ProgramFeedbackRow]:
    """For the report: per domain, the mean mentee rating over distinct mentees, and for mentors
    who have both, their own latest skills self-rating beside their mentees' view of them (the
    mean of their mentees' ratings). The caller applies the privacy threshold. One query: the
    scores of each mentee's latest answer, and of the skills inventories of their mentors."""
    latest = _latest_answered(FeedbackRequest.objects.filter(program=program))
    columns = ("side", "person", "mentor", *SCORE_COLUMNS, "at")
    mentees = (DomainScore.objects.filter(response__feedback_request__in=latest, score__isnull=False).order_by()
               .annotate(side=Value("mentee"), person=F("response__feedback_request__mentee_id"),
                         mentor=F("response__feedback_request__mentor_id"), at=F("response__submitted_at"))
               .values_list(*columns))
    mentors = (DomainScore.objects.filter(
        response__program=program, response__status=Response.Status.SUBMITTED,
        response__instrument__kind=Instrument.Kind.SKILLS, response__user_id__in=latest.values("mentor_id"),
        score__isnull=False).order_by()
        .annotate(side=Value("mentor"), person=F("response__user_id"), mentor=F("response__user_id"),
                  at=F("response__submitted_at"))
        .values_list(*columns))
    feedback_rows, own = [], defaultdict(dict)
    for side, person, mentor, key, name, order, score, submitted_at in mentees.union(mentors, all=True):
        if side == "mentee":
            feedback_rows.append((person, mentor, key, name, order, score))
        elif key not in own[person] or submitted_at > own[person][key][0]:
            own[person][key] = (submitted_at, score)
    scores, names, mentor_of = _scores(feedback_rows)
    if not scores:
        return []
    rows = []
    for key, name in names.items():
        values = [s[key] for s in scores.values() if key in s]
        by_mentor: dict[int, list[float]] = defaultdict(list)
        for mentee_id, s in scores.items():
            if key in s:
                by_mentor[mentor_of[mentee_id]].append(s[key])
        pairs = [(own[m][key][1], sum(v) / len(v), len(v)) for m, v in by_mentor.items() if key in own.get(m, {})]
        rows.append(ProgramFeedbackRow(
            key=key, name=name, mentee_mean=sum(values) / len(values) if values else None, mentees=len(values),
            self_mean=sum(p[0] for p in pairs) / len(pairs) if pairs else None,
            mentee_view_of_them=sum(p[1] for p in pairs) / len(pairs) if pairs else None, mentors=len(pairs),
            pair_mentees=sum(p[2] for p in pairs)))
    return rows
