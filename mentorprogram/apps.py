from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class MentorprogramConfig(AppConfig):
    name = "mentorprogram"
    verbose_name = "People and programs"

    def ready(self) -> None:
        # The SQLite file, the file-system broker's folders and test artifacts live under var/.
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from toolbox import checks  # noqa: F401  (registers the system checks)

        from . import audit, mfa, session_limits

        audit.register()

        user_logged_in.connect(session_limits.record_sign_in, dispatch_uid="mentorprogram.session_limits.sign_in")

        post_save.connect(mfa.record_enrolment, sender=mfa.Authenticator, dispatch_uid="mentorprogram.mfa.enrolment")
