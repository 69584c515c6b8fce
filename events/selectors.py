"""Reads that need more than a QuerySet method: the duplicate queue."""

from collections import defaultdict
from dataclasses import dataclass

from events.extraction.merge import text_similarity
from events.models import DuplicateDismissal, Event, EventStatus

# How alike two same-day events from different sources must read to be proposed.
DUPLICATE_SIMILARITY = 0.35


@dataclass(frozen=True)
class DuplicatePair:
    first: Event
    second: Event
    similarity: float
    shared_organisations: tuple[str, ...]

    @property
    def both(self) -> tuple[Event, Event]:
        return self.first, self.second


def duplicate_candidates(*, limit: int = 100) -> list[DuplicatePair]:
    """Likely duplicates: events of the same date, told by different sources, whose texts
    overlap or which name the same organisations; pairs an editor dismissed are left out.

    Only events of one start date are compared, so the work grows with the busiest day,
    not with the square of the archive.
    """
    events = (
        Event.objects.current()
        .exclude(status=EventStatus.REJECTED)
        .filter(date_start__isnull=False)
        .prefetch_related("organisations", "provenances")
        .order_by("date_start", "id")
    )
    by_day: dict = defaultdict(list)
    for event in events:
        by_day[event.date_start].append(event)
    dismissed = set(DuplicateDismissal.objects.values_list("first_id", "second_id"))
    pairs = []
    for same_day in by_day.values():
        for index, first in enumerate(same_day):
            for second in same_day[index + 1 :]:
                if (first.pk, second.pk) in dismissed:
                    continue
                sources_a = {p.source_id for p in first.provenances.all()}
                sources_b = {p.source_id for p in second.provenances.all()}
                if sources_a & sources_b:
                    continue  # one source tells two things on one day: not a duplicate
                shared = tuple(
                    sorted(
                        {o.name for o in first.organisations.all()}
                        & {o.name for o in second.organisations.all()}
                    )
                )
                similarity = text_similarity(
                    first.title, first.summary, second.title, second.summary
                )
                if similarity >= DUPLICATE_SIMILARITY or shared:
                    pairs.append(DuplicatePair(first, second, round(similarity, 2), shared))
    pairs.sort(key=lambda pair: (-pair.similarity, pair.first.date_start))
    return pairs[:limit]
