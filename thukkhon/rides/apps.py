from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RidesConfig(AppConfig):
    name = "thukkhon.rides"
    label = "rides"
    verbose_name = _("People Assistance Vehicle")

    def ready(self) -> None:
        from thukkhon.rides import daily, notifications  # noqa: F401  (register the job kinds)
