"""Bulk onboarding from CSV: preview, confirm, invitations, and running the same file twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentorprogram import onboarding
from mentorprogram.models import Membership, OutboundEmail, User
from tests.factories import MembershipFactory, UserFactory

IMPORT_URL = "admin:mentorprogram_membership_import"


pytestmark = pytest.mark.usefixtures("eager_celery")


def twenty_rows(*, program_slug_for_line_7: str = "") -> str:
    lines = ["email,name,role,department,program"]
    for i in range(1, 21):
        lines.append(f"person{i:02d}@med.example.edu,Dr. Person {i:02d},{'mentor' if i % 2 else 'faculty'},"
                     f"Medicine,")
    lines[5] = "not-an-email,Dr. Nobody,mentor,Medicine,"           # bad email
    lines[12] = "person12@med.example.edu,Dr. Twelve,dean,Medicine,"  # unknown role
    return "\n".join(lines) + "\n"


def upload(client, program, text: str, name: str = "people.csv"):
    return client.post(reverse(IMPORT_URL), {
        "program": program.pk, "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
    })


def confirm(client, preview, *, resend=False, capture=None):
    form = preview.context["confirm_form"]
    data = {"program": form.initial["program"], "payload": form.initial["payload"], "confirm": "1"}
    if resend:
        data["resend"] = "on"
    return client.post(reverse(IMPORT_URL), data)


def test_it_previews_every_row_without_saving_anything(client, program, coordinator):
    client.force_login(coordinator)
    before = User.objects.count()
    response = upload(client, program, twenty_rows())
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.counts == {"create": 18, "update": 0, "unchanged": 0, "error": 2}
    errors = {r.line: r.errors for r in plan.rows if r.errors}
    assert errors == {
        6: ["“not-an-email” is not a valid email address."],
        13: ["Unknown role “dean”: use mentor or faculty."],
    }
    assert User.objects.count() == before
    assert "Unknown role “dean”" in response.content.decode()


def test_it_imports_the_valid_rows_and_invites_each_new_person_once(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    preview = upload(client, program, twenty_rows())
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, preview)
    assert response.status_code == 302

    imported = Membership.objects.filter(program=program, user__email__endswith="@med.example.edu")
    assert imported.count() == 18
    assert set(imported.values_list("status", flat=True)) == {Membership.Status.INVITED}
    assert not User.objects.filter(email="person12@med.example.edu").exists()
    person = User.objects.get(email="person01@med.example.edu")
    assert person.display_name == "Dr. Person 01"
    assert not person.has_usable_password()
    assert EmailAddress.objects.filter(user=person, email=person.email, verified=True, primary=True).exists()
    assert imported.get(user=person).role == Membership.Role.MENTOR

    assert len(mail.outbox) == 18
    message = next(m for m in mail.outbox if m.to == ["person01@med.example.edu"])
    assert program.name in message.subject
    assert message.alternatives and "Set my password" in message.alternatives[0][0]
    assert all(imported.values_list("invited_at", flat=True))


def test_it_creates_nothing_and_invites_nobody_when_the_same_file_comes_again(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, twenty_rows()))
    mail.outbox.clear()
    users, memberships = User.objects.count(), Membership.objects.count()

    again = upload(client, program, twenty_rows())
    assert again.context["plan"].counts == {"create": 0, "update": 0, "unchanged": 18, "error": 2}
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, again)

    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert mail.outbox == []


def test_it_invites_again_only_when_asked_and_only_those_who_have_not_accepted(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, twenty_rows()))
    accepted = User.objects.get(email="person01@med.example.edu")
    onboarding.memberships_accept_invitation(user=accepted)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, twenty_rows()), resend=True)

    assert len(mail.outbox) == 17
    assert ["person01@med.example.edu"] not in [m.to for m in mail.outbox]


def test_it_sends_a_link_that_sets_the_password_and_accepts_the_invitation(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, upload(client, program, "email,name,role,department\nnew@med.example.edu,Dr. New,mentor,\n"))
    client.logout()
    link = re.search(r"http://testserver(/invitations/welcome/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
                           {"password1": "a-fresh-passphrase-91", "password2": "a-fresh-passphrase-91"})
    assert response.status_code == 302

    person = User.objects.get(email="new@med.example.edu")
    assert person.check_password("a-fresh-passphrase-91")
    assert Membership.objects.get(user=person).status == Membership.Status.PROSPECTIVE


def test_it_reports_duplicates_and_programs_the_coordinator_does_not_run(
    client, program, other_program, coordinator
):
    client.force_login(coordinator)
    text = ("email,name,role,department,program\n"
            "a@med.example.edu,A,mentor,,\n"
            "A@med.example.edu,A again,mentor,,\n"
            f"b@med.example.edu,B,mentor,,{other_program.slug}\n"
            "c@med.example.edu,C,coordinator,,\n"
            "d@med.example.edu,D,,,\n")
    rows = {r.line: r for r in upload(client, program, text).context["plan"].rows}
    assert rows[2].action == "create"
    assert rows[3].errors == ["Duplicate: a@med.example.edu already appears on line 2 of this file."]
    assert rows[4].errors == [f"“{other_program.slug}” is not a program you coordinate."]
    assert rows[5].errors == ["Coordinators are not imported; an administrator adds them."]
    assert rows[6].errors == ["The role is missing: use mentor or faculty."]


def test_it_updates_a_department_and_adds_an_existing_account_without_a_password_link(
    client, program, other_program, coordinator, django_capture_on_commit_callbacks
):
    # Known to the coordinator: a faculty member of their program (an outsider is only invited, see
    # test_invitations.py).
    known = UserFactory(email="known@med.example.edu", display_name="Dr. Known")
    MembershipFactory(user=known, program=program, role=Membership.Role.FACULTY)
    member = UserFactory(email="member@med.example.edu", display_name="Dr. Member")
    MembershipFactory(user=member, program=program, role=Membership.Role.MENTOR, department="Surgery")
    client.force_login(coordinator)
    text = ("email,name,role,department\n"
            "known@med.example.edu,Someone Else,mentor,Medicine\n"
            "member@med.example.edu,Dr. Member,mentor,Medicine\n")
    preview = upload(client, program, text)
    rows = preview.context["plan"].rows
    assert [r.action for r in rows] == ["create", "update"]
    assert "that name is kept" in rows[0].notes[0]
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, preview)

    known.refresh_from_db()
    assert known.display_name == "Dr. Known" and known.has_usable_password()
    assert Membership.objects.get(user=known, program=program, role="mentor").status == Membership.Status.PROSPECTIVE
    assert Membership.objects.get(user=member, program=program).department == "Medicine"
    assert [m.to for m in mail.outbox] == [["known@med.example.edu"]]
    assert "Set my password" not in mail.outbox[0].alternatives[0][0]
    assert "Sign in" in mail.outbox[0].alternatives[0][0]


def test_it_refuses_a_tampered_or_foreign_preview(client, program, other_program, coordinator, other_coordinator):
    client.force_login(coordinator)
    preview = upload(client, program, "email,name,role,department\nx@med.example.edu,X,mentor,\n")
    payload = preview.context["confirm_form"].initial["payload"]

    client.post(reverse(IMPORT_URL), {"program": program.pk, "payload": payload + "x", "confirm": "1"})
    assert not User.objects.filter(email="x@med.example.edu").exists()

    client.force_login(other_coordinator)
    for target in (program, other_program):
        client.post(reverse(IMPORT_URL), {"program": target.pk, "payload": payload, "confirm": "1"})
    assert not User.objects.filter(email="x@med.example.edu").exists()


def test_it_offers_only_the_coordinators_own_programs(client, program, other_program, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse(IMPORT_URL))
    assert list(response.context["form"].fields["program"].queryset) == [program]
    response = upload(client, other_program, "email,name,role,department\nx@med.example.edu,X,mentor,\n")
    assert "program" in response.context["form"].errors


def test_it_keeps_staff_without_a_program_out(client, staff_without_membership, mentor):
    client.force_login(staff_without_membership)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    client.force_login(mentor)
    assert client.get(reverse(IMPORT_URL)).status_code == 302  # to the admin sign-in


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty."),
    (b"email,name\nx@example.org,X\n", "missing: role, department"),
    (b"email,name,role,department\n", "no people"),
    ("email,name,role,department\nx@example.org,Zoë,mentor,\n".encode("latin-1"), "not UTF-8"),
])
def test_it_explains_a_file_it_cannot_read(client, program, coordinator, content, message):
    client.force_login(coordinator)
    response = client.post(reverse(IMPORT_URL), {
        "program": program.pk, "file": SimpleUploadedFile("p.csv", content, content_type="text/csv")})
    assert message in " ".join(response.context["form"].errors.get("file", []))


def test_it_sends_one_email_when_the_same_invitation_task_runs_twice(program, coordinator,
                                                                     django_capture_on_commit_callbacks):
    membership = MembershipFactory(program=program, status=Membership.Status.INVITED)
    from django.utils import timezone

    asked = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert onboarding.invitation_send(membership_id=membership.pk, base_url="https://x.test", requested_at=asked)
        assert not onboarding.invitation_send(membership_id=membership.pk, base_url="https://x.test",
                                              requested_at=asked)
    assert len(mail.outbox) == 1
    [email] = OutboundEmail.objects.filter(kind="invitation")
    assert (email.status, email.program, email.user) == ("sent", program, membership.user)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<invitation.{email.pk}@127.0.0.1>"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_invitee_the_server_refuses_is_failed_at_once_with_its_words_and_not_retried(
    program, settings, django_capture_on_commit_callbacks,
):
    from tests.reminders.live import point_mail_at, smtp_sink

    membership = MembershipFactory(program=program, status=Membership.Status.INVITED)
    with smtp_sink() as sink:
        point_mail_at(settings, sink.port)
        sink.refused_addresses = {membership.user.email}
        with django_capture_on_commit_callbacks(execute=True):
            onboarding.invitation_send(membership_id=membership.pk, base_url="https://x.test",
                                       requested_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert sink.accepted == []
    email = OutboundEmail.objects.get(kind="invitation")
    assert (email.status, email.attempts) == ("failed", 1)
    assert email.last_error == "The mail server refused the address: 550 5.1.1 No such mailbox here"
    membership.refresh_from_db()
    assert membership.invited_at is not None  # recorded: the admin's outbox list shows what became of it
