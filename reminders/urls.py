from __future__ import annotations

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("rsvp/<str:token>/<str:answer>/", views.rsvp, name="rsvp"),
]
