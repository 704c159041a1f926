"""Factories for instruments and responses. ``make_instrument`` builds a whole instrument."""

from __future__ import annotations

import factory
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Domain, FollowUpCadence, Instrument, InstrumentVersion, Item, Response
from assessments.scoring import AnswerValue

from .core import ProgramFactory, UserFactory


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    program = factory.SubFactory(ProgramFactory)
    kind = Instrument.Kind.SKILLS
    slug = factory.Sequence(lambda n: f"instrument-{n}")
    name = factory.Sequence(lambda n: f"Skills inventory {n}")


class InstrumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstrumentVersion

    instrument = factory.SubFactory(InstrumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    published_at = factory.LazyFunction(timezone.now)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    version = factory.SubFactory(InstrumentVersionFactory)
    key = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")
    order = factory.Sequence(lambda n: n)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    domain = factory.SubFactory(DomainFactory)
    order = factory.Sequence(lambda n: n)
    prompt = factory.Sequence(lambda n: f"Question number {n}")
    response_type = Item.ResponseType.ABILITY_WILLINGNESS
    allow_not_applicable = True
    scale_labels = factory.LazyFunction(lambda: {"1": "Not at all skilled", "7": "Extremely skilled"})


def make_instrument(
    program=None, *, kind: str = Instrument.Kind.SKILLS, domains: int = 2, items_per_domain: int = 2,
    response_type: str | None = None, keys: list[str] | None = None, shared: bool = False, **instrument_kwargs,
) -> InstrumentVersion:
    """A published version 1 with ``domains`` × ``items_per_domain`` items; returns the version."""
    if response_type is None:
        response_type = Item.ResponseType.CHECKLIST if kind == Instrument.Kind.READINESS else \
            Item.ResponseType.ABILITY_WILLINGNESS
    instrument = InstrumentFactory(program=None if shared else (program or ProgramFactory()), kind=kind,
                                   **instrument_kwargs)
    version = InstrumentVersionFactory(instrument=instrument, number=1)
    items = []
    for d in range(domains):
        key = keys[d] if keys else f"{instrument.slug}-d{d + 1}"
        domain = DomainFactory(version=version, key=key, name=f"Domain {d + 1}", order=d + 1)
        items += [Item(domain=domain, order=i + 1, prompt=f"{domain.name}, question {i + 1}",
                       response_type=response_type, allow_not_applicable=response_type != "checklist",
                       scale_labels={"1": "Not at all skilled", "7": "Extremely skilled"})
                  for i in range(items_per_domain)]
    Item.objects.bulk_create(items)
    return version


def items_of(version: InstrumentVersion) -> list[Item]:
    return list(Item.objects.filter(domain__version=version).order_by("domain__order", "order"))


def full_answers(version: InstrumentVersion, rating: int = 5, choice: str = "yes",
                 willingness: str = "willing") -> dict[int, AnswerValue]:
    answers = {}
    for item in items_of(version):
        if item.response_type == "checklist":
            answers[item.pk] = AnswerValue(choice=choice)
        elif item.response_type == "text":
            answers[item.pk] = AnswerValue(text="Some thoughts.")
        else:
            answers[item.pk] = AnswerValue(rating=rating, willingness=willingness if
                                           item.response_type == "ability_willingness" else "")
    return answers


def make_response(user, program, version, *, submitted: bool = True, rating: int = 5, choice: str = "yes",
                  now=None) -> Response:
    """A response through the services, so occasions follow the real rule."""
    response = services.response_start(user=user, program=program, version=version)
    answers = full_answers(version, rating=rating, choice=choice)
    if submitted:
        return services.response_submit(response=response, answers=answers, now=now)
    services.response_save_draft(response=response, answers=dict(list(answers.items())[:1]))
    return response


def _response_of(program) -> Response:
    from mentorprogram.models import Membership

    from .core import MembershipFactory

    user = UserFactory()
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTOR)
    return make_response(user, program, make_instrument(program, domains=1, items_per_domain=1))


PROGRAM_OBJECT_FACTORIES = {
    Instrument: lambda program: InstrumentFactory(program=program),
    InstrumentVersion: lambda program: InstrumentVersionFactory(instrument__program=program),
    Domain: lambda program: DomainFactory(version__instrument__program=program),
    Response: _response_of,
    FollowUpCadence: lambda program: FollowUpCadence.objects.create(
        program=program, instrument=InstrumentFactory(program=program), months="6, 12"),
}

__all__ = ["Answer", "InstrumentFactory", "InstrumentVersionFactory", "DomainFactory", "ItemFactory",
           "make_instrument", "make_response", "full_answers", "items_of"]
