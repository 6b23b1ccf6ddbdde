from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FuneralsConfig(AppConfig):
    name = "thukkhon.funerals"
    label = "funerals"
    verbose_name = _("Funerals and cremation")
