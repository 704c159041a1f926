from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<slug:slug>/", views.program_report, name="program"),
    path("<slug:slug>/<slug:table>.csv", views.program_report_csv, name="csv"),
]
