"""Accountability: plans, mentee records and the coordinators' compliance table."""

from __future__ import annotations

import datetime as dt

from accountability.models import Mentee, ReportingRequirement
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    FeedbackRequestFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
    ReportingRequirementFactory,
)

from . import COORDINATORS, MENTEE_ONLY, OWNER_ONLY, PRIVATE, SIGNED_IN, SIGNED_IN_NOT_ALLOWED, Route, builder, expect

NOTE = "Private note: mentee is considering leaving academic medicine."
GOAL = "Private goal: negotiate protected research time"


@builder
def accountability_objects(w):
    # Names carry their app so they do not collide with other apps' objects (a community meeting).
    owner = w.people["owner"]
    ReportingRequirementFactory(program=w.program, metric=ReportingRequirement.Metric.MENTEE_MEETINGS)
    w.objects.mentee = MenteeFactory(program=w.program, mentor=owner, name="Dr. Mentee Owned")
    w.objects.mentee_meeting = MenteeMeetingFactory(mentee=w.mentee, held_on=dt.date(2025, 9, 1), notes=NOTE)
    w.objects.mentee_goal = MenteeGoalFactory(mentee=w.mentee, text=GOAL, notes=NOTE)
    w.objects.accountability_plan = AccountabilityPlanFactory(program=w.program, mentor=owner)
    w.objects.plan_item = PlanItemFactory(plan=w.accountability_plan, title="Finish the mentor training course")
    # The owner's mentee takes part (accepted), and has one more invitation of the owner's waiting;
    # the other mentor's mentee takes part too.
    make_mentee_person_for(w.mentee, w.people["mentee"])
    w.objects.mentee_invitation = MenteeFactory(program=w.program, mentor=owner, name="Dr. Mentee Invited")
    make_mentee_person_for(w.mentee_invitation, w.people["mentee"], accepted=False)
    w.objects.other_mentee_record = MenteeFactory(program=w.program, mentor=w.people["other_mentor"])
    make_mentee_person_for(w.other_mentee_record, w.people["other_mentee"])
    w.objects.feedback_request = FeedbackRequestFactory(mentee=w.mentee)


def make_mentee_person_for(mentee, person, *, accepted: bool = True) -> None:
    from django.utils import timezone

    now = timezone.now()
    Mentee.objects.filter(pk=mentee.pk).update(user=person, invited_at=now, accepted_at=now if accepted else None)
    mentee.refresh_from_db()


def feedback_data(w):
    from accountability import feedback

    structure = feedback.request_structure(w.feedback_request)
    return {f"item_{item.pk}": "5" for item in structure.items} | {"comment": "Thank you", "share_with_mentor": "on"}


# Signed-in pages that list only the visitor's own things.
MINE = SIGNED_IN
# A POST that succeeds redirects; a refused one is a 404.
POST_PRIVATE = expect(owner=302, coordinator=302)
POST_OWNER_ONLY = expect(owner=302, coordinator=404)


def meeting_data(w):
    return {"mentee": w.mentee.pk, "held_on": "2025-10-01", "duration_minutes": "30", "mode": "video",
            "notes": "ok"}


def goal_data(w):
    return {"mentee": w.mentee.pk, "text": "Write the paper", "set_on": "2025-10-01", "status": "open"}


def item_data(w):
    return {"title": "Read the chapter", "kind": "reading", "status": "planned", "version": w.plan_item.version}


