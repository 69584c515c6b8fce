"""Editorial writes. Views and the admin call these; they hold the rules."""

from collections.abc import Iterable

from events.models import Event


def event_note_edits(*, event: Event, fields: Iterable[str]) -> list[str]:
    """Remember which fields an editor changed, so that a re-import leaves them alone.

    Returns the updated list; the caller saves the event (the admin saves it anyway).
    """
    edited = set(event.edited_fields or []) | (set(fields) & set(Event.EDITABLE_FIELDS))
    event.edited_fields = sorted(edited)
    return event.edited_fields
