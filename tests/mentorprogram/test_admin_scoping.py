from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from mentorprogram.admin_scoping import ProgramScopedMixin
from mentorprogram.models import Membership
from tests.factories import PROGRAM_OBJECT_FACTORIES, make_member

SCOPED = [m for m, a in admin.site._registry.items() if isinstance(a, ProgramScopedMixin)]
UNSCOPED = [m for m, a in admin.site._registry.items() if not isinstance(a, ProgramScopedMixin)]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def label(model) -> str:
    return model._meta.label


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_it_shows_a_coordinator_only_their_own_programs_objects(client, model, program, other_program, coordinator):
    assert model in PROGRAM_OBJECT_FACTORIES, f"add {label(model)} to PROGRAM_OBJECT_FACTORIES"
    mine = PROGRAM_OBJECT_FACTORIES[model](program)
    theirs = PROGRAM_OBJECT_FACTORIES[model](other_program)
    client.force_login(coordinator)

    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert mine.pk in listed
    assert theirs.pk not in listed

    assert client.get(admin_url(model, "change", mine.pk)).status_code == 200
    # An object outside the queryset is answered like a missing one: not found.
    response = client.get(admin_url(model, "change", theirs.pk))
    assert response.status_code == 404
    client.post(admin_url(model, "delete", theirs.pk), {"post": "yes"})
    assert model._default_manager.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_it_shows_a_superuser_every_programs_objects(client, model, program, other_program, superuser):
    objs = [PROGRAM_OBJECT_FACTORIES[model](p) for p in (program, other_program)]
    client.force_login(superuser)
    response = client.get(admin_url(model, "changelist"))
    listed = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert {o.pk for o in objs} <= listed


@pytest.mark.parametrize("model", SCOPED + UNSCOPED, ids=label)
def test_it_keeps_staff_without_a_coordinator_membership_out(client, model, staff_without_membership):
    client.force_login(staff_without_membership)
    assert client.get(admin_url(model, "changelist")).status_code == 403


@pytest.mark.parametrize("model", UNSCOPED, ids=label)
def test_it_keeps_coordinators_out_of_site_wide_models(client, model, coordinator, superuser):
    client.force_login(coordinator)
    assert client.get(admin_url(model, "changelist")).status_code == 403
    client.force_login(superuser)
    assert client.get(admin_url(model, "changelist")).status_code == 200


def test_it_offers_only_own_programs_in_foreign_key_choices(client, program, other_program, coordinator):
    client.force_login(coordinator)
    response = client.get(admin_url(Membership, "add"))
    choices = list(response.context["adminform"].form.fields["program"].queryset)
    assert choices == [program]


def test_it_limits_autocomplete_to_own_programs_people(client, program, other_program, coordinator):
    own = make_member(program, email="own.mentor@example.org")
    foreign = make_member(other_program, email="foreign.mentor@example.org")
    client.force_login(coordinator)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "mentorprogram", "model_name": "membership", "field_name": "user", "term": "mentor"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert own.pk in ids
    assert foreign.pk not in ids


def test_it_refuses_a_coordinator_a_membership_in_another_program(client, program, other_program, coordinator):
    person = make_member(program)
    client.force_login(coordinator)
    response = client.post(
        admin_url(Membership, "add"),
        {"user": person.pk, "program": other_program.pk, "role": "mentor", "status": "active",
         "joined_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "program" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=person, program=other_program).exists()


def test_it_lets_a_coordinator_add_a_person_to_their_program(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(admin_url(type(coordinator), "add"), {
        "email": "new.mentor@example.org", "display_name": "New Mentor", "time_zone": "America/New_York",
        "usable_password": "false",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-program": program.pk, "memberships-0-role": "mentor", "memberships-0-status": "invited",
    })
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Membership.objects.filter(user__email="new.mentor@example.org", program=program).exists()


def test_it_will_not_let_a_coordinator_edit_another_staff_account(client, program, coordinator):
    colleague = make_member(program, Membership.Role.COORDINATOR, email="colleague@example.org")
    client.force_login(coordinator)
    response = client.get(admin_url(type(colleague), "change", colleague.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    password_url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    assert client.get(password_url).status_code == 403
