"""Courses: the catalog and reading material are for signed-in people (a program's own items
for its members), completions and transcripts for their person and the program's coordinators."""

from __future__ import annotations

from decimal import Decimal

from . import OWNER_ONLY, PRIVATE, PROGRAM_MEMBERS, SIGNED_IN, SIGNED_IN_NOT_ALLOWED, Route, builder, expect

RECORDED = expect(owner=302, other_mentor=302, coordinator=302)
"""Saving a record redirects to the course; outsiders to the program's course get a 404."""


@builder
def courses(w) -> None:
    from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory, QuickGuideFactory

    w.objects.course = CourseFactory(program=w.program, title="Department mentoring workshop",
                                     description="Only for the medicine department's mentors.",
                                     cme_credit_hours=Decimal("2"))
    w.objects.completion = CompletionFactory(user=w.people["owner"], course__program=w.program,
                                             course__title="Owner's private elective", credit_hours=Decimal("1.5"))
    w.objects.session = CourseSessionFactory(course=w.objects.course, location="Room 4 of the department")
    w.objects.guide = QuickGuideFactory(program=w.program, body="Our department's own advice on mentee check-ins.")


ROUTES = [
    Route("courses:catalog", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("courses:course_detail", kwargs=lambda w: {"pk": w.course.pk},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.course.description),
    Route("courses:session_ics", kwargs=lambda w: {"pk": w.session.pk},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.session.location),
    Route("courses:completion_save", kwargs=lambda w: {"pk": w.course.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=RECORDED, post_data=lambda w: {"status": "planned"}),
    Route("courses:completion_edit", kwargs=lambda w: {"pk": w.completion.pk},
          get=OWNER_ONLY, post=expect(owner=302, coordinator=404), secret=lambda w: w.completion.course.title,
          post_data=lambda w: {"completed_on": w.completion.completed_on.isoformat(), "credit_hours": "1"}),
    Route("courses:completion_delete", kwargs=lambda w: {"pk": w.completion.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=expect(owner=302, coordinator=404)),
    Route("courses:transcript", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("courses:person_transcript", kwargs=lambda w: {"user_id": w.people["owner"].pk},
          get=PRIVATE, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.completion.course.title),
    Route("courses:transcript_print", kwargs=lambda w: {"user_id": w.people["owner"].pk},
          get=PRIVATE, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.completion.course.title),
    Route("courses:transcript_csv", kwargs=lambda w: {"user_id": w.people["owner"].pk},
          get=PRIVATE, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.completion.course.title),
    Route("courses:readings", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("courses:quick_guides", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("courses:quick_guide_detail", kwargs=lambda w: {"pk": w.guide.pk},
          get=PROGRAM_MEMBERS, post=SIGNED_IN_NOT_ALLOWED, secret=lambda w: w.guide.body),
]
