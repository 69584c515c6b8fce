"""From segmented items to candidate events: which occurrences a document tells, and when.

``extract_events`` walks the items of ``sources.segment`` and returns an ``Extraction``.
It is pure: organisations, category, tags and place come from an injected ``Annotator``.

Decisions, true of the genres rather than of any one document:

* **Entries** (headline items of a chronicle or top-ten list) always yield at least one
  event. Inside an entry, an *occurrence* is a date finer than a year (day, xun, month,
  season) with the role "event" that is the first such date of its sentence, or that opens
  a "；"-clause of it. So "2022年9月15日，…；9月27日，…；10月22日，…" is three
  occurrences, while "2022年8月17日，…作出部署——自2022年9月至2023年9月，在工会系统集中开展…"
  is one: the meeting of 8月17日 is what happened; the campaign period is what it
  decided, and stays in the summary.
* An entry with no such date is one event known by its year ("2022年，…"): the year
  written in the entry (the document year preferred), else ``document_year`` (then
  ``date_text`` is empty: nothing was written). Year-only dates never start further
  events: in an entry that has finer dates they are the year's summary ("2022年，全总深入
  推进…") or names ("2021年“大国工匠年度人物”", "《…（2019-2021年）》").
* Background is not a separate event: "于2012年发起", "在2017年拉开帷幕", "2019年行动计划
  启动后" are year-only and so never occurrences. A finer-dated occurrence that ends
  before the document year is kept, with kind "historical".
* Commentary (【手记】, 【评析】, 【点评】…) is context: its sentences never start events,
  never move the date context and are not summaries; they stay in the body.
* Titles: the entry's heading goes to its main occurrence — the only one, or the one whose
  date opens its paragraph, or else the first, unless the paragraph opens with a bare year
  ("2022年，市总工会积极探索…"): then the entry is the year's work and each dated occurrence
  is titled from its own clause ("全市首家“首都工匠学院”落户北京市总工会职工大学"); the
  same when the occurrences are listed in one sentence ("4月12日，…揭牌；5月8日，…揭牌"):
  the heading sums them up. A clause title is the first comma segment after the date
  with an occurrence verb, or the segment holding the date when it sits inside one. A
  heading that is only a date ("## 1月") is a date context, never a title.
* Summary and excerpt: the clause when several occurrences share a sentence; the whole
  paragraph when the occurrence's date opens it and nothing else in it is an occurrence;
  else the sentence. ``text[excerpt_start:excerpt_end] == summary`` always.
* PDF reading order: when segment flags an entry "heading missing" and a later entry
  "displaced text without its opening marker", the displaced entry's heading is given to
  the heading-missing entry it describes (by character-bigram containment) and the
  displaced text is passed over: it is the tail of another entry, not an occurrence.
* Reports: a sentence of a numbered point is an event when it has an occurrence date or
  states a concrete occurrence — an occurrence verb (召开, 举办, 启动, 发布, 印发 …)
  followed closely by a mark of a particular thing (首届, 第27次, 第二批, 2022年, 5周年,
  and for publishing verbs a 《title》). Other points are generic policy prose and are
  passed over with that reason. Under a part or section headed like "2023年…主要任务"
  events are "planned", dated to that year; review events are dated to the review year
  (``document_year``, else the year before the planned year) with year precision.
* The preamble and its theme paragraphs ("加强职工思想政治引领——…") summarise the year:
  passed over, "year overview, no single occurrence".
* Metrics: ``find_metrics`` over each item, dated by ``attach_as_of``; a metric goes to the
  event whose excerpt contains it, else to the nearest event of the same item; metrics
  of items without events are ``unattached_metrics``.
* ``key`` = normalised heading (or point heading) + date_text + ordinal within the item:
  no offsets, so a re-import of an edited file finds the same event.
* Confidence starts at 0.5 and moves with the evidence: explicit full date and a heading
  raise it; inherited, relative or approximate dates, year precision, a year taken only
  from ``document_year``, cut text, a heading printed after or away from its body, and
  report sentences lower it. Always within [0.05, 0.95].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from events.extraction.candidates import EventCandidate, Extraction, MetricCandidate, PassedOver
from events.extraction.dates import (
    Anchor,
    DateContext,
    DateMention,
    Precision,
    Role,
    context_after,
    find_dates,
)
from events.extraction.metrics import MetricMention, attach_as_of, find_metrics
from sources.segment import Item

__all__ = ["Annotator", "bigrams", "extract_events", "sentence_spans"]


class Annotator(Protocol):
    """What extraction asks of the language tools; the real one wraps jieba and gazetteers."""

    def organisations(self, text: str) -> tuple[str, ...]: ...

    def category(self, text: str, *, title: str) -> str | None: ...

    def tags(self, text: str) -> tuple[str, ...]: ...

    def place(self, text: str) -> str | None: ...


_FINE = frozenset({Precision.DAY, Precision.XUN, Precision.MONTH, Precision.SEASON})
_OPENERS = "“‘（(《「『【"
_CLOSERS = "”’）)》」』】"
_SENTENCE_ENDS = "。！？"
_TITLE_MAX = 60

_COMMENTARY_KINDS = frozenset({"commentary"})
_ENTRY_KINDS = frozenset({"headline"})
_REPORT_KINDS = frozenset({"part", "section", "point"})
_OVERVIEW_KINDS = frozenset({"preamble", "theme"})

# Verbs that say something took place; a clause title is the first comma segment with one.
_OCCURRENCE_VERB = re.compile(
    r"召开|举办|举行|启动|发布|印发|成立|落户|揭牌|授牌|挂牌|开幕|闭幕|签订|签署|开展|表彰|"
    r"致贺信|致信|出台|通过|选举|开通|上线|启用|颁发|命名|推出|组建|出版|修订|制定|拉开帷幕|"
    r"建立|组织|召集|部署|会见|访问|出席|发出"
)
# A verb of the report's concrete occurrences, followed closely by the mark of one thing.
_REPORT_VERB = r"召开|举办|举行|启动|发布|推出|成立|组建|命名|推树|评选|组织开展|开展"
_PUBLISH_VERB = r"印发|出版|发布|修订|制定|出台|推出"
_MARK = r"首届|首次|首批|第[0-9一二三四五六七八九十百]+[届次轮批季期]|\d{4}年|\d+周年"
_CONCRETE = re.compile(
    rf"(?:{_REPORT_VERB})[^，。；]{{0,12}}?(?:{_MARK})|(?:{_PUBLISH_VERB})[^，。；]{{0,4}}?《"
)
_PLANNED_HEADING = re.compile(r"(\d{4})年[^。]*?(?:主要任务|总体要求|工作安排|工作计划|工作打算)")
_DATE_ONLY_HEADING = re.compile(
    r"^\s*(?:\d{4}年)?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?\s*$"
    r"|^\s*\d{4}年\s*$"
)
_LEADING_FILLER = re.compile(r"^(?:而|并|又|也|同时|其间|随后|此后)?(?:在|于)?")
_NON_TEXT = re.compile(r"[^\w]", re.UNICODE)


# --- text helpers ----------------------------------------------------------------------


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the word characters of ``text`` (punctuation and spaces dropped)."""
    chars = _NON_TEXT.sub("", text)
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def _containment(part: str, whole: str) -> float:
    grams = bigrams(part)
    if not grams:
        return 0.0
    return len(grams & bigrams(whole)) / len(grams)


