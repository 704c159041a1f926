"""What a coordinator may do: only an active staff account coordinates, and only a superuser makes
coordinators. People keep their own sign-in email, password and flags (see also test_invitations)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mentorprogram import permissions, services
from mentorprogram.models import Membership, User
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.factories.accountability import MenteeFactory
from tests.factories.assessments import _response_of
from tests.snapshots import differences, snapshot

from .forms_on_page import form_data
from .test_onboarding import upload


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


# --- Only a superuser makes coordinators --------------------------------------------------------

def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def role_values(form) -> set[str]:
    return {value for value, _ in form.fields["role"].choices}


def test_it_offers_the_coordinator_role_on_the_membership_add_page_to_superusers_only(
    client, coordinator, superuser
):
    client.force_login(coordinator)
    response = client.get(admin_url(Membership, "add"))
    assert "coordinator" not in role_values(response.context["adminform"].form)
    assert 'value="coordinator"' not in response.content.decode()
    client.force_login(superuser)
    response = client.get(admin_url(Membership, "add"))
    assert "coordinator" in role_values(response.context["adminform"].form)


def test_it_refuses_a_coordinator_who_posts_the_coordinator_role_on_the_add_page(client, program, coordinator, mentor):
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(admin_url(Membership, "add"), {
        "user": mentor.pk, "program": program.pk, "role": "coordinator", "status": "active",
        "joined_on": "2026-01-05",
    })
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert differences(before, snapshot()) == []


def test_it_does_not_offer_the_coordinator_role_in_the_user_pages_membership_inline(
    client, program, coordinator, mentor
):
    client.force_login(coordinator)
    page = client.get(admin_url(User, "change", mentor.pk))
    formset = page.context["inline_admin_formsets"][0].formset
    assert all("coordinator" not in role_values(form) for form in formset.forms)

    data = form_data(page, "user_form")
    extra = int(data["memberships-TOTAL_FORMS"]) - 1  # the inline's empty extra row
    data.update({f"memberships-{extra}-program": str(program.pk), f"memberships-{extra}-role": "coordinator",
                 f"memberships-{extra}-status": "active"})
    before = snapshot()
    response = client.post(admin_url(User, "change", mentor.pk), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "role" in errors[extra]
    assert differences(before, snapshot()) == []


def test_it_keeps_coordinator_memberships_read_only_for_coordinators(client, program, coordinator):
    own = Membership.objects.get(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(admin_url(Membership, "change", own.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    before = snapshot()
    response = client.post(admin_url(Membership, "change", own.pk), {
        "user": coordinator.pk, "program": program.pk, "role": "mentor", "status": "alumni",
        "joined_on": "2026-01-05"})
    assert response.status_code == 403
    assert client.post(admin_url(Membership, "delete", own.pk), {"post": "yes"}).status_code == 403
    assert differences(before, snapshot()) == []


def test_it_lets_a_coordinator_save_their_own_page_without_touching_their_coordinator_membership(
    client, program, coordinator
):
    client.force_login(coordinator)
    page = client.get(admin_url(User, "change", coordinator.pk))
    data = form_data(page, "user_form")
    data["display_name"] = "Renamed Coordinator"
    response = client.post(admin_url(User, "change", coordinator.pk), data)
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.display_name == "Renamed Coordinator"
    assert Membership.objects.filter(user=coordinator, program=program, role="coordinator", status="active").exists()


def test_it_refuses_the_coordinator_role_in_the_services_too(program, coordinator, mentor, superuser):
    grant = Membership(user=mentor, program=program, role=Membership.Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.membership_save_by_admin(actor=coordinator, membership=grant)
    own = Membership.objects.get(user=coordinator, role=Membership.Role.COORDINATOR)
    own.role = Membership.Role.MENTOR
    with pytest.raises(PermissionDenied):
        services.membership_save_by_admin(actor=coordinator, membership=own)
    with pytest.raises(PermissionDenied):
        services.membership_delete_by_admin(actor=coordinator, membership=own)
    assert not Membership.objects.filter(user=mentor, role=Membership.Role.COORDINATOR).exists()
    services.membership_save_by_admin(actor=superuser, membership=grant)
    assert Membership.objects.filter(user=mentor, role=Membership.Role.COORDINATOR).exists()


def test_it_refuses_coordinator_rows_in_an_import(client, program, coordinator):
    client.force_login(coordinator)
    response = upload(client, program, "email,name,role,department\nnew@example.org,New,coordinator,Medicine\n")
    row = response.context["plan"].rows[0]
    assert row.action == "error" and "an administrator adds them" in row.errors[0]


# --- People keep their own sign-in -----------------------------------------------------------------

def test_it_shows_a_coordinator_the_email_read_only_and_no_password_on_a_members_page(client, coordinator, mentor):
    client.force_login(coordinator)
    page = client.get(admin_url(User, "change", mentor.pk))
    assert page.status_code == 200
    form = page.context["adminform"].form
    for name in ("email", "password", "is_active", "is_staff", "is_superuser"):
        assert name not in form.fields, name
    body = page.content.decode()
    assert mentor.email in body  # shown, not editable
    assert 'name="email"' not in body and mentor.password not in body and "md5$" not in body
    assert client.get(reverse("admin:auth_user_password_change", args=[mentor.pk])).status_code == 403


def test_it_ignores_an_email_posted_by_a_coordinator_so_no_reset_reaches_the_new_address(
    client, coordinator, mentor
):
    client.force_login(coordinator)
    page = client.get(admin_url(User, "change", mentor.pk))
    data = form_data(page, "user_form")
    data.update(email="taken-over@attacker.example", is_active="", password="md5$x$y")
    client.post(admin_url(User, "change", mentor.pk), data)
    mentor.refresh_from_db()
    assert mentor.email == "mentor@example.org" and mentor.is_active and mentor.check_password(TEST_PASSWORD)

    client.logout()
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "taken-over@attacker.example"})
    assert [m for m in mail.outbox if "/password/reset/key/" in m.body] == []


def test_it_refuses_a_coordinators_change_of_sign_in_fields_in_the_service(coordinator, mentor, superuser):
    for field, value in [("email", "x@attacker.example"), ("is_active", False), ("is_staff", True),
                         ("is_superuser", True)]:
        person = User.objects.get(pk=mentor.pk)
        setattr(person, field, value)
        with pytest.raises(PermissionDenied):
            services.user_save_by_admin(actor=coordinator, user=person)
    person = User.objects.get(pk=mentor.pk)
    person.set_password("chosen-by-someone-else-1")
    with pytest.raises(PermissionDenied):
        services.user_save_by_admin(actor=coordinator, user=person)
    mentor.refresh_from_db()
    assert mentor.email == "mentor@example.org" and mentor.check_password(TEST_PASSWORD)
    person.email = "moved@example.org"
    services.user_save_by_admin(actor=superuser, user=person)
    assert User.objects.get(pk=mentor.pk).email == "moved@example.org"


def test_it_creates_a_coordinators_new_account_without_a_password(client, program, coordinator):
    client.force_login(coordinator)
    page = client.get(admin_url(User, "add"))
    assert "password1" not in page.context["adminform"].form.fields
    response = client.post(admin_url(User, "add"), {
        "email": "new.person@example.org", "display_name": "New Person", "time_zone": "America/New_York",
        "usable_password": "true", "password1": "known-to-the-coordinator-1", "password2": "known-to-the-coordinator-1",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-program": program.pk, "memberships-0-role": "mentor", "memberships-0-status": "invited",
    })
    assert response.status_code == 302
    assert not User.objects.get(email="new.person@example.org").has_usable_password()


def test_it_lets_a_person_change_their_own_email_through_a_verified_address(client, mentor):
    client.force_login(mentor)
    profile = client.get(reverse("profile"))
    assert reverse("account_email") in profile.content.decode()
    mail.outbox.clear()
    client.post(reverse("account_email"), {"email": "mentor.new@example.org", "action_add": ""})
    assert mentor.email == User.objects.get(pk=mentor.pk).email  # not before it is verified
    link = next(line for m in mail.outbox for line in m.body.splitlines() if "/accounts/confirm-email/" in line)
    client.post(link[link.index("/accounts/"):].strip())
    client.post(reverse("account_email"), {"email": "mentor.new@example.org", "action_primary": ""})
    assert User.objects.get(pk=mentor.pk).email == "mentor.new@example.org"


@pytest.mark.parametrize("junk", [":", "6.8e16", str(2**64)])
def test_it_answers_a_person_that_is_no_id_with_a_field_error(client, program, coordinator, junk):
    client.force_login(coordinator)
    response = client.post(admin_url(Membership, "add"), {
        "user": junk, "program": program.pk, "role": "mentor", "status": "active", "joined_on": "2026-01-05"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
