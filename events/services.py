"""Editorial writes. Views and the admin call these; they hold the rules."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, EventStatus, Metric, Provenance


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


@transaction.atomic
def provenance_unmerge(*, provenance: Provenance) -> Event:
    """Undo a merge: make one source's account of an event a draft event of its own.

    The new event takes what that source itself said (title and dates from the loader's
    report), the account and that source's figures; the event it leaves keeps the rest.
    A later re-import of the source finds the new event by its key and leaves it apart.
    """
    event = provenance.event
    if event.provenances.count() < 2:
        raise ValidationError(
            _("This is the only account of the event; there is nothing to separate."),
            code="only_account",
        )
    told = next(
        (
            entry
            for entry in provenance.source.report.get("events", [])
            if entry.get("key") == provenance.extraction_key and provenance.extraction_key
        ),
        {},
    )

    def day(value: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    separate = Event(
        title=told.get("title") or provenance.excerpt[:60],
        summary=provenance.excerpt,
        date_start=day(told.get("date_start")) if told else event.date_start,
        date_end=day(told.get("date_end")) if told else event.date_end,
        date_precision=told.get("date_precision", event.date_precision),
        date_text=told.get("date_text", event.date_text),
        kind=told.get("kind", event.kind),
        confidence=event.confidence,
    )
    separate.full_clean(validate_constraints=False)
    separate.save()
    Provenance.objects.filter(pk=provenance.pk).update(event=separate, merge_reason="")
    Metric.objects.filter(event=event, source=provenance.source_id).update(event=separate)
    return separate
