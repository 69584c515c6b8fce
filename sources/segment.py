"""Cutting normalised text into items: the entries of a chronicle or top-ten list, the
sections and points of a work report.

Every item carries [start, end) offsets into the normalised text, so that
`text[item.start:item.end] == item.text`, and the same for its heading. Three layouts are
recognised, by what the text contains rather than by which document it is:

- markdown headlines ("## …"), each with its 【新闻回放】/【评析】 parts ("### 【…】");
- 【镜头】/【新闻回放】-led entries with a short heading paragraph, printed before the entry
  (web pages) or after it (PDF pages, where the title follows its body in reading order);
- numbered report structure: "一、" parts, "（一）" sections, "一是" points.

Text before the first item is a 'preamble'; in it a paragraph opening "short phrase——" is a
'theme' item (the chronicle's summary of the year).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

_CLAUSE = "，。；！？：,;!?:"
_HEADING_MAX_CHARS = 40

_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MARKER = re.compile(r"^【([^】]{1,8})】")
_PART = re.compile(r"^([一二三四五六七八九十]{1,3})、")
_SECTION = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[)）]")
_POINT = re.compile(r"^([一二三四五六七八九十]{1,2})是")
_THEME = re.compile(r"^([^，。；：！？、“”《》\s]{2,20})——")
_BYLINE = re.compile(r"^(本报记者|本报特约记者|本报通讯员|特约记者|记者|通讯员|本报讯)")
_FIRST_SENTENCE = re.compile(r"^.*?[。！？](?:[”’）)]*)")

_MARKER_KINDS = {
    "镜头": "scene",
    "新闻回放": "replay",
    "回放": "replay",
    "评析": "commentary",
    "手记": "commentary",
    "点评": "commentary",
    "短评": "commentary",
}
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Item:
    index: int
    kind: str  # preamble, theme, headline, scene, replay, commentary, part, section, point
    text: str
    start: int
    end: int
    heading: str | None
    heading_start: int | None
    heading_end: int | None
    body: str
    parent: int | None
    heading_after_body: bool = False
    cut: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Paragraph:
    start: int
    end: int
    text: str


def _paragraphs(text: str) -> list[_Paragraph]:
    return [
        _Paragraph(m.start(), m.end(), m.group(0))
        for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)
        if m.group(0).strip()
    ]


def _ends_mid_sentence(text: str) -> bool:
    """Text whose last character is a word character: the sentence goes on elsewhere."""
    stripped = text.rstrip()
    return bool(stripped) and (stripped[-1].isalnum())


def _is_heading_like(p: _Paragraph) -> bool:
    return (
        len(p.text) <= _HEADING_MAX_CHARS
        and not any(ch in _CLAUSE for ch in p.text)
        and not _MARKER.match(p.text)
        and not _BYLINE.match(p.text)
        and not _MD_HEADING.match(p.text)
    )


def _marker_label(p: _Paragraph) -> tuple[str, int, int] | None:
    """The 【label】 a paragraph opens with (after any '### '), with its span in the paragraph."""
    offset = 0
    md = _MD_HEADING.match(p.text)
    if md:
        offset = md.end()
    match = _MARKER.match(p.text[offset:])
    if not match:
        return None
    return match.group(1), offset + match.start(), offset + match.end()


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[Item] = []

    def add(
        self,
        kind: str,
        paragraphs: list[_Paragraph],
        *,
        heading: tuple[int, int] | None = None,
        parent: int | None = None,
        heading_after_body: bool = False,
        notes: tuple[str, ...] = (),
    ) -> int:
        start, end = paragraphs[0].start, paragraphs[-1].end
        body_parts = []
        for p in paragraphs:
            if heading and p.start <= heading[0] < p.end:
                rest = self.text[heading[1] : p.end].strip()
                if rest:
                    body_parts.append(rest)
            else:
                body_parts.append(p.text)
        body = "\n\n".join(body_parts)
        notes = list(notes)
        if _ends_mid_sentence(body):
            notes.append("body ends mid-sentence")
        index = len(self.items)
        self.items.append(
            Item(
                index=index,
                kind=kind,
                text=self.text[start:end],
                start=start,
                end=end,
                heading=self.text[heading[0] : heading[1]] if heading else None,
                heading_start=heading[0] if heading else None,
                heading_end=heading[1] if heading else None,
                body=body,
                parent=parent,
                heading_after_body=heading_after_body,
                cut=bool(notes),
                notes=tuple(notes),
            )
        )
        return index


def segment(text: str) -> tuple[Item, ...]:
    """Items of a normalised document, in text order (parents before their children)."""
    paragraphs = _paragraphs(text)
    builder = _Builder(text)
    if not paragraphs:
        return ()

    headline_level = _headline_level(paragraphs)
    lead = _lead_marker(paragraphs)
    if headline_level is not None:
        first = _segment_markdown(builder, paragraphs, headline_level)
    elif lead is not None:
        first = _segment_entries(builder, paragraphs, lead)
    else:
        first = _segment_report(builder, paragraphs)
    return _with_preamble(builder, paragraphs, first)


def _with_preamble(builder: _Builder, paragraphs: list[_Paragraph], first: int) -> tuple[Item, ...]:
    """Prepend the preamble (paragraphs before the first item) and its themes."""
    body_items = builder.items
    if first == 0:
        return tuple(body_items)
    front = paragraphs[:first]
    pre = _Builder(builder.text)
    title = front[0]
    md = _MD_HEADING.match(title.text)
    heading = (title.start + md.end(), title.end) if md else None
    pre_index = pre.add("preamble", front, heading=heading)
    for p in front:
        theme = _THEME.match(p.text)
        if theme:
            pre.add("theme", [p], heading=(p.start, p.start + theme.end(1)), parent=pre_index)
    shift = len(pre.items)
    shifted = [
        dataclasses.replace(
            item,
            index=item.index + shift,
            parent=None if item.parent is None else item.parent + shift,
        )
        for item in body_items
    ]
    return (*pre.items, *shifted)


# --- markdown headlines --------------------------------------------------------------------


def _headline_level(paragraphs: list[_Paragraph]) -> int | None:
    levels = [
        len(m.group(1))
        for p in paragraphs
        if (m := _MD_HEADING.match(p.text)) and _marker_label(p) is None
    ]
    repeated = sorted({level for level in levels if levels.count(level) >= 2})
    return repeated[0] if repeated else None


def _segment_markdown(builder: _Builder, paragraphs: list[_Paragraph], level: int) -> int:
    starts = [
        i
        for i, p in enumerate(paragraphs)
        if (m := _MD_HEADING.match(p.text)) and len(m.group(1)) == level
    ]
    for n, i in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(paragraphs)
        head = paragraphs[i]
        md = _MD_HEADING.match(head.text)
        assert md is not None
        parent = builder.add(
            "headline", paragraphs[i:stop], heading=(head.start + md.end(), head.end)
        )
        _add_marked_parts(builder, paragraphs[i + 1 : stop], parent)
    return starts[0]


def _add_marked_parts(builder: _Builder, paragraphs: list[_Paragraph], parent: int) -> None:
    """Children of an entry: each 【label】 paragraph with the plain paragraphs after it."""
    marked = [i for i, p in enumerate(paragraphs) if _marker_label(p)]
    for n, i in enumerate(marked):
        stop = marked[n + 1] if n + 1 < len(marked) else len(paragraphs)
        p = paragraphs[i]
        found = _marker_label(p)
        assert found is not None
        label, begin, finish = found
        builder.add(
            _MARKER_KINDS.get(label, "note"),
            paragraphs[i:stop],
            heading=(p.start + begin, p.start + finish),
            parent=parent,
        )


# --- 【镜头】-led entries -------------------------------------------------------------------


def _lead_marker(paragraphs: list[_Paragraph]) -> str | None:
    for p in paragraphs:
        found = _marker_label(p)
        if found and _MARKER_KINDS.get(found[0]) in {"scene", "replay"}:
            return found[0]
    return None


def _segment_entries(builder: _Builder, paragraphs: list[_Paragraph], lead: str) -> int:
    leads = [i for i, p in enumerate(paragraphs) if (f := _marker_label(p)) and f[0] == lead]
    first_lead = leads[0]
    headings_first = first_lead > 0 and _is_heading_like(paragraphs[first_lead - 1])
    if headings_first:
        return _entries_headed_before(builder, paragraphs, leads)
    return _entries_headed_after(builder, paragraphs, leads)


def _entries_headed_before(
    builder: _Builder, paragraphs: list[_Paragraph], leads: list[int]
) -> int:
    starts = [i - 1 if i > 0 and _is_heading_like(paragraphs[i - 1]) else i for i in leads]
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(paragraphs)
        head = paragraphs[start]
        has_heading = start != leads[n]
        parent = builder.add(
            "headline",
            paragraphs[start:stop],
            heading=(head.start, head.end) if has_heading else None,
            notes=() if has_heading else ("heading missing",),
        )
        _add_marked_parts(builder, paragraphs[leads[n] : stop], parent)
    return starts[0]


def _entries_headed_after(builder: _Builder, paragraphs: list[_Paragraph], leads: list[int]) -> int:
    """PDF reading order: body first, then the entry's heading paragraph."""
    lead_set = set(leads)
    i = leads[0]
    while i < len(paragraphs):
        start = i
        j = i
        heading_at = None
        while j < len(paragraphs):
            if j != start and j in lead_set:
                break
            if j != start and _is_heading_like(paragraphs[j]):
                heading_at = j
                j += 1
                break
            j += 1
        notes: list[str] = []
        if start not in lead_set:
            notes.append("displaced text without its opening marker")
        if heading_at is None:
            notes.append("heading missing")
        head = paragraphs[heading_at] if heading_at is not None else None
        parent = builder.add(
            "headline",
            paragraphs[start:j],
            heading=(head.start, head.end) if head else None,
            heading_after_body=head is not None,
            notes=tuple(notes),
        )
        body_stop = heading_at if heading_at is not None else j
        _add_marked_parts(builder, paragraphs[start:body_stop], parent)
        i = j
    return leads[0]


