from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _remove_triggers(sender, using, **kwargs):
    from events import triggers

    triggers.uninstall(connections[using])


def _install_triggers(sender, using, **kwargs):
    from events import triggers

    triggers.install(connections[using])


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("editorial archive")

    def ready(self):
        # Once per migrate run: the signals are sent per app, and only ours is wanted.
        pre_migrate.connect(_remove_triggers, sender=self, dispatch_uid="span-triggers-off")
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="span-triggers-on")
