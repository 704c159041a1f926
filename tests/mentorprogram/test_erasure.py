"""Erasing a person (mentorprogram/privacy/erasure.py): nothing of their name, address or words is
left in any table, what others rely on stays, the program's published figures stay, and erasing
twice is erasing once."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse

from accountability.models import AccountabilityPlan, Mentee, MenteeMeeting, PlanItemChange
from assessments.models import Answer, DomainScore, Response
from community.erasure import ERASED_AGENDA_TEXT
from community.models import AgendaItem, Challenge
from courses.models import Completion
from mentorprogram.models import Membership, OutboundEmail, User
from mentorprogram.privacy.erasure import person_erase, person_may_erase_self
from mentorprogram.privacy.export import person_data
from reports import selectors as report_selectors
from reports.models import FigureRelease
from tests.factories import make_member
from tests.factories.assessments import make_instrument, make_response
from tests.factories.privacy import make_person_with_everything
from tests.snapshots import differences, snapshot

TEXT = (models.CharField, models.TextField, models.JSONField)


def leftovers(*words: str) -> list[str]:
    """Every text column of every table (ours and the libraries') that still holds one of ``words``."""
    found = []
    wanted = [w.casefold() for w in words]
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT)]
        if not columns:
            continue
        for row in model._base_manager.values("pk", *columns):
            for column in columns:
                text = str(row[column]).casefold()
                found += [f"{model._meta.label}.{column} #{row['pk']}" for w in wanted if w in text]
    return found


@pytest.fixture
def two(program, coordinator):
    """Two members with one of everything; the first has done things to the second's records."""
    bee = make_person_with_everything(program, "Bee")
    ann = make_person_with_everything(program, "Ann", other=bee.person)
    return ann, bee


def test_it_leaves_no_name_address_or_free_text_of_the_person_in_any_table(two, superuser):
    ann, bee = two
    assert leftovers(ann.name, ann.email, ann.secret)  # the scan sees them before
    person_erase(person=ann.person, by=superuser)
    assert leftovers(ann.name, ann.email, ann.secret) == []
    assert leftovers(bee.name, bee.email, bee.secret)  # the other person's are still there


def test_it_anonymises_and_locks_the_account(two, superuser):
    ann, _ = two
    person_erase(person=ann.person, by=superuser)
    person = User.objects.get(pk=ann.person.pk)
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert person.display_name == "Erased person"
    assert not person.has_usable_password() and not person.is_active and not person.is_staff
    assert person.erased_at is not None
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not SocialAccount.objects.filter(user=person).exists()
    assert not SocialToken.objects.filter(account__user=person).exists()
    assert not Session.objects.filter(session_key=ann.session_key).exists()
    assert set(Membership.objects.filter(user=person).values_list("status", "department")) == {("alumni", "")}


def test_it_deletes_the_persons_own_rows_and_keeps_what_others_rely_on(two, superuser):
    ann, bee = two
    person_erase(person=ann.person, by=superuser)
    person = User.objects.get(pk=ann.person.pk)
    for model, lookup in [(Response, "user"), (Answer, "response__user"), (DomainScore, "response__user"),
                          (Mentee, "mentor"), (MenteeMeeting, "mentee__mentor"), (AccountabilityPlan, "mentor"),
                          (Challenge, "author"), (Completion, "user")]:
        assert not model.objects.filter(**{lookup: person}).exists(), model
    # Another person's records that this person touched stay, pointing at the anonymised account.
    assert Completion.objects.filter(user=bee.person, verified_by=person).exists()
    assert PlanItemChange.objects.filter(item__plan__mentor=bee.person, changed_by=person).exists()
    # The agenda keeps its item, without the author's words.
    assert AgendaItem.objects.get(pk=ann.agenda_item.pk).text == ERASED_AGENDA_TEXT
    # Emails: kept as bookkeeping, anonymised; what was waiting is not sent.
    waiting = OutboundEmail.objects.get(pk=ann.waiting.pk)
    assert (waiting.status, waiting.to_address, waiting.subject, waiting.body_text) == (
        "skipped", person.email, "", "")
    trail = LogEntry.objects.filter(object_id=str(person.pk), change_message__startswith="Erased this person")
    assert trail.count() == 1


