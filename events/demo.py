"""Demo content for ``make run``: a demo editor, and a first editorial pass over the seeds.

The seeds themselves go through the real loader (``load_sources``); this module only adds
what a fresh archive has not got yet, so that the public pages have something to show.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from events import roles, services
from events.models import Event, EventKind

DEMO_EDITOR_USERNAME = "editor"
DEMO_EDITOR_PASSWORD = "unionarchive-demo"
# Drafts the loader is this sure of are published by the demo, standing in for an editor.
DEMO_PUBLISH_CONFIDENCE = 0.8


@transaction.atomic
def demo_publish(threshold: float = DEMO_PUBLISH_CONFIDENCE) -> int:
    """Publish the confident, dated, happened drafts — once, on an archive with nothing
    published, so that a real editor's decisions are never second-guessed."""
    if Event.objects.published().exists():
        return 0
    confident = Event.objects.drafts().filter(
        confidence__gte=threshold, kind=EventKind.HAPPENED, date_start__isnull=False
    )
    count = 0
    for event in confident:
        services.event_publish(event=event, by=None)
        count += 1
    return count


def demo_editor_ensure(
    username: str = DEMO_EDITOR_USERNAME, password: str = DEMO_EDITOR_PASSWORD
) -> tuple[Any, bool]:
    """A staff account in the 主编 role: it may do everything the editorial desk offers.

    The password is set only when the account is made: a developer who changed it keeps it.
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=roles.CHIEF_EDITOR))
    return user, created
