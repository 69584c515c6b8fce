"""Writing one document's extraction to the database as drafts, in one transaction.

The only module of the loader that touches the ORM. Its rules:

* A document already loaded (same SHA-256 of the raw bytes) changes nothing.
* A changed document (same file name, other bytes) becomes a new *version* of its source:
  the old text stays, so every span that points into it stays true. Events the old version
  told are found again by their extraction key. An event no editor has touched (a draft
  with no edited fields) is refreshed from the new text and its provenance moves to the new
  version; an event an editor has touched keeps every field the editor set or reviewed and
  gains the new version as a further provenance. Untouched drafts that the new text no
  longer tells are deleted; touched ones stay.
* An occurrence another source already told joins that event as a further provenance, with
  the reason of the merge; its fields stay as they were.
* Organisations found in the text but not known are created unconfirmed.
* On PostgreSQL loads take a transaction-level advisory lock, so two loaders merge against
  each other's committed results rather than racing; the unique SHA-256 and the one current
  version per file name make a duplicate load impossible on either database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from events.extraction.annotation import Resources
from events.extraction.candidates import EventCandidate, MetricCandidate, OrganisationCandidate
from events.extraction.merge import EventSnapshot, find_match
from events.extraction.pipeline import DocumentExtraction, extract_document
from events.models import (
    Category,
    Event,
    EventStatus,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)
from events.search import search_index_update
from sources.manifest import DocumentEntry
from sources.models import Source
from sources.reading import DocumentError, document_size_check

# Any constant shared by every loader: the advisory lock that serialises loads.
_LOAD_LOCK = 0x756E696F6E  # "union"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, other: Tally) -> None:
        for name in ("created", "updated", "unchanged", "removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SourceOutcome:
    """What loading one file did; ``status`` is new, updated, unchanged or failed."""

    file: str
    status: str
    source_id: int | None = None
    events: Tally = field(default_factory=Tally)
    metrics: Tally = field(default_factory=Tally)
    organisations: Tally = field(default_factory=Tally)
    error: str = ""


def is_untouched(event: Event) -> bool:
    """Nobody has reviewed, edited or merged it: the loader may still rewrite it."""
    return (
        event.status == EventStatus.DRAFT
        and not event.edited_fields
        and event.merged_into_id is None
        and not event.merges.filter(undone_at__isnull=True).exists()
    )


def source_ingest(
    *,
    data: bytes,
    name: str,
    resources: Resources,
    override: Mapping[str, Any] | None = None,
    dry_run: bool = False,
) -> SourceOutcome:
    """Load one document. Never raises for a bad document: the outcome says why it failed,
    and nothing of it is written."""
    try:
        extracted = extract_document(data, name=name, resources=resources, override=override)
    except DocumentError as exc:
        return SourceOutcome(file=name, status="failed", error=str(exc))
    sha256 = extracted.document.sha256
    existing = Source.objects.filter(sha256=sha256).values_list("pk", flat=True).first()
    if existing is not None:
        return SourceOutcome(file=name, status="unchanged", source_id=existing)
    try:
        with transaction.atomic():
            outcome = _Writer(extracted, name=name).write()
            if dry_run:
                transaction.set_rollback(True)
        return outcome
    except IntegrityError as exc:
        # Another loader committed the same bytes first: that is the same outcome as ours.
        existing = Source.objects.filter(sha256=sha256).values_list("pk", flat=True).first()
        if existing is not None:
            return SourceOutcome(file=name, status="unchanged", source_id=existing)
        return SourceOutcome(file=name, status="failed", error=f"{name}: {exc}")
    except DatabaseError as exc:
        return SourceOutcome(file=name, status="failed", error=f"{name}: database error: {exc}")


def documents_ingest(
    entries: Iterable[DocumentEntry],
    *,
    resources: Resources,
    dry_run: bool = False,
    on_outcome: Callable[[SourceOutcome], None] = lambda outcome: None,
) -> list[SourceOutcome]:
    """Load documents one by one, each in its own transaction, whatever the others do."""
    outcomes = []
    for entry in entries:
        try:
            # A file too large is refused before it is read into memory.
            document_size_check(entry.path.stat().st_size, name=entry.path.name)
            data = entry.path.read_bytes()
        except OSError as exc:
            outcome = SourceOutcome(
                file=entry.path.name,
                status="failed",
                error=f"{entry.path}: cannot be read ({exc.strerror})",
            )
        except DocumentError as exc:
            outcome = SourceOutcome(file=entry.path.name, status="failed", error=str(exc))
        else:
            outcome = source_ingest(
                data=data,
                name=entry.path.name,
                resources=resources,
                override=entry.override,
                dry_run=dry_run,
            )
        outcomes.append(outcome)
        on_outcome(outcome)
    return outcomes


def _lock_loads() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOAD_LOCK])


def _snapshot(event: Event) -> EventSnapshot:
    """What merging needs to know of a stored event (its relations prefetched)."""
    return EventSnapshot(
        id=event.pk,
        title=event.title,
        summary=event.summary,
        date_start=event.date_start,
        date_end=event.date_end,
        date_precision=event.date_precision,
        organisations=tuple(o.name for o in event.organisations.all()),
        source_ids=tuple({p.source_id for p in event.provenances.all()}),
        kind=event.kind,
        metric_values=tuple(m.value for m in event.metrics.all()),
    )


class _Writer:
    def __init__(self, extracted: DocumentExtraction, *, name: str) -> None:
        self.extracted = extracted
        self.name = name
        self.outcome = SourceOutcome(file=name, status="new")
        self.report_events: list[dict[str, Any]] = []
        # Rows are gathered and written in a few bulk inserts per source, so the queries a
        # load makes do not grow with the number of events it finds.
        self.new_events: list[tuple[Event, EventCandidate]] = []
        self.pending_provenances: list[Provenance] = []
        self.pending_metrics: list[Metric] = []
        self.reindex: set[int] = set()

    def write(self) -> SourceOutcome:
        _lock_loads()
        previous = Source.objects.current().select_for_update().filter(file_name=self.name).first()
        if previous is not None:
            # Superseded first: one current version per file name is a constraint.
            Source.objects.filter(pk=previous.pk).update(superseded=True)
            self.outcome.status = "updated"
        self.source = self._source_create(previous)
        self.outcome.source_id = self.source.pk
        extraction = self.extracted.extraction
        self.organisations = self._organisations(extraction.organisations, extraction.events)
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.tags = self._tags(itertools.chain.from_iterable(c.tags for c in extraction.events))
        prior = self._prior_provenances(previous)
        prior_by_event = {p.event_id: p for p in prior.values()}
        prior_snapshots = [_snapshot(p.event) for p in prior_by_event.values()]
        snapshots = self._merge_snapshots(extraction.events, previous)
        matched_events: set[int] = set()
        for candidate in extraction.events:
            provenance = prior.get(candidate.key)
            if provenance is None or provenance.event_id in matched_events:
                # The heading or date was reworded: the same occurrence, found by its text.
                unmatched = [s for s in prior_snapshots if s.id not in matched_events]
                decision = find_match(candidate, unmatched, source_id=self.source.pk)
                provenance = prior_by_event[decision.event_id] if decision else None
            if provenance is not None:
                self._refresh(provenance, candidate)
                matched_events.add(provenance.event_id)
                continue
            decision = find_match(candidate, snapshots, source_id=self.source.pk)
            if decision is not None:
                self._join(decision.event_id, candidate, reason=decision.reason)
            else:
                self._create(candidate)
        self._metrics(None, extraction.unattached_metrics)
        self._flush()
        if previous is not None:
            self._retire(previous, matched_events)
        # Search index: the events whose indexed text this load changed — created,
        # refreshed, or joined with new organisations. A join alone changes no text.
        search_index_update(events=[event for event, _ in self.new_events] + sorted(self.reindex))
        self.source.report = self._report()
        self.source.save(update_fields=["report"])
        return self.outcome

    # --- the source -----------------------------------------------------------------------

    def _source_create(self, previous: Source | None) -> Source:
        metadata = self.extracted.metadata
        document = self.extracted.document
        source = Source(
            title=metadata.title,
            publisher=metadata.publisher or "",
            reporters=list(metadata.reporters),
            published=metadata.published,
            published_precision=metadata.published_precision or "",
            origin=metadata.origin or "",
            url=metadata.url or "",
            kind=metadata.kind,
            file_name=self.name,
            encoding=document.encoding,
            raw_text=document.text,
            text=self.extracted.normalised.text,
            sha256=document.sha256,
            previous_version=previous,
        )
        # Fields and clean() are checked here; the constraints are the database's to hold
        # (Python would re-check each with a query of its own, per row).
        source.full_clean(
            exclude=["sha256", "file_name", "previous_version"], validate_constraints=False
        )
        source.save()
        return source

    # --- organisations and tags -----------------------------------------------------------

    def _organisations(
        self, found: Sequence[OrganisationCandidate], events: Sequence[EventCandidate]
    ) -> dict[str, Organisation]:
        names = {candidate.name for candidate in found} | {
            name for event in events for name in event.organisations
        }
        by_name = {o.name: o for o in Organisation.objects.filter(name__in=names)}
        for alias in OrganisationAlias.objects.filter(name__in=names).select_related(
            "organisation"
        ):
            by_name.setdefault(alias.name, alias.organisation)
        levels = {candidate.name: candidate.level for candidate in found}
        unknown = sorted(names - set(by_name))
        for name in unknown:
            by_name[name] = self._organisation_discovered(name, levels.get(name, "other"))
        self.outcome.organisations.created = len(unknown)
        self.outcome.organisations.unchanged = len(names) - len(unknown)
        return by_name

    def _organisation_discovered(self, name: str, level: str) -> Organisation:
        base = slugify(name, allow_unicode=True)[:90] or "organisation"
        slug = base
        for number in itertools.count(2):
            if not Organisation.objects.filter(slug=slug).exists():
                break
            slug = f"{base}-{number}"
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"slug": slug, "level": level, "confirmed": False}
        )
        return organisation

    def _tags(self, names: Iterable[str]) -> dict[str, Tag]:
        wanted = set(names)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
        missing = [Tag(name=name) for name in sorted(wanted - set(existing))]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
        return existing

    # --- events -------------------------------------------------------------------------

    def _prior_provenances(self, previous: Source | None) -> dict[str, Provenance]:
        if previous is None:
            return {}
        # The events are locked until the load commits: an editor's edit or decision made
        # meanwhile waits for the load, then applies to what it wrote, and one committed
        # before is seen here, so is_untouched() never judges a stale copy.
        provenances = (
            Provenance.objects.filter(source=previous)
            .exclude(extraction_key="")
            .select_related("event")
            .select_for_update(of=("event",))
            .order_by("event_id", "pk")
            .prefetch_related("event__organisations", "event__provenances", "event__metrics")
        )
        return {p.extraction_key: p for p in provenances}

    def _merge_snapshots(
        self, candidates: Sequence[EventCandidate], previous: Source | None
    ) -> list[EventSnapshot]:
        """Events other documents told around the candidates' dates (or undated)."""
        days = [d for c in candidates for d in (c.date_start, c.date_end) if d is not None]
        events = Event.objects.current().exclude(provenances__source=self.source)
        if previous is not None:
            events = events.exclude(provenances__source=previous)
        if days:
            first, last = min(days), max(days)
            events = events.filter(
                Q(date_start__isnull=True)
                | Q(date_start__lte=last)
                & (Q(date_end__gte=first) | Q(date_end__isnull=True, date_start__gte=first))
            )
        events = events.exclude(status=EventStatus.REJECTED).prefetch_related(
            "organisations", "provenances", "metrics"
        )
        return [_snapshot(event) for event in events.distinct()]

    def _fields(self, candidate: EventCandidate) -> dict[str, Any]:
        return {
            "title": candidate.title[:300],
            "summary": candidate.summary,
            "body": candidate.body,
            "date_start": candidate.date_start,
            "date_end": candidate.date_end,
            "date_precision": candidate.date_precision or "",
            "date_text": candidate.date_text[:120],
            "kind": candidate.kind,
            "place": (candidate.place or "")[:120],
            "category": self.categories.get(candidate.category or ""),
            "confidence": round(min(max(candidate.confidence, 0.0), 1.0), 3),
        }

    def _create(self, candidate: EventCandidate) -> None:
        event = Event(**self._fields(candidate))
        event.full_clean(exclude=["category"], validate_constraints=False)
        self.new_events.append((event, candidate))

    def _flush(self) -> None:
        """Write the new events and every gathered provenance, metric and relation."""
        # With their first history record, as if each had been saved one by one.
        bulk_create_with_history(
            [event for event, _ in self.new_events],
            Event,
            default_change_reason=f"load_sources: {self.name}",
        )
        organisation_links, tag_links = [], []
        for event, candidate in self.new_events:
            self._provenance(event, candidate)
            self._metrics(event, candidate.metrics)
            organisation_links += [
                Event.organisations.through(
                    event_id=event.pk, organisation_id=self.organisations[name].pk
                )
                for name in dict.fromkeys(candidate.organisations)
            ]
            tag_links += [
                Event.tags.through(event_id=event.pk, tag_id=self.tags[name].pk)
                for name in dict.fromkeys(candidate.tags)
                if name in self.tags
            ]
            self.outcome.events.created += 1
            self._note(candidate, event, "created")
        Event.organisations.through.objects.bulk_create(organisation_links)
        Event.tags.through.objects.bulk_create(tag_links)
        Provenance.objects.bulk_create(self.pending_provenances)
        # A span already stored (the same figure told in two events' items) is kept once.
        Metric.objects.bulk_create(self.pending_metrics, ignore_conflicts=True)
        self.report_events.sort(key=lambda entry: entry["start"])

    def _refresh(self, previous_provenance: Provenance, candidate: EventCandidate) -> None:
        event = previous_provenance.event
        self.reindex.add(event.pk)
        if is_untouched(event):
            fields = self._fields(candidate)
            changed = [name for name, value in fields.items() if getattr(event, name) != value]
            for name in changed:
                setattr(event, name, fields[name])
            if changed:
                event.full_clean(exclude=["category"], validate_constraints=False)
                event.save(update_fields=[*changed, "updated_at"])
            self._relations(event, candidate)
            # The old version's account and figures give way to the new version's.
            previous_provenance.delete()
            Metric.objects.filter(event=event, source=previous_provenance.source_id).delete()
            self._metrics(event, candidate.metrics)
            tally_name, note = ("updated", "updated") if changed else ("unchanged", "unchanged")
        else:
            # An editor has worked on it: keep it whole and add the new version's account.
            tally_name, note = "unchanged", "kept (edited by an editor)"
        self._provenance(event, candidate)
        setattr(self.outcome.events, tally_name, getattr(self.outcome.events, tally_name) + 1)
        self._note(candidate, event, note)

    def _join(self, event_id: int, candidate: EventCandidate, *, reason: str) -> None:
        # Locked, and read afresh, for is_untouched() (see _prior_provenances).
        event = Event.objects.select_for_update().get(pk=event_id)
        self._provenance(event, candidate, merge_reason=reason)
        self._metrics(event, candidate.metrics)
        new_organisations = [self.organisations[n] for n in candidate.organisations]
        if is_untouched(event) and new_organisations:
            event.organisations.add(*new_organisations)
            self.reindex.add(event.pk)
        self.outcome.events.unchanged += 1
        self._note(candidate, event, f"merged: {reason}")

    def _retire(self, previous: Source, matched: set[int]) -> None:
        """Drafts only the old version told, and nobody touched, go with it."""
        told = Event.objects.filter(provenances__source=previous).exclude(pk__in=matched)
        # Locked like the others (FOR UPDATE does not go with DISTINCT, hence the subquery):
        # an event an editor publishes while this load runs is not deleted.
        gone = Event.objects.filter(pk__in=told.values("pk")).select_for_update().order_by("pk")
        for event in gone.prefetch_related("provenances"):
            other_sources = {p.source_id for p in event.provenances.all()} - {previous.pk}
            if is_untouched(event) and not other_sources:
                Metric.objects.filter(event=event).delete()
                event.delete()
                self.outcome.events.removed += 1
        Metric.objects.filter(source=previous, event__isnull=True).delete()

    def _relations(self, event: Event, candidate: EventCandidate) -> None:
        event.organisations.set([self.organisations[n] for n in candidate.organisations])
        event.tags.set([self.tags[name] for name in candidate.tags if name in self.tags])

    def _provenance(self, event: Event, candidate: EventCandidate, merge_reason: str = "") -> None:
        text = self.source.text
        provenance = Provenance(
            event=event,
            source=self.source,
            excerpt=text[candidate.excerpt_start : candidate.excerpt_end],
            start=candidate.excerpt_start,
            end=candidate.excerpt_end,
            extraction_key=candidate.key[:200],
            merge_reason=merge_reason,
        )
        self.pending_provenances.append(provenance)

    def _metrics(self, event: Event | None, metrics: Sequence[MetricCandidate]) -> None:
        rows = [
            Metric(
                event=event,
                source=self.source,
                text=metric.text,
                value=metric.value,
                unit=metric.unit or "",
                qualifier=metric.qualifier or "",
                label=(metric.label or "")[:200],
                as_of=metric.as_of,
                start=metric.start,
                end=metric.end,
            )
            for metric in metrics
        ]
        self.pending_metrics += rows
        self.outcome.metrics.created += len(rows)

    # --- the ingestion report ----------------------------------------------------------

    def _note(self, candidate: EventCandidate, event: Event, action: str) -> None:
        self.report_events.append(
            {
                "key": candidate.key,
                "title": candidate.title,
                "event": event.pk,
                "action": action,
                "start": candidate.excerpt_start,
                "end": candidate.excerpt_end,
                # What this source itself said, so an editor can undo a merge faithfully.
                "date_start": candidate.date_start.isoformat() if candidate.date_start else None,
                "date_end": candidate.date_end.isoformat() if candidate.date_end else None,
                "date_precision": candidate.date_precision,
                "date_text": candidate.date_text,
                "kind": candidate.kind,
            }
        )

    def _report(self) -> dict[str, Any]:
        normalised = self.extracted.normalised.report
        extraction = self.extracted.extraction
        return {
            "loaded_at": timezone.now().isoformat(),
            "encoding": self.extracted.document.encoding,
            "had_bom": self.extracted.document.had_bom,
            "document_year": self.extracted.document_year,
            "normalisation": {
                "layout": normalised.layout,
                "html_stripped": normalised.html_stripped,
                "line_ends_converted": normalised.line_ends_converted,
                "lines_rejoined": normalised.lines_rejoined,
                "spaces_removed": normalised.spaces_removed,
                "punctuation_converted": normalised.punctuation_converted,
                "traditional_converted": normalised.traditional_converted,
                "removed_lines": [asdict(line) for line in normalised.removed_lines],
            },
            "items": [
                {
                    "index": item.index,
                    "kind": item.kind,
                    "heading": item.heading,
                    "start": item.start,
                    "end": item.end,
                    "heading_after_body": item.heading_after_body,
                    "cut": item.cut,
                    "notes": list(item.notes),
                }
                for item in self.extracted.items
            ],
            "events": self.report_events,
            "passed_over": [asdict(passed) for passed in extraction.passed_over],
            "unattached_metrics": len(extraction.unattached_metrics),
            "organisations_discovered": sorted(
                o.name for o in extraction.organisations if not o.known
            ),
            "notes": list(extraction.notes),
        }