# --- numbered report -----------------------------------------------------------------------


def _numeral(value: str) -> int:
    if value == "十":
        return 10
    if value.startswith("十"):
        return 10 + _NUMERALS.index(value[1]) + 1
    if "十" in value:
        tens, _, units = value.partition("十")
        return (_NUMERALS.index(tens) + 1) * 10 + (_NUMERALS.index(units) + 1 if units else 0)
    return _NUMERALS.index(value) + 1


def _segment_report(builder: _Builder, paragraphs: list[_Paragraph]) -> int:
    levels = {"part": 0, "section": 1, "point": 2}
    starts: list[tuple[int, str, int]] = []
    for i, p in enumerate(paragraphs):
        for kind, pattern in (("part", _PART), ("section", _SECTION), ("point", _POINT)):
            match = pattern.match(p.text)
            if match:
                starts.append((i, kind, _numeral(match.group(1))))
                break
    if not starts:
        return len(paragraphs) if len(paragraphs) > 0 else 0

    open_parents: dict[str, int] = {}
    last_number: dict[str, int] = {}
    for n, (i, kind, number) in enumerate(starts):
        level = levels[kind]
        stop = len(paragraphs)
        for later, later_kind, _ in starts[n + 1 :]:
            if levels[later_kind] <= level:
                stop = later
                break
        parent = None
        for upper in ("point", "section", "part"):
            if levels[upper] < level and upper in open_parents:
                parent = open_parents[upper]
                break
        notes = ()
        expected = last_number.get(kind, 0) + 1
        if number != expected and (parent is None or number > 1):
            notes = (f"numbered {number} where {expected} was expected: preceding text missing",)
        p = paragraphs[i]
        sentence = _FIRST_SENTENCE.match(p.text)
        heading_end = p.start + sentence.end() if sentence else p.end
        index = builder.add(
            kind, paragraphs[i:stop], heading=(p.start, heading_end), parent=parent, notes=notes
        )
        open_parents[kind] = index
        last_number[kind] = number
        for lower, lower_level in levels.items():
            if lower_level > level:
                open_parents.pop(lower, None)
                last_number.pop(lower, None)
    return starts[0][0]