def test_it_leaves_the_other_persons_data_as_it_was(two, superuser):
    ann, bee = two
    before = person_data(person_id=bee.person.pk)
    person_erase(person=ann.person, by=superuser)
    assert person_data(person_id=bee.person.pk) == before


def test_erasing_twice_is_erasing_once(two, superuser):
    ann, _ = two
    person_erase(person=ann.person, by=superuser)
    after_once = snapshot()
    sessions = set(Session.objects.values_list("pk", flat=True))
    person_erase(person=ann.person, by=superuser)
    assert differences(after_once, snapshot()) == []
    assert set(Session.objects.values_list("pk", flat=True)) == sessions


def test_it_is_one_transaction(two, superuser, monkeypatch):
    """A failure halfway leaves everything as it was."""
    from mentorprogram import personal_data

    ann, _ = two
    before = snapshot()
    monkeypatch.setattr(personal_data, "ERASURE_HOOKS", [*personal_data.ERASURE_HOOKS, "builtins.hook_that_fails"])
    with pytest.raises(ImportError):
        person_erase(person=ann.person, by=superuser)
    assert differences(before, snapshot()) == []


def test_it_calls_the_audit_trails_scrub_person_when_there_is_one(two, superuser, monkeypatch):
    import sys
    import types

    ann, _ = two
    scrubbed = []
    module = types.ModuleType("audit")
    module.scrub_person = lambda user, *, by=None, now=None: scrubbed.append((user.pk, by, now is not None))
    monkeypatch.setitem(sys.modules, "audit", module)
    person_erase(person=ann.person, by=superuser)
    assert scrubbed == [(ann.person.pk, superuser, True)]


def test_the_programs_published_figures_stay_as_they_were(program, coordinator, superuser):
    skills = make_instrument(program, domains=1, items_per_domain=1, name="Skills inventory")
    mentors = [make_member(program) for _ in range(6)]
    for i, mentor in enumerate(mentors):
        make_response(mentor, program, skills, rating=1 + (i * 3) % 7)
    published = report_selectors.program_report(program=program).section("skills").csv_rows()
    releases = list(FigureRelease.objects.values("key", "n", "values"))

    person_erase(person=mentors[0], by=superuser)

    assert report_selectors.program_report(program=program).section("skills").csv_rows()[0][:4] == published[0][:4]
    assert list(FigureRelease.objects.values("key", "n", "values")) == releases


# --- Who may erase ------------------------------------------------------------------------------------

def test_a_person_may_erase_themself_only_where_every_program_of_theirs_allows_it(program, other_program, mentor):
    assert not person_may_erase_self(person=mentor)
    program.self_erasure_allowed = True
    program.save()
    assert person_may_erase_self(person=mentor)
    Membership.objects.create(user=mentor, program=other_program, role=Membership.Role.FACULTY)
    assert not person_may_erase_self(person=mentor)


def test_a_coordinator_never_erases_themself(program, coordinator):
    program.self_erasure_allowed = True
    program.save()
    assert not person_may_erase_self(person=coordinator)


def test_the_person_erases_their_own_account_when_the_program_allows_it(client, program, mentor):
    program.self_erasure_allowed = True
    program.save()
    client.force_login(mentor)
    page = client.get(reverse("erase_account"))
    assert b"Erase my account and data" in page.content
    assert b"Erase my account" in client.get(reverse("profile")).content

    wrong = client.post(reverse("erase_account"), {"email": "someone.else@example.org"})
    assert wrong.status_code == 200 and b"exactly as it is shown" in wrong.content
    assert User.objects.get(pk=mentor.pk).erased_at is None

    response = client.post(reverse("erase_account"), {"email": mentor.email.upper()})
    assert response.status_code == 302
    erased = User.objects.get(pk=mentor.pk)
    assert erased.erased_at is not None and not erased.is_active
    assert client.get(reverse("profile")).status_code == 302  # signed out


