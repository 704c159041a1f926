"""An existing account outside a coordinator's programs is invited, never taken: the import names
nothing of it, the coordinator's admin shows nothing of it, and it joins only when its person
accepts (or declines) on their dashboard. The takeover found on ``main`` is replayed step by step."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentorprogram import onboarding
from mentorprogram.models import Membership, User
from tests.factories import TEST_PASSWORD
from tests.factories.accountability import MenteeFactory
from tests.snapshots import differences, snapshot

from .forms_on_page import form_data

IMPORT_URL = "admin:mentorprogram_membership_import"
PRIVATE_NAME = "Dr. Private Person"


pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def victim(program, mentor):
    """Program A's mentor, with a mentee whose notes are hers alone."""
    mentor.display_name = PRIVATE_NAME
    mentor.save()
    MenteeFactory(program=program, mentor=mentor, name="Private Mentee")
    return mentor


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def import_into(client, program, text: str, *, capture, resend=False):
    preview = client.post(reverse(IMPORT_URL), {
        "program": program.pk, "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
    })
    form = preview.context["confirm_form"]
    data = {"program": form.initial["program"], "payload": form.initial["payload"], "confirm": "1"}
    if resend:
        data["resend"] = "on"
    with capture(execute=True):
        client.post(reverse(IMPORT_URL), data)
    return preview


def invite_victim(client, other_coordinator, other_program, capture, **kwargs):
    client.force_login(other_coordinator)
    return import_into(client, other_program, "email,name,role,department\nmentor@example.org,Whoever,mentor,Surgery\n",
                       capture=capture, **kwargs)


def test_it_invites_another_programs_mentor_without_naming_them(
    client, victim, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    preview = invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    row = preview.context["plan"].rows[0]
    assert row.action == "create" and row.invite
    assert "An existing account will be invited" in " ".join(row.notes)
    assert PRIVATE_NAME not in preview.content.decode()

    membership = Membership.objects.get(user=victim, program=other_program)
    assert (membership.status, membership.awaiting_acceptance) == (Membership.Status.INVITED, True)
    victim.refresh_from_db()
    assert victim.display_name == PRIVATE_NAME  # the file's "Whoever" changes nothing of the account
    [message] = mail.outbox
    assert message.to == ["mentor@example.org"] and reverse("invitations") in message.body
    assert "accept" in message.body


def test_it_keeps_an_invited_account_out_of_the_inviting_coordinators_admin(
    client, victim, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=victim, program=other_program)

    # The user list, change page, memberships list, change page, autocomplete and exports.
    assert victim.pk not in {u.pk for u in client.get(admin_url(User, "changelist")).context["cl"].result_list}
    assert client.get(admin_url(User, "change", victim.pk)).status_code == 404
    listed = client.get(admin_url(Membership, "changelist")).context["cl"].result_list
    assert membership.pk not in {m.pk for m in listed}
    assert client.get(admin_url(Membership, "change", membership.pk)).status_code == 404
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "mentorprogram", "model_name": "membership", "field_name": "user", "term": "mentor"}).json()
    assert str(victim.pk) not in {r["id"] for r in found["results"]}
    for model, pk in ((User, victim.pk), (Membership, membership.pk)):
        export = client.post(admin_url(model, "changelist"), {"action": "export_csv", "_selected_action": [pk]})
        assert "mentor@example.org" not in export.content.decode(errors="replace")

    # The takeover: change the email, ask for a reset at the new address, sign in. Each step fails.
    before = snapshot()
    response = client.post(admin_url(User, "change", victim.pk), {"email": "b-coordinator@attacker.example"})
    assert response.status_code == 404
    assert differences(before, snapshot()) == []
    client.logout()
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "b-coordinator@attacker.example"})
    assert not [m for m in mail.outbox if "/password/reset/key/" in m.body]
    assert User.objects.get(pk=victim.pk).email == "mentor@example.org"


