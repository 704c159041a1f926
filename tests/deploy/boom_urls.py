"""A URL whose view fails with private text in its form and its error, for the Sentry test."""

from __future__ import annotations

from django.urls import path


def boom(request):
    raise ValueError(f"could not save the notes of {request.POST.get('email')}")


urlpatterns = [path("boom/", boom)]
