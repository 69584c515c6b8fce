from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChroniclesConfig(AppConfig):
    name = "chronicles"
    verbose_name = _("chronicles")