ROUTES = [
    Route("accountability:home", get=MINE, post=SIGNED_IN_NOT_ALLOWED),
    # Starting a plan: only in a program where one is a mentor; others get a 404.
    Route("accountability:plan_start", get=SIGNED_IN_NOT_ALLOWED,
          post=expect(owner=302, other_mentor=302, coordinator=404),
          post_data=lambda w: {"program": w.program.pk}),
    Route("accountability:plan_detail", kwargs=lambda w: {"pk": w.accountability_plan.pk}, get=PRIVATE,
          post=SIGNED_IN_NOT_ALLOWED,
          secret=lambda w: w.plan_item.title),
    Route("accountability:plan_propose", kwargs=lambda w: {"pk": w.accountability_plan.pk},
          get=PRIVATE, post=POST_PRIVATE, post_data=lambda w: {"proposal": ["domain:none"]}),
    Route("accountability:item_add", kwargs=lambda w: {"pk": w.accountability_plan.pk}, get=PRIVATE, post=POST_PRIVATE,
          post_data=item_data),
    Route("accountability:item_edit", kwargs=lambda w: {"pk": w.plan_item.pk}, get=PRIVATE, post=POST_PRIVATE,
          post_data=item_data, secret=lambda w: w.plan_item.title),
    Route("accountability:mentee_list", get=MINE, post=SIGNED_IN_NOT_ALLOWED),
    # Adding a mentee is for mentors; the owner is one, the coordinator of the program is not.
    Route("accountability:mentee_add", get=expect(other_mentor=200, coordinator=404),
          post=expect(other_mentor=200, coordinator=404)),
    Route("accountability:mentee_detail", kwargs=lambda w: {"pk": w.mentee.pk}, get=PRIVATE,
          post=SIGNED_IN_NOT_ALLOWED,
          secret=lambda w: NOTE),
    Route("accountability:mentee_edit", kwargs=lambda w: {"pk": w.mentee.pk}, get=OWNER_ONLY,
          post=POST_OWNER_ONLY, post_data=lambda w: {"name": "Renamed", "status": "active"},
          secret=lambda w: w.mentee.email or NOTE),
    # The add forms answer everyone signed in, but offer only the visitor's own mentees.
    Route("accountability:meeting_add", get=MINE,
          post=expect(owner=302, other_mentor=200, coordinator=200, other_coordinator=200, staff=200),
          post_data=meeting_data),
    Route("accountability:meeting_edit", kwargs=lambda w: {"pk": w.mentee_meeting.pk}, get=OWNER_ONLY,
          post=POST_OWNER_ONLY, post_data=meeting_data, secret=lambda w: NOTE),
    Route("accountability:goal_add", get=MINE,
          post=expect(owner=302, other_mentor=200, coordinator=200, other_coordinator=200, staff=200),
          post_data=goal_data),
    Route("accountability:goal_edit", kwargs=lambda w: {"pk": w.mentee_goal.pk}, get=OWNER_ONLY,
          post=POST_OWNER_ONLY, post_data=goal_data, secret=lambda w: GOAL),
    Route("accountability:compliance", kwargs=lambda w: {"slug": w.program.slug}, get=COORDINATORS,
          post=SIGNED_IN_NOT_ALLOWED),
    Route("accountability:compliance_csv", kwargs=lambda w: {"slug": w.program.slug}, get=COORDINATORS,
          post=SIGNED_IN_NOT_ALLOWED),
    # A person's summary and the reminder sent from it: coordinators of the person's program only.
    Route("accountability:person", kwargs=lambda w: {"slug": w.program.slug, "user_id": w.people["owner"].pk},
          get=COORDINATORS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.plan_item.title),
    Route("accountability:person_remind",
          kwargs=lambda w: {"slug": w.program.slug, "user_id": w.people["owner"].pk},
          get=COORDINATORS, post=expect(owner=404, coordinator=302)),
    # Inviting a mentee to take part: their mentor or the program's coordinators.
    Route("accountability:mentee_invite", kwargs=lambda w: {"pk": w.mentee.pk}, get=SIGNED_IN_NOT_ALLOWED,
          post=POST_PRIVATE),
    # The mentor's own feedback page: everyone signed in sees their own (nothing, for most).
    Route("accountability:my_feedback", get=MINE, post=SIGNED_IN_NOT_ALLOWED),
    # The mentee's own pages: their home lists only their own records; the rest is theirs alone,
    # refused to their mentor, the coordinators and the other mentor's mentee alike.
    Route("accountability:mentee_home", get=MINE, post=SIGNED_IN_NOT_ALLOWED),
    Route("accountability:mentee_invitation_accept", kwargs=lambda w: {"pk": w.mentee_invitation.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=expect(owner=404, coordinator=404, mentee=302)),
    Route("accountability:mentee_invitation_decline", kwargs=lambda w: {"pk": w.mentee_invitation.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=expect(owner=404, coordinator=404, mentee=302)),
    Route("accountability:mentee_own_goal_add", kwargs=lambda w: {"pk": w.mentee.pk}, get=SIGNED_IN_NOT_ALLOWED,
          post=expect(owner=404, coordinator=404, mentee=302), post_data=lambda w: {"text": "Finish the chapter"}),
    Route("accountability:mentee_goal_progress", kwargs=lambda w: {"pk": w.mentee_goal.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=expect(owner=404, coordinator=404, mentee=302),
          post_data=lambda w: {"status": "achieved"}),
    Route("accountability:mentee_feedback", kwargs=lambda w: {"pk": w.feedback_request.pk}, get=MENTEE_ONLY,
          post=expect(owner=404, coordinator=404, mentee=302), post_data=feedback_data),
]
