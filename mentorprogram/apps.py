from django.apps import AppConfig
from django.conf import settings


class MentorprogramConfig(AppConfig):
    name = "mentorprogram"
    verbose_name = "People and programs"

    def ready(self) -> None:
        # The SQLite file, the file-system broker and test artifacts live here.
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        from . import checks  # noqa: F401  (registers the system checks)
