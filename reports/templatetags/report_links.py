from __future__ import annotations

from django import template

from mentorprogram import permissions
from mentorprogram.models import Program

register = template.Library()


@register.simple_tag(takes_context=True)
def report_programs(context):
    """The programs whose report the signed-in person may open (for the admin index)."""
    user = context["request"].user
    ids = permissions.admin_program_ids(user)
    programs = Program.objects.only("name", "slug").order_by("name")
    return list(programs if ids is None else programs.filter(pk__in=ids))
