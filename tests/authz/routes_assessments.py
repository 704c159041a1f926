"""Assessments: a response is its author's, and once submitted also its coordinators' to read."""

from __future__ import annotations

from assessments import services
from assessments.models import Item
from assessments.scoring import AnswerValue
from tests.factories.assessments import full_answers, items_of, make_instrument

from . import OWNER_ONLY, PRIVATE, SIGNED_IN, SIGNED_IN_NOT_ALLOWED, Route, builder, expect

SUBMITTED_SECRET = "Submitted reflection: I avoid hard conversations with my mentee."
DRAFT_SECRET = "Draft reflection: still deciding how candid to be."


@builder
def build_assessments(w) -> None:
    owner = w.people["owner"]
    version = make_instrument(w.program, domains=2, items_per_domain=2)
    text_item = Item.objects.create(domain=items_of(version)[0].domain, order=99, prompt="Anything else?",
                                    response_type=Item.ResponseType.TEXT, required=False)
    w.objects.version = version
    answers = full_answers(version)
    answers[text_item.pk] = AnswerValue(text=SUBMITTED_SECRET)
    draft = services.response_start(user=owner, program=w.program, version=version)
    w.objects.response = services.response_submit(response=draft, answers=answers)
    w.objects.draft = services.response_start(user=owner, program=w.program, version=version)
    services.response_save_draft(response=w.objects.draft, answers={text_item.pk: AnswerValue(text=DRAFT_SECRET)})


ROUTES = [
    Route("assessments:list", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("assessments:history", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED,
          secret=lambda w: f"/assessments/responses/{w.response.pk}/results/"),
    Route(
        "assessments:start",
        kwargs=lambda w: {"program_slug": w.program.slug, "instrument_id": w.version.instrument_id},
        get=SIGNED_IN_NOT_ALLOWED,
        # Mentors of the program start (or resume) their own draft; nobody else takes its assessments.
        post=expect(owner=302, other_mentor=302, coordinator=404),
    ),
    Route(
        "assessments:take",
        kwargs=lambda w: {"pk": w.draft.pk},
        get=OWNER_ONLY,
        post=expect(owner=302, coordinator=404),
        post_data=lambda w: {"action": "save"},
        secret=lambda w: DRAFT_SECRET,
    ),
    Route(
        "assessments:results",
        kwargs=lambda w: {"pk": w.response.pk},
        get=PRIVATE,
        post=SIGNED_IN_NOT_ALLOWED,
        secret=lambda w: SUBMITTED_SECRET,
    ),
]
