"""Factories for people, programs and memberships."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from mentorprogram.models import Membership, OutboundEmail, Program, User

TEST_PASSWORD = "a-long-test-passphrase-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    time_zone = "America/Los_Angeles"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Mentoring Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    community_name = factory.LazyAttribute(lambda p: f"{p.name} Mentor Community")
    mission = "Every junior faculty member has a trained mentor."
    expected_behaviours = "Meet monthly and keep commitments."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Membership.Role.MENTOR
    status = Membership.Status.ACTIVE


def make_member(program: Program, role: str = Membership.Role.MENTOR, **user_kwargs) -> User:
    """A person with one active membership; coordinators are staff, as the admin needs."""
    if role == Membership.Role.COORDINATOR:
        user_kwargs.setdefault("is_staff", True)
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, program=program, role=role)
    return user


def _member_of(program: Program) -> User:
    return make_member(program)


# For the admin-scoping test: how to make one object of each program-scoped admin model
# that belongs to a given program. A scoped model missing here fails that test.
PROGRAM_OBJECT_FACTORIES = {
    Program: lambda program: program,
    Membership: lambda program: MembershipFactory(program=program),
    User: _member_of,
}


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    kind = OutboundEmail.Kind.ACCOUNT
    dedupe_key = factory.Sequence(lambda n: f"key-{n}")
    user = factory.SubFactory(UserFactory)
    to_address = factory.LazyAttribute(lambda o: o.user.email if o.user else "someone@example.org")
    subject = "Hello"
    body_text = "Hello there."
    enqueued_at = factory.LazyFunction(timezone.now)

    class Params:
        failed = factory.Trait(status=OutboundEmail.Status.FAILED, attempts=5,
                               last_error="The mail server answered 550 5.1.1 No such mailbox here")
        sending = factory.Trait(status=OutboundEmail.Status.SENDING, claimed_at=factory.LazyFunction(timezone.now),
                                claim_token="worker-1", attempts=1)


PROGRAM_OBJECT_FACTORIES[OutboundEmail] = lambda program: OutboundEmailFactory(program=program)
