from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command

from courses.models import Completion, Course, CourseSession, QuickGuide, Reading


def test_it_ships_the_seed_catalog(db):
    self_paced = Course.objects.get(modality="self_paced", program=None)
    assert self_paced.cme_credit_hours == Decimal("2.5")
    assert {t.name for t in self_paced.themes.all()} == {
        "good and bad starts", "stress", "mood", "gender and inter-generational dynamics",
        "giving and receiving feedback"}
    assert Course.objects.filter(modality="workshop_series", provider__contains="Teaching and Mentoring").exists()
    assert Course.objects.filter(modality="annual_event", title="Education Day").exists()
    network = Course.objects.get(modality="network")
    assert network.needs_external_account
    assert Course.objects.filter(modality="quick_guide", quick_guide__isnull=False).count() == 2
    assert QuickGuide.objects.filter(program=None).count() == 2
    assert Reading.objects.filter(program=None).count() >= 2
    assert all(c.domains.exists() for c in Course.objects.filter(program=None))


def test_the_demo_gives_the_mentor_credit_a_plan_and_sessions_once(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", "--mentors", "6", stdout=None)
    counts = (Completion.objects.count(), CourseSession.objects.count(), Course.objects.count())
    mentor = Completion.objects.filter(user__email="mentor@example.org")
    assert mentor.filter(status="completed", credit_hours__gt=0).count() >= 2
    assert mentor.filter(status="planned").exists()
    assert not mentor.filter(course__modality="self_paced").exists()
    assert Completion.objects.filter(user__email__startswith="mentor0").exists()
    call_command("seed_demo", "--mentors", "6", stdout=None)
    assert (Completion.objects.count(), CourseSession.objects.count(), Course.objects.count()) == counts
