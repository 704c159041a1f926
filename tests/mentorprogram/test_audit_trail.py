"""The audit trail (mentorprogram/audit.py): every change to a followed model, before → after, who
made it, and the person it is about; erasure of a person's values from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from accountability import services as plan_services
from accountability.models import Mentorship, PlanItem
from assessments.models import Item
from mentorprogram import audit, services
from mentorprogram.models import AuditEntry, Membership, PrivacyThresholdChange, User
from tests.factories import PROGRAM_OBJECT_FACTORIES, ProgramFactory, UserFactory
from tests.factories.accountability import (
    FeedbackRoundFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
)
from tests.factories.assessments import ItemFactory, make_instrument, make_response

pytestmark = pytest.mark.django_db

C, U, D = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.DELETE


def _make(label: str, program):
    """One object of each followed model, and a field of it to change (name, new value)."""
    if label == "assessments.Item":
        return ItemFactory(domain__version__instrument__program=program), "prompt", "Changed wording"
    if label == "accountability.PlanItem":
        return PlanItemFactory(plan__program=program), "title", "Changed title"
    if label == "accountability.Mentorship":
        return MenteeFactory(program=program).mentorships.first(), "status", Mentorship.Status.PAUSED
    if label == "accountability.MenteeMeeting":
        return MenteeMeetingFactory(mentee__program=program), "duration_minutes", 50
    if label == "accountability.MenteeGoal":
        return MenteeGoalFactory(mentee__program=program), "status", "achieved"
    if label == "accountability.FeedbackRound":
        return FeedbackRoundFactory(schedule__program=program), "opens_on", dt.date(2031, 1, 15)
    if label == "mentorprogram.PrivacyThresholdChange":
        change = PrivacyThresholdChange.objects.create(program=program, changed_by_email="a@example.org",
                                                       old_threshold=5, new_threshold=6)
        return change, "new_threshold", 7
    obj = PROGRAM_OBJECT_FACTORIES[_model(label)](program)
    field = {
        "mentorprogram.User": ("display_name", "Renamed Person"),
        "mentorprogram.Membership": ("department", "Cardiology"),
        "mentorprogram.Program": ("mission", "A new mission"),
        "assessments.Instrument": ("name", "Renamed instrument"),
        "assessments.InstrumentVersion": ("number", 9),
        "assessments.Domain": ("name", "Renamed domain"),
        "assessments.Response": ("occasion", "follow_up"),
        "assessments.FollowUpCadence": ("months", "6, 18"),
        "accountability.ReportingRequirement": ("target", 9),
        "accountability.FeedbackSchedule": ("after_meetings", 4),
        "accountability.AccountabilityPlan": ("period_end", dt.date(2031, 7, 1)),
        "accountability.Mentee": ("department", "Surgery"),
        "courses.Completion": ("credit_hours", "0.5"),
    }[label]
    return obj, *field


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


@pytest.mark.parametrize("label", list(audit._FOLLOWED))
def test_it_records_each_followed_models_creation_and_change_before_and_after(label, program):
    obj, field, value = _make(label, program)
    assert AuditEntry.objects.get_for_object(obj).filter(action=C).exists()
    obj.refresh_from_db()
    before = getattr(obj, _model(label)._meta.get_field(field).attname)
    setattr(obj, field, value)
    obj.save()

    entry = AuditEntry.objects.get_for_object(obj).filter(action=U).latest("pk")
    old, new = entry.changes[field]
    assert str(old) == str(before) and str(new) == str(value)
    assert entry.person_id == audit.person_id_of(obj)


def test_it_names_the_person_each_entry_is_about(program, mentor):
    item = PlanItemFactory(plan__program=program, plan__mentor=mentor)
    entry = AuditEntry.objects.get_for_object(item).get()
    assert entry.person_id == mentor.pk
    assert list(audit.trail_for(mentor).filter(pk=entry.pk)) == [entry]


def test_it_keeps_no_secret_and_only_that_a_private_note_changed(program):
    user = UserFactory(email="secret@example.org")
    user.set_password("a new long password")
    user.save()
    assert not any("password" in (e.changes or {}) for e in AuditEntry.objects.get_for_object(user))
    meeting = MenteeMeetingFactory(mentee__program=program, notes="")
    meeting.notes = "Worried about the tenure review"
    meeting.save()
    entry = AuditEntry.objects.get_for_object(meeting).filter(action=U).get()
    assert entry.changes["notes"] == ["", audit.PRIVATE_TEXT]
    assert "tenure" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_it_records_a_deletion_with_what_was_there(program, mentor):
    membership = Membership.objects.get(user=mentor, program=program)
    pk = membership.pk
    membership.delete()
    entry = AuditEntry.objects.get(object_id=pk, action=D, content_type__model="membership")
    assert entry.changes["role"] == ["mentor", None]
    assert entry.person_id == mentor.pk


def test_a_change_in_a_request_names_its_actor_and_one_by_a_task_none(client, superuser, program, mentor):
    client.force_login(superuser)
    membership = Membership.objects.get(user=mentor, program=program)
    response = client.post(f"/admin/mentorprogram/membership/{membership.pk}/change/", {
        "user": mentor.pk, "program": program.pk, "role": "mentor", "status": "alumni", "department": "",
        "joined_on": membership.joined_on.isoformat(),
    })
    assert response.status_code == 302
    entry = AuditEntry.objects.get_for_object(membership).filter(action=U).get()
    assert entry.actor == superuser and entry.changes["status"] == ["active", "alumni"]

    membership.refresh_from_db()
    membership.status = "active"
    membership.save()  # no request: a task or a command
    assert AuditEntry.objects.get_for_object(membership).filter(action=U).latest("pk").actor is None


def test_the_privacy_threshold_change_is_in_the_programs_trail(program, superuser):
    services.program_set_privacy_threshold(program=program, threshold=8, by=superuser)
    entry = AuditEntry.objects.get_for_object(program).filter(action=U).get()
    assert entry.changes == {"privacy_threshold": [5, 8]} and entry.actor == superuser


def test_a_plan_items_conditional_update_is_recorded(program, mentor):
    item = PlanItemFactory(plan__program=program, plan__mentor=mentor, title="Old title")
    item = PlanItem.objects.select_related("plan").get(pk=item.pk)
    plan_services.plan_item_update(item=item, by=mentor, version=item.version, title="New title")
    entry = AuditEntry.objects.get_for_object(item).filter(action=U).get()
    assert entry.changes["title"] == ["Old title", "New title"] and entry.person_id == mentor.pk


def test_answers_written_in_bulk_are_recorded_on_their_response(program, mentor):
    version = make_instrument(program, domains=1, items_per_domain=2)
    response = make_response(mentor, program, version, rating=5)
    item = Item.objects.filter(domain__version=version).first()
    key = f"answer to item {item.pk}"
    entries = [e for e in AuditEntry.objects.get_for_object(response).filter(action=U) if key in e.changes]
    assert len(entries) == 1
    before, after = entries[0].changes[key]
    assert before is None and after.startswith("5") and entries[0].person_id == mentor.pk


# --- Erasure -----------------------------------------------------------------------------------

def test_scrub_person_removes_names_emails_and_free_text_and_records_the_erasure(program, mentor, superuser):
    mentee = MenteeFactory(program=program, mentor=mentor, name="Dana Scully", email="dana@example.org",
                           department="Medicine")
    mentee.department = "Pathology"
    mentee.save()
    mentor.display_name = "Fox Mulder"
    mentor.save()
    other = UserFactory(display_name="Walter Skinner")
    other.display_name = "W. Skinner"
    other.save()

    changed = audit.scrub_person(mentor, by=superuser)

    assert changed > 0
    text = str(list(AuditEntry.objects.filter(person=mentor).values_list("changes", "object_repr", "actor_email")))
    for value in ("Dana Scully", "dana@example.org", "Medicine", "Pathology", "Fox Mulder", mentor.email):
        assert value not in text
    # What kind of change, and when, stays; so does everyone else's trail.
    assert AuditEntry.objects.get_for_object(mentee).filter(action=U).get().changes["department"] == [
        audit.ERASED, audit.ERASED]
    assert AuditEntry.objects.get_for_object(other).filter(action=U).get().changes["display_name"] == [
        "Walter Skinner", "W. Skinner"]
    erasure = AuditEntry.objects.get(person=mentor, additional_data__event="erasure")
    assert erasure.actor == superuser and "Fox" not in str(erasure.changes)


def test_scrub_person_twice_is_scrub_person_once(program, mentor, superuser):
    MenteeFactory(program=program, mentor=mentor, name="Dana Scully")
    audit.scrub_person(mentor, by=superuser)
    before = list(AuditEntry.objects.order_by("pk").values())
    assert audit.scrub_person(mentor, by=superuser) == 0
    assert list(AuditEntry.objects.order_by("pk").values()) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_on_postgresql_the_database_refuses_to_edit_or_delete_an_entry(program):
    from django.db import DatabaseError, transaction

    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_removing_an_account_keeps_the_entries_it_made(program, superuser):
    actor = UserFactory()
    with audit.acting(actor):
        ProgramFactory(slug="another")
    made = AuditEntry.objects.filter(actor=actor).count()
    assert made
    User.objects.filter(pk=actor.pk).delete()
    assert AuditEntry.objects.filter(actor_email=actor.email, actor=None).count() == made


def test_scrub_person_after_anonymising_also_takes_their_old_name_out_of_others_entries(program, coordinator,
                                                                                        superuser):
    PrivacyThresholdChange.objects.create(program=program, changed_by=coordinator,
                                          changed_by_email="coordinator@example.org", old_threshold=5,
                                          new_threshold=6)
    coordinator.email, coordinator.display_name = f"erased-{coordinator.pk}@invalid", ""
    coordinator.save()  # the erasure anonymises the account first, then scrubs the trail

    audit.scrub_person(coordinator, by=superuser)

    everything = str(list(AuditEntry.objects.values_list("changes", "object_repr", "actor_email")))
    assert "coordinator@example.org" not in everything
    threshold_change = AuditEntry.objects.filter(content_type__model="privacythresholdchange").get()
    assert threshold_change.changes["changed_by_email"] == [None, audit.ERASED]
    assert threshold_change.changes["new_threshold"] == [None, 6]


def test_a_request_records_the_address_the_rate_limits_trust(client, superuser, program, mentor, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.force_login(superuser)
    membership = Membership.objects.get(user=mentor, program=program)
    client.post(f"/admin/mentorprogram/membership/{membership.pk}/change/", {
        "user": mentor.pk, "program": program.pk, "role": "mentor", "status": "alumni", "department": "",
        "joined_on": membership.joined_on.isoformat(),
    }, HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")  # the first entry is the client's say; the last our proxy's
    assert AuditEntry.objects.get_for_object(membership).filter(action=U).get().remote_addr == "10.0.0.9"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 3
    assert client.get("/admin/", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 200  # too short: no address
