"""Is a candidate the same occurrence as an event another source already told?

``find_match`` compares one ``EventCandidate`` with ``EventSnapshot``s (what the database
layer knows of existing events) and returns the best ``MergeDecision`` or ``None``. It is
conservative — a wrong merge hides an event from editors, a missed one only leaves a
duplicate draft for them to join:

* Never with an event the same source already told (``source_id``): a document does not
  tell one occurrence twice as two candidates, and a re-import is matched by key instead.
* Never across kinds (a planned task is not the occurrence that later happened).
* Dates: when both are dated their periods must overlap (each period runs from the start
  to the stated end, else to the end of the start's day, xun, month, season or year). Two
  events on the same day still need the text to agree.
* Text: character bigrams of titles and summaries, with Chinese ordinals written as
  digits ("第二十七次" = "第27次") and punctuation dropped. The score is the mean of a
  title and a summary similarity, each the better of Jaccard and 0.9 × containment (the
  share of the shorter text's bigrams found in the longer; only for titles of 6+ and
  summaries of 20+ characters, since a short text is easily contained). Both must agree:
  two events of one entry often share a name ("首届大国工匠创新交流大会") but not their
  sentences. A metric value both tell (not a small count: at least 100 or with decimals)
  adds 0.2 — "84.86亿元" told twice is strong evidence.
* Thresholds: 0.6 when both have a fine date (day, xun, month); 0.8 when either is undated
  or dated only to a season or year, which overlaps nearly everything. Different
  occurrences of one entry score up to 0.46 on the seeds (贺信 vs 大会, two college
  openings), twins of 000 and 001 at least 0.95.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from events.extraction.candidates import EventCandidate
from events.extraction.dates import chinese_numeral_value

__all__ = ["EventSnapshot", "MergeDecision", "find_match", "text_similarity"]

DATED_THRESHOLD = 0.6
UNDATED_THRESHOLD = 0.8
_METRIC_BONUS = 0.2
_CONTAINMENT_WEIGHT = 0.9
_TITLE_MIN_CHARS = 6
_SUMMARY_MIN_CHARS = 20

# A year or season overlaps nearly everything: as weak as no date at all.
_COARSE = frozenset({"year", "season"})
_NON_TEXT = re.compile(r"[^\w]", re.UNICODE)
_ORDINAL = re.compile(r"第([零〇一二两三四五六七八九十百千]+)")


@dataclass(frozen=True)
class EventSnapshot:
    """What the database layer passes in about an existing event."""

    id: int
    title: str
    summary: str
    date_start: date | None
    date_end: date | None
    date_precision: str
    organisations: tuple[str, ...] = ()
    source_ids: tuple[int, ...] = ()
    kind: str = "happened"
    metric_values: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class MergeDecision:
    """Join the candidate to ``event_id``; ``reason`` is recorded and shown to editors."""

    event_id: int
    score: float
    reason: str


def _plain(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        value = chinese_numeral_value(match.group(1))
        return f"第{value}" if value is not None else match.group(0)

    return _NON_TEXT.sub("", _ORDINAL.sub(digits, text))


def _bigrams(text: str) -> frozenset[str]:
    plain = _plain(text)
    return frozenset(plain[i : i + 2] for i in range(len(plain) - 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _similarity(a: str, b: str, min_chars: int) -> float:
    ga, gb = _bigrams(a), _bigrams(b)
    score = _jaccard(ga, gb)
    if min(len(_plain(a)), len(_plain(b))) >= min_chars:
        score = max(score, _CONTAINMENT_WEIGHT * _containment(ga, gb))
    return score


def text_similarity(title_a: str, summary_a: str, title_b: str, summary_b: str) -> float:
    """How far two tellings agree: the mean of title and summary similarity (0..1)."""
    return (
        _similarity(title_a, title_b, _TITLE_MIN_CHARS)
        + _similarity(summary_a, summary_b, _SUMMARY_MIN_CHARS)
    ) / 2


def _period_end(start: date, end: date | None, precision: str) -> date:
    """The last day a stated period covers."""
    ref = end or start
    if precision == "day":
        return ref
    if precision == "xun":
        if ref.day == 21 or (end is not None and ref.day > 21):
            return date(ref.year, ref.month, calendar.monthrange(ref.year, ref.month)[1])
        return ref if end is not None else date(ref.year, ref.month, ref.day + 9)
    if precision == "month":
        return date(ref.year, ref.month, calendar.monthrange(ref.year, ref.month)[1])
    if precision == "season":
        if end is not None:
            return date(ref.year, ref.month, calendar.monthrange(ref.year, ref.month)[1])
        last_month = ((ref.month - 1) // 3) * 3 + 3
        return date(ref.year, last_month, calendar.monthrange(ref.year, last_month)[1])
    return date(ref.year, 12, 31)


def _overlap(candidate: EventCandidate, snapshot: EventSnapshot) -> bool:
    assert candidate.date_start is not None
    assert snapshot.date_start is not None
    c_end = _period_end(candidate.date_start, candidate.date_end, candidate.date_precision)
    s_end = _period_end(snapshot.date_start, snapshot.date_end, snapshot.date_precision)
    return candidate.date_start <= s_end and snapshot.date_start <= c_end


def _telling(value: Decimal) -> bool:
    """A value specific enough that two sources giving it is evidence."""
    return value >= 100 or value != value.to_integral_value()


def _score(candidate: EventCandidate, snapshot: EventSnapshot) -> tuple[float, str] | None:
    if candidate.kind != snapshot.kind:
        return None
    dated = candidate.date_start is not None and snapshot.date_start is not None
    if dated and not _overlap(candidate, snapshot):
        return None
    title = _similarity(candidate.title, snapshot.title, _TITLE_MIN_CHARS)
    summary = _similarity(candidate.summary, snapshot.summary, _SUMMARY_MIN_CHARS)
    score = (title + summary) / 2
    reasons = [f"titles agree {title:.2f}, summaries {summary:.2f}"]
    shared = {m.value for m in candidate.metrics if _telling(m.value)} & {
        v for v in snapshot.metric_values if _telling(v)
    }
    if shared:
        score += _METRIC_BONUS
        values = "、".join(format(v.normalize(), "f") for v in sorted(shared))
        reasons.append(f"same figure {values}")
    fine = dated and not ({candidate.date_precision, snapshot.date_precision} & _COARSE)
    threshold = DATED_THRESHOLD if fine else UNDATED_THRESHOLD
    if score < threshold:
        return None
    if fine:
        reasons.insert(0, "dates overlap")
    elif dated:
        reasons.insert(0, "a year-wide date overlaps, text agrees strongly")
    else:
        reasons.insert(0, "one side undated, text agrees strongly")
    return min(score, 1.0), "; ".join(reasons)


def find_match(
    candidate: EventCandidate,
    existing: Sequence[EventSnapshot],
    *,
    source_id: int | None = None,
) -> MergeDecision | None:
    """The existing event ``candidate`` tells again, or ``None`` (see the module docstring).

    ``source_id`` is the source the candidate comes from: events it already tells are
    never matched. Of several matches the highest score wins, ties to the lower id.
    """
    best: tuple[float, int, str] | None = None
    for snapshot in existing:
        if source_id is not None and source_id in snapshot.source_ids:
            continue
        scored = _score(candidate, snapshot)
        if scored is None:
            continue
        score, reason = scored
        if best is None or (-score, snapshot.id) < (-best[0], best[1]):
            best = (score, snapshot.id, f"“{snapshot.title}”: {reason}")
    if best is None:
        return None
    return MergeDecision(event_id=best[1], score=round(best[0], 3), reason=best[2])