def _normalised_key_text(text: str) -> str:
    return _NON_TEXT.sub("", text)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as [start, end) spans, quotes kept whole.

    A sentence ends at 。！？ outside quotes and brackets, or at a closing quote whose
    quoted speech itself ended a sentence ("“…为你找工作。”2022年9月23日…" is two).
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    begin = start
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
            if depth == 0 and i > start and text[i - 1] in _SENTENCE_ENDS:
                spans.append((begin, i + 1))
                begin = i + 1
        elif ch in _SENTENCE_ENDS and depth == 0:
            stop = i + 1
            while stop < end and text[stop] in _SENTENCE_ENDS:
                stop += 1
            spans.append((begin, stop))
            begin = stop
            i = stop
            continue
        i += 1
    if begin < end:
        spans.append((begin, end))
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in spans) if e - s > 1]


def _split_outside(text: str, start: int, end: int, marks: str) -> list[tuple[int, int]]:
    """[start, end) cut at any of ``marks`` outside quotes and brackets (marks dropped)."""
    pieces: list[tuple[int, int]] = []
    depth = 0
    begin = start
    for i in range(start, end):
        ch = text[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            pieces.append((begin, i))
            begin = i + 1
    pieces.append((begin, end))
    return [p for p in (_strip(text, s, e) for s, e in pieces) if p[1] > p[0]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _inside_title(text: str, start: int, position: int) -> bool:
    """Whether ``position`` lies inside 《…》 opened after ``start``: a date in a name."""
    before = text[start:position]
    return before.count("《") > before.count("》")


# --- blocks: the narrative text of an item ---------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A paragraph of narrative (marker labels, headings and commentary cut out)."""

    start: int
    end: int


def _blocks(text: str, start: int, end: int, excluded: Sequence[tuple[int, int]]) -> list[_Block]:
    blocks: list[_Block] = []
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text[start:end]):
        p_start, p_end = start + match.start(), start + match.end()
        pieces = [(p_start, p_end)]
        for ex_start, ex_end in excluded:
            cut: list[tuple[int, int]] = []
            for s, e in pieces:
                if ex_end <= s or ex_start >= e:
                    cut.append((s, e))
                    continue
                if s < ex_start:
                    cut.append((s, ex_start))
                if ex_end < e:
                    cut.append((ex_end, e))
            pieces = cut
        for s, e in pieces:
            while s < e and (text[s].isspace() or text[s] == "#"):
                s += 1
            s, e = _strip(text, s, e)
            if e - s >= 2:
                blocks.append(_Block(s, e))
    return blocks


# --- occurrences -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Occurrence:
    mention: DateMention  # offsets into the whole text
    sentence: tuple[int, int]
    clause: tuple[int, int]
    block: _Block


@dataclass
class _Draft:
    """An event before metrics and annotation are attached."""

    item: Item
    ordinal: int
    title: str
    title_from_heading: bool
    key_heading: str
    excerpt: tuple[int, int]
    mention: DateMention | None
    date_start: date | None
    date_end: date | None
    precision: str
    date_text: str
    kind: str
    confidence: float
    metrics: list[MetricCandidate] = field(default_factory=list)


def _dates_in_blocks(
    text: str, blocks: Sequence[_Block], context: DateContext
) -> list[tuple[_Block, DateMention]]:
    """Date mentions of the blocks, sentence by sentence, the context carried along.

    A bare year inside a sentence is background or a name ("该竞赛于2009年首次举办",
    "2021年“大国工匠年度人物”"): it does not become the context of the next sentence,
    so "8日" after it still reads as a day of the month told before.
    """
    found: list[tuple[_Block, DateMention]] = []
    for block in blocks:
        for start, end in sentence_spans(text, block.start, block.end):
            mentions = find_dates(text[start:end], context=context)
            carried = [m for m in mentions if m.precision is not Precision.YEAR or m.start == 0]
            context = context_after(carried, context)
            for m in mentions:
                found.append((block, replace(m, start=m.start + start, end=m.end + start)))
    return found


def _occurrences(text: str, dated: Sequence[tuple[_Block, DateMention]]) -> list[_Occurrence]:
    """The fine event dates that start an occurrence (see the module docstring)."""
    by_block: dict[_Block, list[DateMention]] = {}
    for block, mention in dated:
        by_block.setdefault(block, []).append(mention)
    found: list[_Occurrence] = []
    for block, mentions in by_block.items():
        fine = [
            m
            for m in mentions
            if m.role is Role.EVENT
            and m.date_start is not None
            and m.precision in _FINE
            and not _inside_title(text, block.start, m.start)
        ]
        for sentence in sentence_spans(text, block.start, block.end):
            in_sentence = [m for m in fine if sentence[0] <= m.start < sentence[1]]
            if not in_sentence:
                continue
            clauses = _split_outside(text, sentence[0], sentence[1], "；;")
            chosen: list[tuple[DateMention, tuple[int, int]]] = []
            for clause in clauses:
                in_clause = [m for m in in_sentence if clause[0] <= m.start < clause[1]]
                if not in_clause:
                    continue
                first = in_clause[0]
                opens_clause = first.start - clause[0] <= 3
                if not chosen or opens_clause:
                    chosen.append((first, clause))
            for n, (mention, clause) in enumerate(chosen):
                # A clause runs to the next occurrence's clause, so "…，这是全市高校中的首家"
                # stays with the opening it describes.
                clause_end = chosen[n + 1][1][0] if n + 1 < len(chosen) else sentence[1]
                clause_span = _strip(text, clause[0], clause_end)
                if text[clause_span[1] - 1] in "；;" and n + 1 < len(chosen):
                    clause_span = (clause_span[0], clause_span[1] - 1)
                found.append(_Occurrence(mention, sentence, clause_span, block))
    found.sort(key=lambda o: o.mention.start)
    return found


def _occurrence_title(text: str, mention: DateMention, clause: tuple[int, int]) -> str:
    """The title of an occurrence told in ``clause``: the segment holding its date when the
    date sits inside it ("成功举办2022年“中国梦·劳动美”…特别节目"), else what follows it."""
    for s, e in _split_outside(text, clause[0], clause[1], "，,；;：:。！？"):
        if s <= mention.start < e and mention.start - s > 3:
            return _short(text[s:e])
    return _clause_title(text, mention.end, clause[1])


def _clause_title(text: str, start: int, end: int) -> str:
    """An editor-style title from the text after a date: the first segment that acts."""
    segments = _split_outside(text, start, end, "，,；;：:。！？——")
    segments = [(s + _filler_length(text[s:e]), e) for s, e in segments]
    segments = [(s, e) for s, e in segments if e - s >= 2]
    if not segments:
        return ""
    for s, e in segments:
        if _OCCURRENCE_VERB.search(text[s:e]):
            return _short(text[s:e])
    long_enough = [(s, e) for s, e in segments if e - s >= 4] or segments
    s, e = long_enough[0]
    return _short(text[s:e])


def _filler_length(segment: str) -> int:
    """Length of a leading connective ("而在", "同时") that a title does without."""
    match = _LEADING_FILLER.match(segment)
    return len(match.group(0)) if match else 0


def _short(title: str) -> str:
    title = title.strip().strip("，。；：、")
    return title if len(title) <= _TITLE_MAX else title[: _TITLE_MAX - 1] + "…"


def _is_title_heading(heading: str | None) -> bool:
    return bool(heading) and not _DATE_ONLY_HEADING.match(heading or "")


# --- confidence ------------------------------------------------------------------------


def _confidence(
    mention: DateMention | None,
    *,
    precision: str,
    heading_title: bool,
    item: Item,
    from_document_year: bool = False,
    heading_moved: bool = False,
    report: bool = False,
) -> float:
    score = 0.5
    if precision == Precision.DAY:
        score += 0.2
    elif precision in (Precision.XUN, Precision.MONTH):
        score += 0.1
    elif precision == Precision.YEAR:
        score -= 0.05
    if mention is not None:
        if mention.anchor is not Anchor.EXPLICIT:
            score -= 0.1
        if mention.approximate:
            score -= 0.1
    if from_document_year:
        score -= 0.1
    if heading_title:
        score += 0.15
    if item.cut:
        score -= 0.15
    if item.heading_after_body:
        score -= 0.05
    if heading_moved:
        score -= 0.1
    if report:
        score -= 0.15
    return round(min(0.95, max(0.05, score)), 2)


# --- the pipeline ----------------------------------------------------------------------


def extract_events(
    text: str,
    items: Sequence[Item],
    *,
    kind: str,
    document_year: int | None,
    annotator: Annotator,
) -> Extraction:
    """Candidate events, metrics and passed-over segments of one normalised document.

    ``text`` is the normalised text that the items' offsets point into; ``kind`` is the
    source kind ("chronicle", "top-news", "report", "other"); ``document_year`` is the year
    the document is about, the last fallback for dates.
    """
    children: dict[int, list[Item]] = {}
    for item in items:
        if item.parent is not None:
            children.setdefault(item.parent, []).append(item)

    headings = _moved_headings(text, items, children)
    drafts: list[_Draft] = []
    passed: list[PassedOver] = []
    notes: list[str] = []
    unattached: list[MetricCandidate] = []
    planned_year = _planned_year(items)
    review_year = document_year or (planned_year - 1 if planned_year else None)

    for item in items:
        if item.kind in _OVERVIEW_KINDS:
            passed.append(_overview_passed_over(item))
            continue
        if item.kind in _ENTRY_KINDS:
            if item.index in headings.displaced:
                passed.append(
                    PassedOver(
                        heading=item.heading or "",
                        start=item.start,
                        end=item.end,
                        reason=(
                            "displaced text: the tail of another entry in PDF reading order; "
                            "its heading was given to the entry it names"
                        ),
                    )
                )
                unattached.extend(_metrics_in(text, item, document_year))
                continue
            item_drafts = _entry_events(
                text,
                item,
                children.get(item.index, []),
                heading=headings.moved.get(item.index, item.heading),
                heading_moved=item.index in headings.moved,
                document_year=document_year,
            )
            if item.index in headings.moved:
                notes.append(
                    f"entry at {item.start}: heading “{headings.moved[item.index]}” taken from "
                    "displaced text printed elsewhere"
                )
            drafts.extend(item_drafts)
            metrics = _metrics_in(text, item, document_year)
            unattached.extend(_attach_metrics(metrics, item_drafts))
            continue
        if item.kind in _REPORT_KINDS:
            planned = _planned_ancestor(item, items)
            item_drafts, reason = _report_events(
                text,
                item,
                children.get(item.index, []),
                planned=planned,
                year=planned[0] if planned else review_year,
                year_text=planned[1] if planned else "",
            )
            metrics = _metrics_in(text, item, document_year, without=children.get(item.index, []))
            drafts.extend(item_drafts)
            unattached.extend(_attach_metrics(metrics, item_drafts))
            if not item_drafts:
                passed.append(
                    PassedOver(
                        heading=item.heading or "", start=item.start, end=item.end, reason=reason
                    )
                )
            continue
        # Children of entries (scenes, replays, commentary) are read with their entry.

    events = tuple(_finish(text, draft, annotator) for draft in drafts)
    return Extraction(
        events=events,
        unattached_metrics=tuple(unattached),
        passed_over=tuple(passed),
        notes=tuple(notes),
    )


def _overview_passed_over(item: Item) -> PassedOver:
    if item.kind == "theme":
        reason = "year overview, no single occurrence: a theme paragraph summarising the year"
    else:
        reason = "introduction before the first entry: year overview, no single occurrence"
    return PassedOver(heading=item.heading or "", start=item.start, end=item.end, reason=reason)


# --- PDF headings ----------------------------------------------------------------------


@dataclass(frozen=True)
class _MovedHeadings:
    moved: dict[int, str]  # entry index → heading found elsewhere
    displaced: frozenset[int]  # entries that are only displaced text


def _moved_headings(
    text: str, items: Sequence[Item], children: dict[int, list[Item]]
) -> _MovedHeadings:
    missing = [i for i in items if i.kind in _ENTRY_KINDS and "heading missing" in i.notes]
    displaced = [
        i
        for i in items
        if i.kind in _ENTRY_KINDS
        and i.heading
        and any(n.startswith("displaced text") for n in i.notes)
    ]
    moved: dict[int, str] = {}
    gone: set[int] = set()
    for item in displaced:
        assert item.heading is not None
        best: tuple[float, Item] | None = None
        for candidate in missing:
            if candidate.index in moved:
                continue
            narrative = _narrative_text(text, candidate, children.get(candidate.index, []))
            score = _containment(item.heading, narrative)
            if best is None or score > best[0]:
                best = (score, candidate)
        # Two thirds of the heading's bigrams in the body: the heading names that entry.
        if best is not None and best[0] >= 0.66:
            moved[best[1].index] = item.heading
            gone.add(item.index)
    return _MovedHeadings(moved, frozenset(gone))


def _narrative_text(text: str, item: Item, kids: Sequence[Item]) -> str:
    return "\n".join(text[b.start : b.end] for b in _entry_blocks(text, item, kids))


def _entry_blocks(text: str, item: Item, kids: Sequence[Item]) -> list[_Block]:
    excluded: list[tuple[int, int]] = []
    if item.heading_start is not None and item.heading_end is not None:
        excluded.append((item.heading_start, item.heading_end))
    for kid in kids:
        if kid.kind in _COMMENTARY_KINDS:
            excluded.append((kid.start, kid.end))
        elif kid.heading_start is not None and kid.heading_end is not None:
            excluded.append((kid.heading_start, kid.heading_end))
    return _blocks(text, item.start, item.end, excluded)


# --- entries ---------------------------------------------------------------------------


def _entry_events(
    text: str,
    item: Item,
    kids: Sequence[Item],
    *,
    heading: str | None,
    heading_moved: bool,
    document_year: int | None,
) -> list[_Draft]:
    blocks = _entry_blocks(text, item, kids)
    if not blocks:
        return []
    context = DateContext(year=document_year)
    if heading:
        # A month heading ("## 3月") dates the entries under it.
        context = context_after(find_dates(heading, context=context), context)
    dated = _dates_in_blocks(text, blocks, context)
    occurrences = _occurrences(text, dated)
    title_heading = heading if _is_title_heading(heading) else None
    key_heading = _normalised_key_text(heading or "")

    if not occurrences:
        return [
            _year_event(
                text, item, blocks, dated, title_heading, key_heading, heading_moved, document_year
            )
        ]

    primary = _primary(text, occurrences, dated) if title_heading else None
    same_sentence: dict[tuple[int, int], int] = {}
    for occ in occurrences:
        same_sentence[occ.sentence] = same_sentence.get(occ.sentence, 0) + 1
    drafts: list[_Draft] = []
    for ordinal, occ in enumerate(occurrences):
        excerpt = _excerpt(text, occ, occurrences, same_sentence)
        mention = occ.mention
        if occ is primary:
            assert title_heading is not None
            title, from_heading = _short(title_heading), True
        else:
            title = _occurrence_title(text, mention, occ.clause) or _short(
                text[occ.clause[0] : occ.clause[1]]
            )
            from_heading = False
        last = mention.last_day
        historical = document_year is not None and last is not None and last.year < document_year
        precision = str(mention.precision)
        drafts.append(
            _Draft(
                item=item,
                ordinal=ordinal,
                title=title,
                title_from_heading=from_heading,
                key_heading=key_heading,
                excerpt=excerpt,
                mention=mention,
                date_start=mention.date_start,
                date_end=mention.date_end,
                precision=precision,
                date_text=mention.text,
                kind="historical" if historical else "happened",
                confidence=_confidence(
                    mention,
                    precision=precision,
                    heading_title=from_heading,
                    item=item,
                    heading_moved=heading_moved and from_heading,
                ),
            )
        )
    return drafts


def _primary(
    text: str, occurrences: Sequence[_Occurrence], dated: Sequence[tuple[_Block, DateMention]]
) -> _Occurrence | None:
    """The occurrence the entry's heading names (see the module docstring)."""
    if len(occurrences) == 1:
        return occurrences[0]
    for occ in occurrences:
        if occ.mention.start - occ.block.start <= 1:
            # Occurrences listed in one sentence are parallel: the heading sums them up.
            listed = sum(1 for o in occurrences if o.sentence == occ.sentence) > 1
            return None if listed else occ
    first_block = occurrences[0].block
    opening = [
        m for b, m in dated if b == first_block and m.start - b.start <= 1 and m.role is Role.EVENT
    ]
    if opening and opening[0].precision is Precision.YEAR:
        return None
    return occurrences[0]


def _excerpt(
    text: str,
    occ: _Occurrence,
    occurrences: Sequence[_Occurrence],
    same_sentence: dict[tuple[int, int], int],
) -> tuple[int, int]:
    if same_sentence[occ.sentence] > 1:
        return occ.clause
    alone_in_block = sum(1 for o in occurrences if o.block == occ.block) == 1
    if alone_in_block and occ.mention.start - occ.block.start <= 1:
        return (occ.block.start, occ.block.end)
    return occ.sentence


def _year_event(
    text: str,
    item: Item,
    blocks: Sequence[_Block],
    dated: Sequence[tuple[_Block, DateMention]],
    title_heading: str | None,
    key_heading: str,
    heading_moved: bool,
    document_year: int | None,
) -> _Draft:
    """The one event of an entry that tells no finer date: known by its year."""
    sentences = [s for b in blocks for s in sentence_spans(text, b.start, b.end)]
    if title_heading:
        best = max(sentences, key=lambda s: _containment(title_heading, text[s[0] : s[1]]))
        if _containment(title_heading, text[best[0] : best[1]]) == 0:
            best = sentences[0]
    else:
        best = sentences[0]
    years = [
        m
        for _, m in dated
        if m.role is Role.EVENT
        and m.precision is Precision.YEAR
        and m.date_start is not None
        and m.date_end is None
    ]
    preferred = [m for m in years if m.date_start and m.date_start.year == document_year]
    chosen = (preferred or years or [None])[0]
    if chosen is not None and chosen.date_start is not None:
        start, date_text, from_document = chosen.date_start, chosen.text, False
    elif document_year is not None:
        start, date_text, from_document = date(document_year, 1, 1), "", True
    else:
        start, date_text, from_document = None, "", False
    precision = str(Precision.YEAR) if start else ""
    if title_heading:
        title = _short(title_heading)
    else:
        title = _clause_title(text, best[0], best[1]) or _short(text[best[0] : best[1]])
    historical = document_year is not None and start is not None and start.year < document_year
    return _Draft(
        item=item,
        ordinal=0,
        title=title,
        title_from_heading=bool(title_heading),
        key_heading=key_heading or _normalised_key_text(title),
        excerpt=best,
        mention=chosen,
        date_start=start,
        date_end=None,
        precision=precision,
        date_text=date_text,
        kind="historical" if historical else "happened",
        confidence=_confidence(
            chosen,
            precision=precision,
            heading_title=bool(title_heading),
            item=item,
            from_document_year=from_document,
            heading_moved=heading_moved,
        ),
    )


# --- reports ---------------------------------------------------------------------------


def _concrete(text: str, sentence: tuple[int, int]) -> re.Match[str] | None:
    """The first concrete-occurrence phrase of a report sentence, if any.

    Not one that is a means in a list ("通过…、出版《…》、…等多种形式") nor the frame of a
    clause ("以开展…5周年系列活动为契机"): those say how, not what happened.
    """
    for clause in _split_outside(text, sentence[0], sentence[1], "，,；;。"):
        clause_text = text[clause[0] : clause[1]]
        if clause_text.startswith("以") and re.search(
            r"为(?:契机|主题|牵引|重点|抓手)", clause_text
        ):
            continue
        for match in _CONCRETE.finditer(clause_text):
            if match.start() > 0 and clause_text[match.start() - 1] == "、":
                continue
            # Re-anchor on the sentence so callers can find the clause again.
            return re.compile(re.escape(match.group(0))).search(
                text, clause[0] + match.start(), clause[1]
            )
    return None


def _planned_year(items: Sequence[Item]) -> int | None:
    for item in items:
        if item.kind in _REPORT_KINDS and item.heading:
            match = _PLANNED_HEADING.search(item.heading)
            if match:
                return int(match.group(1))
    return None


def _planned_ancestor(item: Item, items: Sequence[Item]) -> tuple[int, str] | None:
    """(year, "2023年") when the item or an ancestor is headed as the coming year's tasks."""
    current: Item | None = item
    while current is not None:
        if current.heading:
            match = _PLANNED_HEADING.search(current.heading)
            if match:
                return int(match.group(1)), f"{match.group(1)}年"
        current = items[current.parent] if current.parent is not None else None
    return None


def _own_blocks(text: str, item: Item, kids: Sequence[Item]) -> list[_Block]:
    """The item's text without its heading and its children: what it says itself."""
    excluded = [(kid.start, kid.end) for kid in kids]
    if item.heading_start is not None and item.heading_end is not None:
        excluded.append((item.heading_start, item.heading_end))
    return _blocks(text, item.start, item.end, excluded)


def _report_events(
    text: str,
    item: Item,
    kids: Sequence[Item],
    *,
    planned: tuple[int, str] | None,
    year: int | None,
    year_text: str,
) -> tuple[list[_Draft], str]:
    blocks = _own_blocks(text, item, kids)
    if not blocks:
        return [], "heading of the points below it, no text of its own"
    dated = _dates_in_blocks(text, blocks, DateContext(year=year))
    occurrence_at = {o.sentence: o for o in _occurrences(text, dated)}
    key_heading = _normalised_key_text(item.heading or "")
    kind = "planned" if planned else "happened"
    drafts: list[_Draft] = []
    for block in blocks:
        for sentence in sentence_spans(text, block.start, block.end):
            occ = occurrence_at.get(sentence)
            concrete = _concrete(text, sentence)
            if occ is None and concrete is None:
                continue
            if occ is not None:
                mention: DateMention | None = occ.mention
                start, end = occ.mention.date_start, occ.mention.date_end
                precision, date_text = str(occ.mention.precision), occ.mention.text
                title = _occurrence_title(text, occ.mention, occ.clause)
            else:
                assert concrete is not None
                mention = None
                start = date(year, 1, 1) if year else None
                end, precision = None, (str(Precision.YEAR) if year else "")
                date_text = year_text
                clause = next(
                    c
                    for c in _split_outside(text, sentence[0], sentence[1], "，,；;。")
                    if c[0] <= concrete.start() < c[1]
                )
                title = _short(text[clause[0] : clause[1]])
            drafts.append(
                _Draft(
                    item=item,
                    ordinal=len(drafts),
                    title=title or _short(text[sentence[0] : sentence[1]]),
                    title_from_heading=False,
                    key_heading=key_heading,
                    excerpt=sentence,
                    mention=mention,
                    date_start=start,
                    date_end=end,
                    precision=precision,
                    date_text=date_text,
                    kind=kind,
                    confidence=_confidence(
                        mention,
                        precision=precision,
                        heading_title=False,
                        item=item,
                        from_document_year=mention is None and not year_text,
                        report=True,
                    ),
                )
            )
    if drafts:
        return drafts, ""
    if planned:
        return [], "planned task in general terms: no dated or concrete occurrence"
    return [], "generic policy prose: no dated or concrete occurrence"


# --- metrics ---------------------------------------------------------------------------


def _metrics_in(
    text: str, item: Item, document_year: int | None, *, without: Sequence[Item] = ()
) -> list[MetricCandidate]:
    """Metrics of the item as candidates with offsets into ``text``.

    ``without``: children whose spans are left to them (report sections hold their points),
    so that each metric is found once.
    """
    segment_text = text[item.start : item.end]
    mentions: tuple[MetricMention, ...] = find_metrics(segment_text)
    mentions = attach_as_of(segment_text, mentions, context=DateContext(year=document_year))
    found = [
        MetricCandidate(
            start=m.start + item.start,
            end=m.end + item.start,
            text=m.text,
            value=m.value,
            unit=m.unit or "",
            qualifier=m.qualifier or "",
            label=m.label or "",
            as_of=m.as_of,
        )
        for m in mentions
    ]
    return [m for m in found if not any(k.start <= m.start < k.end for k in without)]


def _attach_metrics(
    metrics: Sequence[MetricCandidate], drafts: Sequence[_Draft]
) -> list[MetricCandidate]:
    """Give each metric to the event whose excerpt holds it, else the nearest; return the
    metrics no event can take (an item without events)."""
    if not drafts:
        return list(metrics)
    for metric in metrics:
        holder = next(
            (d for d in drafts if d.excerpt[0] <= metric.start and metric.end <= d.excerpt[1]),
            None,
        )
        if holder is None:
            holder = min(drafts, key=lambda d: _distance(d.excerpt, metric.start))
        holder.metrics.append(metric)
    return []


def _distance(span: tuple[int, int], position: int) -> int:
    if position < span[0]:
        return span[0] - position
    if position >= span[1]:
        return position - span[1] + 1
    return 0


# --- finishing -------------------------------------------------------------------------


def _finish(text: str, draft: _Draft, annotator: Annotator) -> EventCandidate:
    start, end = draft.excerpt
    summary = text[start:end]
    labelled = f"{draft.title}\n{summary}"
    return EventCandidate(
        key=f"{draft.key_heading}|{draft.date_text}|{draft.ordinal}",
        title=draft.title,
        summary=summary,
        body=draft.item.body,
        excerpt_start=start,
        excerpt_end=end,
        date_start=draft.date_start,
        date_end=draft.date_end,
        date_precision=draft.precision,
        date_text=draft.date_text,
        kind=draft.kind,
        place=annotator.place(summary) or "",
        category=annotator.category(summary, title=draft.title),
        confidence=draft.confidence,
        tags=annotator.tags(labelled),
        organisations=annotator.organisations(labelled),
        metrics=tuple(sorted(draft.metrics, key=lambda m: m.start)),
    )
