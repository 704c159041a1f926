from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mentorprogram import views
from toolbox import health

urlpatterns = [
    path("", include("dashboard.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("profile/", views.profile, name="profile"),
    path("profile/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("profile/my-data/", views.data_export_request, name="data_export_request"),
    path("profile/my-data/<str:token>/", views.data_export_download, name="data_export_download"),
    path("profile/erase/", views.erase_account, name="erase_account"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/welcome/<str:uidb36>/<str:key>/", views.invitation_welcome, name="invitation_welcome"),
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
    from mentorprogram import bench_views

    urlpatterns.append(path("bench/bare", bench_views.bare, name="bench_bare"))
