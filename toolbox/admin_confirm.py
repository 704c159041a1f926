"""Admin actions that ask before they act, in the style of Django's delete confirmation.

An action that emails people or changes many rows first shows a page with how many objects it
will touch, what will happen, and which of the selected it leaves alone and why ("has not started
yet"); only the button on that page runs it. When none of the selected can be acted on, nothing is
shown but a message saying why.

    @confirmed_action(
        description="Cancel the selected meetings",
        refuse=lambda meeting, now: "already cancelled" if meeting.status == "cancelled" else None,
        what_happens=lambda admin, request, meetings: f"{len(meetings)} meeting(s) will be cancelled.",
        button="Yes, cancel them",
    )
    def cancel_meetings(self, request, meetings):  # only the objects not refused
        ...

``refuse(obj, now)`` returns the reason an object is left alone, or None. The checks run again
when the button is pressed, on the objects as they are then.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

CONFIRM_FIELD = "confirmed"
LISTED = 50


def confirmed_action(
    *, description: str, what_happens: Callable, button: str,
    refuse: Callable | None = None, permissions: Sequence[str] | None = None,
):
    def decorator(run: Callable):
        @functools.wraps(run)
        def action(modeladmin, request, queryset):
            now = timezone.now()
            objects, refused = [], []
            for obj in queryset:
                reason = refuse(obj, now) if refuse else None
                (refused.append((obj, reason)) if reason else objects.append(obj))
            if not objects:
                reasons = "; ".join(f"{obj}: {reason}" for obj, reason in refused[:5])
                modeladmin.message_user(request, f"Nothing was done. {reasons}.", messages.ERROR)
                return None
            if request.POST.get(CONFIRM_FIELD) == "yes":
                return run(modeladmin, request, objects)
            opts = modeladmin.model._meta
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": f"{description}?",
                "opts": opts,
                "app_label": opts.app_label,
                "action": run.__name__,
                "description": description,
                "what_happens": what_happens(modeladmin, request, objects),
                "objects": objects[:LISTED],
                "more": max(0, len(objects) - LISTED),
                "count": len(objects),
                "refused": refused[:LISTED],
                "refused_more": max(0, len(refused) - LISTED),
                "selected": [obj.pk for obj in objects],
                "button": button,
                "confirm_field": CONFIRM_FIELD,
            }
            request.current_app = modeladmin.admin_site.name
            return TemplateResponse(request, "admin/confirm_action.html", context)

        kwargs = {"description": description}
        if permissions is not None:
            kwargs["permissions"] = permissions
        return admin.action(**kwargs)(action)

    return decorator
