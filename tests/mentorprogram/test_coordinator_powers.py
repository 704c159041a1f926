"""What a coordinator may do: only an active staff account coordinates, and only a superuser makes
coordinators. People keep their own sign-in email, password and flags (see also test_invitations)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentorprogram import permissions
from mentorprogram.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.factories.accountability import MenteeFactory
from tests.factories.assessments import _response_of


@pytest.fixture
def non_staff_coordinator(program):
    user = UserFactory(email="not.staff@example.org", is_staff=False)
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user


def test_it_grants_nothing_to_a_coordinator_membership_on_an_account_that_is_not_staff(
    client, program, non_staff_coordinator
):
    response = _response_of(program)
    mentee = MenteeFactory(program=program)
    assert permissions.coordinated_program_ids(non_staff_coordinator) == set()
    assert not permissions.is_coordinator(non_staff_coordinator, program)
    client.force_login(non_staff_coordinator)
    for url in [
        reverse("reports:program", kwargs={"slug": program.slug}),
        reverse("reports:csv", kwargs={"slug": program.slug, "table": "people"}),
        reverse("accountability:compliance", kwargs={"slug": program.slug}),
        reverse("accountability:compliance_csv", kwargs={"slug": program.slug}),
        reverse("assessments:results", kwargs={"pk": response.pk}),
        reverse("accountability:mentee_detail", kwargs={"pk": mentee.pk}),
    ]:
        assert client.get(url).status_code == 404, url


def test_it_lets_the_same_account_coordinate_once_it_is_staff(client, program, non_staff_coordinator):
    non_staff_coordinator.is_staff = True
    non_staff_coordinator.save()
    client.force_login(non_staff_coordinator)
    assert client.get(reverse("reports:program", kwargs={"slug": program.slug})).status_code == 200
