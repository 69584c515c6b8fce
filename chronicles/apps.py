from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChroniclesConfig(AppConfig):
    name = "chronicles"
    verbose_name = _("chronicles")

    def ready(self):
        # Backups carry the chronicles: events' export and restore take this section along.
        from chronicles.archive import CHRONICLES_SECTION
        from events.archive import archive_section_register

        archive_section_register(CHRONICLES_SECTION)
