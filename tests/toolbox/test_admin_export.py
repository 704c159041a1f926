"""CSV export actions on the admin lists, scoped like the lists themselves."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from mentorprogram.models import Membership
from tests.factories import MembershipFactory, UserFactory
from toolbox.admin_export import export_csv_action


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def export(client, model: str, pks, *, select_across: bool = False):
    return client.post(reverse(f"admin:mentorprogram_{model}_changelist"), {
        "action": "export_csv", "_selected_action": [str(pk) for pk in pks],
        "select_across": "1" if select_across else "0", "index": "0",
    })


def test_it_exports_the_selected_memberships_with_a_header(client, program, coordinator, mentor):
    client.force_login(coordinator)
    membership = Membership.objects.get(user=mentor)
    rows = rows_of(export(client, "membership", [membership.pk]))
    assert rows[0][:6] == ["Email", "Name", "Program", "Role", "Status", "Department"]
    assert rows[1][:5] == [mentor.email, mentor.display_name, program.name, "mentor", "active"]
    assert len(rows) == 2


def test_it_never_exports_another_programs_members_even_when_their_ids_are_posted(
    client, program, other_program, coordinator, mentor
):
    theirs = MembershipFactory(program=other_program)
    client.force_login(coordinator)
    everything = Membership.objects.values_list("pk", flat=True)
    for across in (False, True):
        emails = [r[0] for r in rows_of(export(client, "membership", everything, select_across=across))[1:]]
        assert mentor.email in emails
        assert theirs.user.email not in emails


def test_it_exports_people_of_the_coordinators_programs_only(client, program, other_program, coordinator, mentor):
    stranger = MembershipFactory(program=other_program).user
    client.force_login(coordinator)
    rows = rows_of(export(client, "user", [mentor.pk, stranger.pk]))
    assert [r[0] for r in rows[1:]] == [mentor.email]


def test_it_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, program, coordinator):
    person = UserFactory(display_name='=HYPERLINK("http://evil.example","click")')
    MembershipFactory(user=person, program=program, department="+1 cell")
    client.force_login(coordinator)
    rows = rows_of(export(client, "user", [person.pk]))
    assert rows[1][1].startswith("'=")
    rows = rows_of(export(client, "membership", Membership.objects.filter(user=person).values_list("pk", flat=True)))
    assert rows[1][5] == "'+1 cell"


def test_it_exports_a_large_list_in_one_query(client, program, coordinator, django_assert_num_queries, rf):
    for _ in range(30):
        MembershipFactory(program=program)
    action = export_csv_action(("Email", "user__email"), ("Program", "program__name"))
    queryset = Membership.objects.filter(program=program)
    with django_assert_num_queries(1):
        response = action(None, rf.get("/"), queryset)
    assert len(rows_of(response)) == 1 + queryset.count()


def test_it_accepts_callables_and_labels_fields_by_their_names(program, rf):
    MembershipFactory(program=program, role=Membership.Role.FACULTY, department="Pediatrics")
    action = export_csv_action("department", "user__email", ("Role", lambda m: m.get_role_display()),
                               select_related=["user"])
    rows = rows_of(action(None, rf.get("/"), Membership.objects.filter(program=program)))
    assert rows[0] == ["Department", "User email address", "Role"]
    assert rows[1][0] == "Pediatrics" and rows[1][2] == "Faculty"
