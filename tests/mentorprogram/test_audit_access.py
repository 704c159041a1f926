"""Who looked at whose data: the selectors that serve a person's private data record someone
else's look in that person's trail; the trail's admin is the superusers', read-only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from mentorprogram import audit
from mentorprogram.models import AuditEntry, Membership, User
from tests.factories import UserFactory
from tests.factories.assessments import make_instrument, make_response

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def accesses(person, **filters):
    return audit.trail_for(person).filter(action=ACCESS, **filters)


def test_a_coordinators_view_of_a_mentors_results_is_in_the_mentors_trail(client, program, coordinator, mentor):
    response = make_response(mentor, program, make_instrument(program, domains=1, items_per_domain=2))
    client.force_login(coordinator)
    assert client.get(reverse("assessments:results", args=[response.pk])).status_code == 200

    entry = accesses(mentor).get()
    assert entry.actor == coordinator and entry.object_id == response.pk
    assert entry.additional_data == {"viewed": "assessment results"}


def test_a_mentors_look_at_their_own_results_is_not_an_access(client, program, mentor):
    response = make_response(mentor, program, make_instrument(program, domains=1, items_per_domain=2))
    client.force_login(mentor)
    assert client.get(reverse("assessments:results", args=[response.pk])).status_code == 200
    assert not accesses(mentor).exists()


def test_someone_refused_leaves_no_access(client, program, other_coordinator, mentor):
    response = make_response(mentor, program, make_instrument(program, domains=1, items_per_domain=2))
    client.force_login(other_coordinator)
    assert client.get(reverse("assessments:results", args=[response.pk])).status_code == 404
    assert not accesses(mentor).exists()


def test_a_transcript_its_print_and_its_csv_are_each_recorded(client, coordinator, mentor):
    client.force_login(coordinator)
    for name in ("courses:person_transcript", "courses:transcript_print", "courses:transcript_csv"):
        assert client.get(reverse(name, args=[mentor.pk])).status_code == 200
    assert accesses(mentor, actor=coordinator, additional_data__viewed="training transcript").count() == 3


def test_a_person_summary_is_recorded(client, program, coordinator, mentor):
    client.force_login(coordinator)
    assert client.get(reverse("accountability:person", args=[program.slug, mentor.pk])).status_code == 200
    assert accesses(mentor, actor=coordinator).get().additional_data == {"viewed": f"person summary in {program}"}


def test_the_compliance_csv_is_recorded_in_each_named_mentors_trail(client, program, coordinator, mentor,
                                                                    other_mentor):
    client.force_login(coordinator)
    assert client.get(reverse("accountability:compliance_csv", args=[program.slug])).status_code == 200
    for person in (mentor, other_mentor):
        assert accesses(person, actor=coordinator, additional_data__exported=f"{program} compliance CSV").count() == 1
    assert not accesses(coordinator).exists()


def test_an_admin_csv_export_is_recorded_for_each_person_it_names(client, program, coordinator, mentor, faculty):
    client.force_login(coordinator)
    ids = list(Membership.objects.filter(program=program).values_list("pk", flat=True))
    response = client.post(reverse("admin:mentorprogram_membership_changelist"),
                           {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    for person in (mentor, faculty):
        assert accesses(person, actor=coordinator, additional_data__exported="memberships CSV").count() == 1


def test_the_assessment_responses_csv_is_recorded(client, program, coordinator, mentor):
    response = make_response(mentor, program, make_instrument(program, domains=1, items_per_domain=2))
    client.force_login(coordinator)
    answer = client.post(reverse("admin:assessments_response_changelist"),
                         {"action": "export_csv", "_selected_action": [response.pk]})
    assert answer.status_code == 200
    assert accesses(mentor, additional_data__exported="assessment responses CSV").count() == 1


# --- The admin ---------------------------------------------------------------------------------

def test_a_superuser_reads_and_searches_the_trail_but_changes_nothing(client, superuser, mentor):
    client.force_login(superuser)
    changelist = reverse("admin:mentorprogram_auditentry_changelist")
    assert client.get(changelist, {"q": mentor.email}).status_code == 200
    entry = audit.trail_for(mentor).first()
    assert client.get(reverse("admin:mentorprogram_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:mentorprogram_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:mentorprogram_auditentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    client.post(reverse("admin:mentorprogram_auditentry_change", args=[entry.pk]), {"object_repr": "forged"})
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr
    answer = client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists() and answer.status_code in (200, 302)


def test_a_persons_page_links_to_their_trail_for_superusers_only(client, superuser, coordinator, mentor):
    url = reverse("admin:mentorprogram_user_change", args=[mentor.pk])
    trail = reverse("admin:mentorprogram_auditentry_changelist") + f"?person__id__exact={mentor.pk}"
    client.force_login(superuser)
    assert trail in client.get(url).content.decode()
    response = client.get(trail)
    assert response.status_code == 200
    assert {e.person_id for e in response.context["cl"].result_list} == {mentor.pk}
    client.force_login(coordinator)
    assert trail not in client.get(url).content.decode()
    assert client.get(trail).status_code == 403


def test_coordinators_do_not_see_the_trail_in_the_admin_index(client, coordinator):
    client.force_login(coordinator)
    assert "auditentry" not in client.get(reverse("admin:index")).content.decode()


def test_the_trail_downloads_as_csv(client, superuser, program, coordinator, mentor):
    response = make_response(mentor, program, make_instrument(program, domains=1, items_per_domain=2))
    client.force_login(coordinator)
    client.get(reverse("assessments:results", args=[response.pk]))
    client.force_login(superuser)
    ids = list(audit.trail_for(mentor).values_list("pk", flat=True))
    answer = client.post(reverse("admin:mentorprogram_auditentry_changelist"),
                         {"action": "export_csv", "_selected_action": ids})
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == len(ids)
    viewed = [r for r in rows if r["What happened"] == "viewed"]
    assert viewed[0]["By"] == coordinator.email and viewed[0]["Details"] == "Viewed assessment results"


@pytest.mark.parametrize("people", [2, 40])
def test_the_trails_list_takes_the_same_queries_however_long(client, superuser, people, cold):
    for i in range(people):
        user = UserFactory()
        user.display_name = f"Renamed {i}"
        user.save()
    client.force_login(superuser)
    # session, user, the count of entries, the page of them (with their record kinds, actors and people)
    with cold(4):
        assert client.get(reverse("admin:mentorprogram_auditentry_changelist")).status_code == 200


@pytest.mark.parametrize("people", [2, 120])
def test_an_admin_export_records_its_people_in_the_same_queries_however_many(client, program, coordinator, people,
                                                                              cold):
    users = User.objects.bulk_create([User(email=f"bulk{i}@example.org") for i in range(people)])
    Membership.objects.bulk_create([Membership(user=u, program=program, role="mentor") for u in users])
    ids = list(Membership.objects.filter(program=program).values_list("pk", flat=True))
    client.force_login(coordinator)
    # the admin action's own eight (session, user, scope, the selected rows, the export's rows …),
    # then the people named and their entries, in one INSERT
    with cold(10):
        response = client.post(reverse("admin:mentorprogram_membership_changelist"),
                               {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action=ACCESS, additional_data__exported="memberships CSV").count() == people
