from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildhoodConfig(AppConfig):
    name = "thukkhon.childhood"
    label = "childhood"
    verbose_name = _("Early childhood")

    def ready(self) -> None:
        from thukkhon.childhood import tasks  # noqa: F401  (registers the job kinds)
