"""What extraction hands to ingestion: candidate events, metrics and organisations.

Plain frozen dataclasses, so that every stage before ``events.ingest`` stays free of the
ORM and can be tested on strings. Offsets are [start, end) into the source's normalised
text, the same text the database stores and checks spans against.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class MetricCandidate:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    qualifier: str
    label: str
    as_of: datetime.date | None = None


@dataclass(frozen=True)
class OrganisationCandidate:
    """An organisation named in a source; ``known`` when it is in the gazetteer."""

    name: str
    level: str
    known: bool


@dataclass(frozen=True)
class EventCandidate:
    """One occurrence an editor would list in a chronicle, as one source tells it.

    ``key`` identifies the occurrence within its document across re-imports of a changed
    file (it must not depend on offsets), so a re-import finds the event it made before.
    """

    key: str
    title: str
    summary: str
    body: str
    excerpt_start: int
    excerpt_end: int
    date_start: datetime.date | None
    date_end: datetime.date | None
    date_precision: str
    date_text: str
    kind: str
    place: str
    category: str | None
    confidence: float
    tags: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    metrics: tuple[MetricCandidate, ...] = ()


@dataclass(frozen=True)
class PassedOver:
    """A segment that became no event, and why: the ingestion report shows it to editors."""

    heading: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one source."""

    events: tuple[EventCandidate, ...]
    organisations: tuple[OrganisationCandidate, ...] = ()
    unattached_metrics: tuple[MetricCandidate, ...] = ()
    passed_over: tuple[PassedOver, ...] = ()
    notes: tuple[str, ...] = field(default=())
