"""Editorial writes on chronicles, and the snapshot that publishing freezes.

The admin calls these; they hold the rules. The snapshot is a plain dict so that the
exports (``chronicles.exports``) render a published edition and a preview of the draft
with the same code.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chronicles.exports import chronicle_markdown
from chronicles.models import Chronicle, ChronicleEdition, ChronicleEntry
from events.extraction.dates import date_text_zh
from events.models import Event, EventStatus

# Fields of an entry whose change between editions the public page reports.
COMPARED_FIELDS = ("title", "text", "date_text")


def chronicle_create(*, year: int, title: str = "", introduction: str = "") -> Chronicle:
    """A new, empty chronicle; the title defaults to “YYYY年工会工作大事记”."""
    chronicle = Chronicle(year=year, title=title, introduction=introduction)
    chronicle.full_clean()
    chronicle.save()
    return chronicle


def _next_position(*, chronicle: Chronicle, day) -> int:
    last = chronicle.entries.filter(event__date_start=day).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def chronicle_entry_add(*, chronicle: Chronicle, event: Event, text: str = "") -> ChronicleEntry:
    """Add a published event of the chronicle's year, after the entries already on its day."""
    entry = ChronicleEntry(chronicle=chronicle, event=event, text=text)
    if event.date_start is not None:
        entry.position = _next_position(chronicle=chronicle, day=event.date_start)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def chronicle_populate(*, chronicle: Chronicle) -> int:
    """Add every published event of the year that the chronicle does not hold yet.

    Never removes an entry nor changes a position or a text an editor set: new events
    of a day come after the entries already there. Returns how many entries were added.
    """
    events = (
        Event.objects.published()
        .filter(date_start__year=chronicle.year)
        .exclude(chronicle_entries__chronicle=chronicle)
        .chronological()
    )
    next_positions = {
        row["event__date_start"]: row["last"] + 1
        for row in chronicle.entries.values("event__date_start").annotate(last=Max("position"))
    }
    entries = []
    for event in events:
        position = next_positions.get(event.date_start, 0)
        next_positions[event.date_start] = position + 1
        entries.append(ChronicleEntry(chronicle=chronicle, event=event, position=position))
    ChronicleEntry.objects.bulk_create(entries)
    return len(entries)


@transaction.atomic
def chronicle_entry_move(*, entry: ChronicleEntry, position: int) -> ChronicleEntry:
    """Put ``entry`` at ``position`` (0 first) among the entries of its day.

    The day's entries are renumbered 0, 1, 2 … in their new order; a position past the
    end puts the entry last. Entries of other days keep their positions.
    """
    if position < 0:
        raise ValidationError(
            {"position": ValidationError(_("A position cannot be negative."), code="negative")}
        )
    siblings = list(
        ChronicleEntry.objects.select_for_update()
        .filter(chronicle=entry.chronicle_id, event__date_start=entry.event.date_start)
        .exclude(pk=entry.pk)
        .in_chronicle_order()
    )
    siblings.insert(min(position, len(siblings)), entry)
    for index, sibling in enumerate(siblings):
        sibling.position = index
    ChronicleEntry.objects.bulk_update(siblings, ["position"])
    return entry


def chronicle_snapshot(
    *, chronicle: Chronicle, edition: int | None = None, published_at=None
) -> dict[str, Any]:
    """The chronicle as it reads now, as plain JSON data the exports render.

    An entry's text is the editor's entry text, else the event's summary. ``edition``
    and ``published_at`` are ``None`` for a preview of the draft.
    """
    entries = chronicle.entries.select_related("event").in_chronicle_order()
    return {
        "year": chronicle.year,
        "title": chronicle.title or str(chronicle),
        "introduction": chronicle.introduction,
        "edition": edition,
        "published_at": published_at.isoformat() if published_at else None,
        "entries": [
            {
                "event": entry.event_id,
                "date_start": entry.event.date_start.isoformat()
                if entry.event.date_start
                else None,
                "date_end": entry.event.date_end.isoformat() if entry.event.date_end else None,
                "precision": entry.event.date_precision,
                "date_text": date_text_zh(
                    entry.event.date_start, entry.event.date_end, entry.event.date_precision
                ),
                "title": entry.event.title,
                "text": entry.text or entry.event.summary,
            }
            for entry in entries
        ],
    }


@transaction.atomic
def chronicle_publish(*, chronicle: Chronicle, by: AbstractBaseUser | None) -> ChronicleEdition:
    """Freeze the chronicle as it reads now into a new edition (1, 2, 3 …).

    Refused when the chronicle is empty or holds an event that is no longer published
    or no longer starts in its year (an editor changed the event since it was added).
    """
    # The lock makes two editors publishing at once take numbers one after the other.
    chronicle = Chronicle.objects.select_for_update().get(pk=chronicle.pk)
    if not chronicle.entries.exists():
        raise ValidationError(_("The chronicle has no entries to publish."), code="empty")
    stale = chronicle.entries.exclude(
        Q(event__status=EventStatus.PUBLISHED) & Q(event__date_start__year=chronicle.year)
    ).select_related("event")
    if stale:
        raise ValidationError(
            _(
                "These events are no longer published or no longer in %(year)s; "
                "remove their entries first: %(titles)s"
            ),
            code="entries_not_publishable",
            params={"year": chronicle.year, "titles": "、".join(e.event.title for e in stale)},
        )
    last = chronicle.editions.aggregate(last=Max("number"))["last"] or 0
    now = timezone.now()
    # The local date is what the printed edition states.
    snapshot = chronicle_snapshot(
        chronicle=chronicle, edition=last + 1, published_at=timezone.localtime(now)
    )
    edition = ChronicleEdition(
        chronicle=chronicle,
        number=last + 1,
        published_at=now,
        published_by=by,
        snapshot=snapshot,
        markdown=chronicle_markdown(snapshot),
    )
    edition.full_clean()
    edition.save()
    return edition


def edition_changes(*, edition: ChronicleEdition) -> dict[str, Any]:
    """What ``edition`` changed compared with the edition before it.

    Entries are matched by event id. Returns ``previous`` (its number, ``None`` for a
    first edition, whose entries all count as added), ``added`` and ``removed`` (snapshot
    entries), ``changed`` (``{"event", "fields", "before", "after"}`` for entries whose
    title, text or date text differ), and whether the title or introduction changed.
    """
    previous = (
        ChronicleEdition.objects.filter(chronicle=edition.chronicle_id, number__lt=edition.number)
        .order_by("-number")
        .first()
    )
    before = {e["event"]: e for e in previous.snapshot["entries"]} if previous else {}
    after = {e["event"]: e for e in edition.snapshot["entries"]}
    changed = []
    for event_id, entry in after.items():
        if event_id not in before:
            continue
        fields = [f for f in COMPARED_FIELDS if entry.get(f) != before[event_id].get(f)]
        if fields:
            changed.append(
                {"event": event_id, "fields": fields, "before": before[event_id], "after": entry}
            )
    old = previous.snapshot if previous else {}
    return {
        "previous": previous.number if previous else None,
        "added": [entry for event_id, entry in after.items() if event_id not in before],
        "removed": [entry for event_id, entry in before.items() if event_id not in after],
        "changed": changed,
        "title_changed": bool(previous) and old.get("title") != edition.snapshot.get("title"),
        "introduction_changed": bool(previous)
        and old.get("introduction") != edition.snapshot.get("introduction"),
    }
