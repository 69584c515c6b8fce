"""Editorial writes. The admin and the API call these; they hold the rules.

Permissions are the callers' to check (the admin and the API check the same ones, see
events/roles.py); these functions keep the archive consistent whoever calls them.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    Category,
    DuplicateDismissal,
    Event,
    EventMerge,
    EventStatus,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
)
from events.search import search_index_update

User = AbstractBaseUser | None


def event_note_edits(*, event: Event, fields: Iterable[str]) -> list[str]:
    """Remember which fields an editor changed, so that a re-import leaves them alone.

    Returns the updated list; the caller saves the event (the admin saves it anyway).
    """
    edited = set(event.edited_fields or []) | (set(fields) & set(Event.EDITABLE_FIELDS))
    event.edited_fields = sorted(edited)
    return event.edited_fields


def _review(event: Event, status: str, by: User) -> Event:
    if event.merged_into_id is not None:
        raise ValidationError(
            _("“%(title)s” was merged into another event; review that one instead."),
            code="merged",
            params={"title": event.title},
        )
    now = timezone.now()
    event.status = status
    if status == EventStatus.PUBLISHED:
        event.published_at = event.published_at or now
    event.reviewed_by = by
    event.reviewed_at = now
    event.full_clean(exclude=["category"], validate_constraints=False)
    event.save(update_fields=["status", "published_at", "reviewed_by", "reviewed_at", "updated_at"])
    return event


def event_publish(*, event: Event, by: User) -> Event:
    """Publish a reviewed event; it appears on the public site and in the API."""
    return _review(event, EventStatus.PUBLISHED, by)


def event_reject(*, event: Event, by: User) -> Event:
    """Reject an event: it stays in the archive for the record, never public."""
    return _review(event, EventStatus.REJECTED, by)


def event_to_draft(*, event: Event, by: User) -> Event:
    """Back to the review queue (unpublishes a published event)."""
    return _review(event, EventStatus.DRAFT, by)


def events_set_category(*, events: Iterable[Event], category: Category | None) -> int:
    count = 0
    for event in events:
        event.category = category
        event_note_edits(event=event, fields=["category"])
        event.save(update_fields=["category", "edited_fields", "updated_at"])
        count += 1
    return count


@transaction.atomic
def event_merge(*, target: Event, others: Sequence[Event], by: User) -> list[EventMerge]:
    """Merge ``others`` into ``target``: their provenance, metrics, organisations and tags
    join it, and each is kept as a record pointing at the target, so the merge can be undone.
    """
    merges = []
    for other in others:
        if other.pk == target.pk:
            continue
        if other.merged_into_id is not None or target.merged_into_id is not None:
            raise ValidationError(
                _("An event that was already merged away cannot take part in a merge."),
                code="already_merged",
            )
        moved = {
            "provenances": list(other.provenances.values_list("pk", flat=True)),
            "metrics": list(other.metrics.values_list("pk", flat=True)),
            "organisations": sorted(
                set(other.organisations.values_list("pk", flat=True))
                - set(target.organisations.values_list("pk", flat=True))
            ),
            "tags": sorted(
                set(other.tags.values_list("pk", flat=True))
                - set(target.tags.values_list("pk", flat=True))
            ),
        }
        Provenance.objects.filter(pk__in=moved["provenances"]).update(event=target)
        Metric.objects.filter(pk__in=moved["metrics"]).update(event=target)
        target.organisations.add(*moved["organisations"])
        target.tags.add(*moved["tags"])
        other.merged_into = target
        other.save(update_fields=["merged_into", "updated_at"])
        merges.append(EventMerge.objects.create(target=target, absorbed=other, moved=moved, by=by))
    target.save(update_fields=["updated_at"])
    # Search index: the target now has the others' organisations and tags.
    search_index_update(events=[target])
    return merges


@transaction.atomic
def event_merge_undo(*, merge: EventMerge, by: User) -> Event:
    """Give the merged event back what it brought; returns it, standing on its own again."""
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."), code="already_undone")
    absorbed, target, moved = merge.absorbed, merge.target, merge.moved
    Provenance.objects.filter(pk__in=moved.get("provenances", []), event=target).update(
        event=absorbed
    )
    Metric.objects.filter(pk__in=moved.get("metrics", []), event=target).update(event=absorbed)
    target.organisations.remove(*moved.get("organisations", []))
    target.tags.remove(*moved.get("tags", []))
    absorbed.merged_into = None
    absorbed.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    # Search index: the target gave back organisations and tags.
    search_index_update(events=[target, absorbed])
    return absorbed


def _told(provenance: Provenance) -> dict:
    """What the loader recorded this source itself said of the occurrence, if anything."""
    if not provenance.extraction_key:
        return {}
    for entry in provenance.source.report.get("events", []):
        if entry.get("key") == provenance.extraction_key:
            return entry
    return {}


@transaction.atomic
def event_split(*, provenances: Sequence[Provenance], by: User) -> Event:
    """Move some accounts of an event to a new draft event of their own.

    The new event takes what the first of them said (its title and dates from the
    loader's report, else the event's), the accounts and their sources' figures; the
    event they leave keeps everything else. A re-import finds each by its own accounts.
    """
    events = {provenance.event_id for provenance in provenances}
    if len(events) != 1:
        raise ValidationError(_("Choose accounts of one event to split."), code="several_events")
    event = provenances[0].event
    if event.provenances.count() <= len(provenances):
        raise ValidationError(
            _("This is the only account of the event; there is nothing to separate."),
            code="only_account",
        )
    told = _told(provenances[0])

    def day(value: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    separate = Event(
        title=told.get("title") or provenances[0].excerpt[:60],
        summary=provenances[0].excerpt,
        date_start=day(told.get("date_start")) if told else event.date_start,
        date_end=day(told.get("date_end")) if told else event.date_end,
        date_precision=told.get("date_precision", event.date_precision),
        date_text=told.get("date_text", event.date_text),
        kind=told.get("kind", event.kind),
        category=event.category,
        confidence=event.confidence,
        place=event.place,
    )
    separate.full_clean(validate_constraints=False)
    separate.save()
    separate.organisations.set(event.organisations.all())
    sources = {provenance.source_id for provenance in provenances}
    Provenance.objects.filter(pk__in=[p.pk for p in provenances]).update(
        event=separate, merge_reason=""
    )
    Metric.objects.filter(event=event, source__in=sources).update(event=separate)
    # Both are now an editor's work: a re-import must not fold them together again.
    for changed in (event, separate):
        event_note_edits(event=changed, fields=["title"])
        changed.save(update_fields=["edited_fields", "updated_at"])
    # Search index: the new event.
    search_index_update(events=[separate])
    return separate


def provenance_unmerge(*, provenance: Provenance) -> Event:
    """Undo a loader's merge: one source's account becomes an event of its own."""
    return event_split(provenances=[provenance], by=None)


def duplicate_dismiss(*, first: Event, second: Event, by: User) -> DuplicateDismissal:
    """Two events an editor judged distinct; the duplicate queue proposes them no more."""
    low, high = sorted((first, second), key=lambda event: event.pk)
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        first=low, second=high, defaults={"by": by}
    )
    return dismissal


@transaction.atomic
def organisation_merge(*, target: Organisation, others: Sequence[Organisation]) -> Organisation:
    """One organisation known under several names: the others' names and aliases become
    aliases of ``target``, their events and child organisations move to it, and they go."""
    for other in others:
        if other.pk == target.pk:
            continue
        names = [other.name, *other.aliases.values_list("name", flat=True)]
        OrganisationAlias.objects.filter(organisation=other).delete()
        for name in names:
            if name != target.name:
                OrganisationAlias.objects.get_or_create(organisation=target, name=name)
        for event in other.events.all():
            event.organisations.add(target)
        Organisation.objects.filter(parent=other).exclude(pk=target.pk).update(parent=target)
        if target.parent_id == other.pk:
            target.parent = other.parent
        other.delete()
    target.confirmed = True
    target.save()
    # Search index: the target's events now find it by its new aliases too.
    search_index_update(events=target.events.all())
    return target


def changes_since(since: datetime.datetime) -> list[dict]:
    """Events that were public and have left the public archive after ``since``.

    Read from the history: the last record of each event changed since then tells whether
    it was unpublished, merged (and into which event) or deleted. Events never published
    are nobody's business outside the desk.
    """
    history = Event.history.model
    latest: dict[int, object] = {}
    for record in history.objects.filter(history_date__gt=since).order_by(
        "id", "-history_date", "-history_id"
    ):
        latest.setdefault(record.id, record)
    ever_public = set(
        history.objects.filter(id__in=latest, status=EventStatus.PUBLISHED).values_list(
            "id", flat=True
        )
    )
    changes = []
    for event_id, record in sorted(latest.items()):
        if event_id not in ever_public:
            continue
        if record.history_type == "-":
            change = "deleted"
        elif record.merged_into_id is not None:
            change = "merged"
        elif record.status != EventStatus.PUBLISHED:
            change = "unpublished"
        else:
            continue
        changes.append(
            {
                "id": event_id,
                "change": change,
                "merged_into": record.merged_into_id if change == "merged" else None,
                "at": record.history_date,
            }
        )
    return changes
