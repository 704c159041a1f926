"""Every admin page a coordinator works in — each program-scoped model's list, change and add
pages — passes the accessibility audit. The admin is the coordinators' whole interface."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from mentorprogram.admin_scoping import ProgramScopedMixin
from tests.factories import PROGRAM_OBJECT_FACTORIES

from .helpers import audit, sign_in

SCOPED = sorted((m for m, a in admin.site._registry.items() if isinstance(a, ProgramScopedMixin)),
                key=lambda m: m._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_page_of_a_coordinators_programs_passes_the_audit(page, coordinator, program):
    objects = {model: PROGRAM_OBJECT_FACTORIES[model](program) for model in SCOPED}
    sign_in(page, coordinator)
    for model, obj in objects.items():
        for url, allowed in ((admin_url(model, "changelist"), {200}),
                             (admin_url(model, "change", obj.pk), {200}),
                             (admin_url(model, "add"), {200, 403})):  # some are made elsewhere (challenges)
            response = page.goto(url)
            assert response is not None and response.status in allowed, f"{url} answered {response and response.status}"
            audit(page)