def test_the_person_cannot_erase_their_account_when_the_program_does_not_allow_it(client, mentor):
    client.force_login(mentor)
    assert b"does not let people erase" in client.get(reverse("erase_account")).content
    assert b"Erase my account" not in client.get(reverse("profile")).content
    assert client.post(reverse("erase_account"), {"email": mentor.email}).status_code == 403
    assert User.objects.get(pk=mentor.pk).erased_at is None


# --- The admin's action ---------------------------------------------------------------------------------

def test_a_superuser_erases_people_from_the_admin_after_a_confirmation_page(client, superuser, mentor, other_mentor):
    client.force_login(superuser)
    url = reverse("admin:mentorprogram_user_changelist")
    data = {"action": "erase_people", "_selected_action": [mentor.pk, other_mentor.pk, superuser.pk]}
    asked = client.post(url, data)
    assert asked.status_code == 200 and b"Yes, erase them" in asked.content
    assert User.objects.filter(erased_at__isnull=False).count() == 0

    done = client.post(url, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    assert set(User.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)) == {
        mentor.pk, other_mentor.pk}
    assert User.objects.get(pk=superuser.pk).is_active


def test_a_coordinator_is_not_offered_the_erasure_action(client, coordinator, mentor):
    client.force_login(coordinator)
    url = reverse("admin:mentorprogram_user_changelist")
    assert b"erase_people" not in client.get(url).content
    client.post(url, {"action": "erase_people", "_selected_action": [mentor.pk], "confirmed": "yes"})
    assert User.objects.get(pk=mentor.pk).erased_at is None


def test_each_entry_of_the_registry_is_handled_as_it_says(two, superuser):
    """For every model that refers to a person: deleted rows are gone, anonymised rows hold exactly
    the stated values, kept rows are all still there."""
    from mentorprogram.personal_data import Anonymise, Delete, Keep
    from mentorprogram.privacy.erasure import Erasure
    from mentorprogram.privacy.registry import installed_entries, rows_of

    ann, _ = two
    entries = installed_entries()
    before = {(e.model, e.path): set(rows_of(e, m, ann.person.pk).values_list("pk", flat=True)) for e, m in entries}
    assert all(before.values()), [key for key, ids in before.items() if not ids]  # the person has one of each
    deleted: dict[str, set] = {}  # a row two entries reach (a change to one's own plan) goes if either deletes
    for entry, _ in entries:
        if isinstance(entry.erase, Delete):
            deleted.setdefault(entry.model, set()).update(before[(entry.model, entry.path)])
    person_erase(person=ann.person, by=superuser)
    erased = User.objects.get(pk=ann.person.pk)
    erasure = Erasure(person=ann.person, by=superuser, erased_at=erased.erased_at, old_email=ann.email,
                      old_name=ann.name, first_time=False)
    for entry, model in entries:
        ids = before[(entry.model, entry.path)]
        still = model._base_manager.filter(pk__in=ids)
        if not isinstance(entry.erase, Delete):
            ids = ids - deleted.get(entry.model, set())
        if isinstance(entry.erase, Delete):
            assert not still.exists(), entry.model
        elif isinstance(entry.erase, Keep):
            assert set(still.values_list("pk", flat=True)) == ids, entry.model
        else:
            assert isinstance(entry.erase, Anonymise)
            stated = {name: value(erasure) if callable(value) else value for name, value in entry.erase.values.items()
                      if name != "password"}
            for row in still.values(*stated):
                assert row == stated, entry.model
            assert set(still.values_list("pk", flat=True)) == ids, entry.model
