"""Editorial writes. Views and the admin call these; they hold the rules."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from events.models import Event, EventStatus


def event_note_edits(*, event: Event, fields: Iterable[str]) -> list[str]:
    """Remember which fields an editor changed, so that a re-import leaves them alone.

    Returns the updated list; the caller saves the event (the admin saves it anyway).
    """
    edited = set(event.edited_fields or []) | (set(fields) & set(Event.EDITABLE_FIELDS))
    event.edited_fields = sorted(edited)
    return event.edited_fields


def event_publish(*, event: Event, by: AbstractBaseUser | None) -> Event:
    """Publish a reviewed event; it appears on the public site and in the API."""
    now = timezone.now()
    event.status = EventStatus.PUBLISHED
    event.published_at = event.published_at or now
    event.reviewed_by = by
    event.reviewed_at = now
    event.full_clean(exclude=["category"], validate_constraints=False)
    event.save(update_fields=["status", "published_at", "reviewed_by", "reviewed_at", "updated_at"])
    return event
