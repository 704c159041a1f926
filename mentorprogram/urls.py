from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("profile/", views.profile, name="profile"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("programs/<slug:slug>/", views.program_detail, name="program_detail"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("assessments/", include("assessments.urls")),
    path("community/", include("community.urls")),
    path("reminders/", include("reminders.urls")),
    path("accountability/", include("accountability.urls")),
    path("courses/", include("courses.urls")),
    path("reports/", include("reports.urls")),
]

if settings.BENCH_ENDPOINTS:
    from . import bench_views

    urlpatterns.append(path("bench/bare", bench_views.bare, name="bench_bare"))
