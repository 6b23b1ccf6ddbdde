from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RidesConfig(AppConfig):
    name = "thukkhon.rides"
    label = "rides"
    verbose_name = _("People Assistance Vehicle")