def test_it_joins_the_person_when_they_accept_and_the_coordinator_then_sees_them(
    client, victim, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=victim, program=other_program)
    client.force_login(victim)
    dashboard = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("invitation_accept", args=[membership.pk]) in dashboard
    assert client.post(reverse("invitation_accept", args=[membership.pk])).status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.awaiting_acceptance) == (Membership.Status.PROSPECTIVE, False)
    dashboard = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("invitation_accept", args=[membership.pk]) not in dashboard

    client.force_login(other_coordinator)
    page = client.get(admin_url(User, "change", victim.pk))
    assert page.status_code == 200
    assert "email" not in page.context["adminform"].form.fields  # seen, never taken
    data = form_data(page, "user_form")
    data["email"] = "b-coordinator@attacker.example"
    client.post(admin_url(User, "change", victim.pk), data)
    assert User.objects.get(pk=victim.pk).email == "mentor@example.org"


def test_it_lets_the_person_decline_and_nobody_asks_them_again(
    client, victim, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=victim, program=other_program)
    client.force_login(victim)
    assert client.post(reverse("invitation_decline", args=[membership.pk])).status_code == 302
    membership.refresh_from_db()
    assert membership.declined_at is not None and membership.status == Membership.Status.INVITED
    assert reverse("invitation_accept", args=[membership.pk]) not in client.get(reverse("invitations")).content.decode()

    mail.outbox.clear()
    again = invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks, resend=True)
    assert "declined" in " ".join(again.context["plan"].rows[0].notes)
    assert mail.outbox == []
    assert client.get(admin_url(User, "change", victim.pk)).status_code == 404


def test_it_refuses_an_invitation_to_anyone_but_its_person(
    client, victim, other_mentor, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=victim, program=other_program)
    before = list(Membership.objects.order_by("pk").values())
    for someone in (other_mentor, other_coordinator):
        client.force_login(someone)
        assert client.post(reverse("invitation_accept", args=[membership.pk])).status_code == 404
        assert client.post(reverse("invitation_decline", args=[membership.pk])).status_code == 404
    assert list(Membership.objects.order_by("pk").values()) == before


def test_it_leaves_the_invitation_open_when_the_person_changes_their_password(
    client, victim, other_program, other_coordinator, django_capture_on_commit_callbacks
):
    invite_victim(client, other_coordinator, other_program, django_capture_on_commit_callbacks)
    client.force_login(victim)
    client.post(reverse("account_change_password"), {
        "oldpassword": TEST_PASSWORD, "password1": "a-new-long-passphrase-77", "password2": "a-new-long-passphrase-77"})
    assert User.objects.get(pk=victim.pk).check_password("a-new-long-passphrase-77")
    assert Membership.objects.get(user=victim, program=other_program).awaiting_acceptance


def test_it_invites_a_brand_new_account_of_another_program_the_same_way(
    client, program, other_program, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    import_into(client, program, "email,name,role,department\nfresh@example.org,Dr. Fresh,mentor,Medicine\n",
                capture=django_capture_on_commit_callbacks)
    client.force_login(other_coordinator)
    preview = import_into(client, other_program, "email,name,role,department\nfresh@example.org,X,faculty,S\n",
                          capture=django_capture_on_commit_callbacks)
    assert "Dr. Fresh" not in preview.content.decode()
    fresh = User.objects.get(email="fresh@example.org")
    # Choosing a password accepts the first program's invitation, not the second's.
    onboarding.memberships_accept_invitation(user=fresh)
    statuses = dict(Membership.objects.filter(user=fresh).values_list("program_id", "status"))
    assert statuses == {program.pk: Membership.Status.PROSPECTIVE, other_program.pk: Membership.Status.INVITED}


def test_it_adds_a_person_the_coordinator_already_sees_without_asking(
    client, program, other_program, coordinator, mentor, django_capture_on_commit_callbacks
):
    """A coordinator of two programs moving a mentor of one into the other: no invitation to accept."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=coordinator, program=other_program, role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    import_into(client, other_program, "email,name,role,department\nmentor@example.org,,mentor,Surgery\n",
                capture=django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=mentor, program=other_program)
    assert (membership.status, membership.awaiting_acceptance) == (Membership.Status.PROSPECTIVE, False)
