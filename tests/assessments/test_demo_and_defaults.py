"""The default instruments (shipped as data) and the demo data."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import constants, follow_ups, selectors
from assessments.defaults import DEFAULT_INSTRUMENTS, install_default_instruments
from assessments.models import Answer, Domain, Instrument, InstrumentVersion, Item, Response
from mentorprogram.models import Program, User


def install():
    return install_default_instruments(Instrument=Instrument, InstrumentVersion=InstrumentVersion, Domain=Domain,
                                       Item=Item, now=timezone.now())


def test_it_installs_the_two_default_instruments_once(db):
    Instrument.objects.filter(program__isnull=True).delete()
    assert len(install()) == 3  # the two self-assessments and the mentee feedback
    assert install() == []
    readiness = Instrument.objects.get(slug=constants.READINESS_CHECKLIST_SLUG, program__isnull=True)
    skills = Instrument.objects.get(slug=constants.SKILLS_INVENTORY_SLUG, program__isnull=True)

    r_version, s_version = readiness.versions.get(), skills.versions.get()
    assert r_version.published_at is not None
    assert tuple(r_version.domains.values_list("key", flat=True)) == constants.READINESS_DOMAIN_KEYS
    assert tuple(s_version.domains.values_list("key", flat=True)) == constants.SKILLS_DOMAIN_KEYS
    assert set(Item.objects.filter(domain__version=r_version).values_list("response_type", flat=True)) == {"checklist"}
    skill_items = Item.objects.filter(domain__version=s_version)
    assert skill_items.count() == 24
    assert all(i.response_type == "ability_willingness" and i.allow_not_applicable and (i.scale_min, i.scale_max)
               == (1, 7) and len(i.scale_labels) == 7 for i in skill_items)
    for domain in Domain.objects.filter(version__in=[r_version, s_version]):
        assert domain.items.count() == 4


def test_it_gives_every_default_domain_a_name_and_four_prompts():
    for spec in DEFAULT_INSTRUMENTS:
        for key, description, prompts in spec["domains"]:
            assert constants.DOMAIN_NAMES[key]
            assert description
            assert len(prompts) == 4
            assert len(set(prompts)) == 4


def test_it_seeds_demo_assessments_with_growth_and_a_second_run_changes_nothing(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", mentors=8)
    first = (Response.objects.count(), Answer.objects.count())
    call_command("seed_demo", mentors=8)
    assert (Response.objects.count(), Answer.objects.count()) == first

    program = Program.objects.get()
    mentor = User.objects.get(email="mentor@example.org")
    statuses = {s.instrument.kind: s for s in selectors.assessment_results(user=mentor, program=program)}
    skills = statuses["skills"]
    assert skills.baseline.response.occasion == "baseline"
    assert skills.latest.response.occasion == "follow_up"
    assert skills.overall_change > 0.5
    assert statuses["readiness"].baseline is not None

    faculty = User.objects.get(email="faculty@example.org")
    assert Response.objects.filter(user=faculty, status="submitted", occasion="baseline").count() == 2

    extra = Response.objects.filter(user__email__startswith="mentor0")
    assert extra.filter(status="draft").exists()
    assert extra.filter(occasion="follow_up").exists()
    # Follow-ups come round six and twelve months after the baseline: some are due, one is overdue.
    assert program.follow_up_cadences.get().months == "6, 12"
    due = follow_ups.open_follow_ups(cadences=follow_ups.active_cadences(), now=timezone.now())
    assert len(due) >= 2 and follow_ups.overdue_follow_ups(program=program)[0] >= 1

    # The demo mentor's pages work; the demo faculty member gets a 404 on them.
    client.login(email="mentor@example.org", password="mentor-demo")
    results_url = reverse("assessments:results", args=[skills.latest.response.pk])
    assert client.get(results_url).status_code == 200
    client.login(email="faculty@example.org", password="mentor-demo")
    assert client.get(results_url).status_code == 404

