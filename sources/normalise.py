"""Repairing decoded text so later stages see one clean form of every document.

What is repaired, in order:
1. line ends (CRLF, CR) become LF; a page of HTML becomes its text;
2. invisible characters go (zero-width characters, soft hyphens, bidirectional marks and
   overrides such as U+200F and U+202E, which could reorder what a reader sees, and stray
   control characters, which XML feeds cannot carry); ideographic and no-break spaces
   become plain spaces; a text in
   traditional characters becomes simplified (OpenCC t2s), so that the gazetteer, the date
   words and search see one script — a simplified text is left exactly as it is;
3. web boilerplate lines (breadcrumb, 发布时间/栏目 meta, 来源, 责任编辑, copyright, ICP,
   打印/关闭, 上一篇/下一篇) are dropped and listed in the report. `sources.metadata` reads
   发布时间 and 来源 from the raw text with the same patterns (`boilerplate_reason`), so
   nothing it needs depends on this stage;
4. lines broken by a PDF's layout are rejoined into paragraphs (only when the document is laid
   out that way), keeping headings, bylines and numbered or 【】-marked blocks apart;
5. spaces around CJK are dropped, except a single space between two ideographs on a line that
   is not letter-spaced (it separates names and slogan halves: "喜迎二十大 建功新时代");
6. half-width , ; : ( ) ? ! touching CJK become full-width; "17:16", "84.86", "3D" stay.

Paragraphs are separated by one blank line and the text ends with a newline. Running the
repair twice gives the same text.
"""

from __future__ import annotations

import functools
import re
import statistics
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import opencc

# --- character classes -------------------------------------------------------------------

_FINAL = "。！？!?"
_CLOSERS = "”’」』）)》〉】\"'"
_CLAUSE = "，。；！？：,;!?:"
_WIDE_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】「」『』…—·～－"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = "".join(
    chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r\f\v"
)
_INVISIBLE = dict.fromkeys(
    map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad" + _BIDI_CONTROLS + _CONTROLS)
)
_SPACES = dict.fromkeys(map(ord, "\u3000\u00a0\u2002\u2003\u2009\t\f\v"), " ")


def _is_ideograph(ch: str) -> bool:
    if not ch:
        return False
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


@functools.lru_cache(maxsize=16384)
def _is_wide(ch: str) -> bool:
    # Cached: a document asks about the same few thousand characters over and over.
    if not ch:
        return False
    return _is_ideograph(ch) or ch in _WIDE_PUNCT or unicodedata.east_asian_width(ch) in "WF"


def _display_width(line: str) -> float:
    return sum(1.0 if _is_wide(ch) else 0.5 for ch in line)


# --- boilerplate ---------------------------------------------------------------------------

_BOILERPLATE = (
    ("breadcrumb", re.compile(r"^(您?(当前|现在)的?(所在)?位置|所在位置)\s*[:：]")),
    ("breadcrumb", re.compile(r"^(首页|主页)\s*[>＞»›]")),
    (
        "meta",
        re.compile(
            r"^(发布时间|发布日期|发表时间|更新时间)\s*[:：]|(栏目|浏览次数|点击数|阅读数)\s*[:：]"
        ),
    ),
    ("origin", re.compile(r"^(文章|稿件|信息|新闻)?来源\s*[:：]")),
    ("editor", re.compile(r"^[（(\[【]?\s*(责任编辑|责编|编辑)\s*[:：]")),
    ("copyright", re.compile(r"版权所有|copyright|©|all rights reserved", re.IGNORECASE)),
    ("icp", re.compile(r"ICP\s*[备证]|公网安备")),
    ("navigation", re.compile(r"^[【\[]?(打印(本页|此页|文章)?|关闭(窗口|本页)?)[】\]]?(\s|$)")),
    ("navigation", re.compile(r"^(上一篇|下一篇|上一条|下一条)\s*[:：]?")),
    ("navigation", re.compile(r"^(分享到|扫一扫)")),
    ("contact", re.compile(r"^(电话|地址|邮编|传真)\s*[:：].*(电话|地址|邮编|传真)\s*[:：]")),
)
# Boilerplate is a short line; a long one is body text that happens to mention 来源 or ©.
_BOILERPLATE_MAX_CHARS = 120


def boilerplate_reason(line: str) -> str | None:
    """Why a (stripped) line is web page furniture rather than text, or None."""
    if len(line) > _BOILERPLATE_MAX_CHARS:
        return None
    for reason, pattern in _BOILERPLATE:
        if pattern.search(line):
            return reason
    return None


# --- HTML ----------------------------------------------------------------------------------

_HTML_HINT = re.compile(r"<\s*(html|body|p|div|br|span|table|article|h[1-6])\b", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "title",
        "tr",
        "ul",
    }
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})


def looks_like_html(text: str) -> bool:
    return len(_HTML_HINT.findall(text[:20000])) >= 2


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text of an HTML page, one line per block, entities unescaped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def plain_lines(raw_text: str) -> list[str]:
    """Stripped lines of raw text (HTML reduced to text), blank ones included."""
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_html(text):
        text = html_to_text(text)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    return [line.strip() for line in text.split("\n")]


# --- report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedLine:
    line_number: int
    text: str
    reason: str


@dataclass(frozen=True)
class NormalisationReport:
    layout: str  # "wrapped" (PDF lines rejoined) or "paragraphs" (one line per paragraph)
    html_stripped: bool
    line_ends_converted: int
    lines_rejoined: int
    spaces_removed: int
    punctuation_converted: int
    removed_lines: tuple[RemovedLine, ...]
    traditional_converted: int = 0  # characters changed from traditional to simplified


@dataclass(frozen=True)
class Normalised:
    text: str
    report: NormalisationReport


# --- line layout ---------------------------------------------------------------------------

_BLOCK_START = re.compile(
    r"^(【[^】]{1,8}】|#{1,6}\s|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
)
_MARKER_LINE = re.compile(r"^(【[^】]{1,8}】|#{1,6}\s)")
_BYLINE = re.compile(r"^(本报记者|本报特约记者|本报通讯员|特约记者|记者|通讯员|本报讯)\s*\S")
_HEADING_PREFIX = re.compile(r"^#{1,6}\s+")
# A document is laid out in wrapped lines when most lines are about the same width...
_MIN_WRAPPED_LINES = 8
_WRAP_TOLERANCE = 0.25
_MIN_REGULAR_SHARE = 0.6
_MAX_WRAP_WIDTH = 60
# ...and a line much shorter than that width ends its paragraph.
_SHORT_LINE = 0.6
_MIN_LETTER_GAPS = 3


def _ends_final(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _FINAL


def _is_letter_spaced(line: str) -> bool:
    """A justified or centred PDF line: a space between most pairs of wide characters."""
    spaced = tight = 0
    compact = line.strip()
    for i in range(1, len(compact)):
        prev, ch = compact[i - 1], compact[i]
        if ch == " " or prev == " ":
            continue
        if _is_wide(prev) or _is_wide(ch):
            tight += 1
    for match in re.finditer(r"(\S) +(?=(\S))", compact):
        if _is_wide(match.group(1)) or _is_wide(match.group(2)):
            spaced += 1
    return spaced >= _MIN_LETTER_GAPS and spaced >= tight


def _wrap_width(lines: list[str]) -> float | None:
    """The width lines are wrapped at, or None when lines are whole paragraphs."""
    widths = [_display_width(line) for line in lines if line]
    if len(widths) < _MIN_WRAPPED_LINES:
        return None
    median = statistics.median(widths)
    regular = sum(1 for w in widths if abs(w - median) <= _WRAP_TOLERANCE * median)
    if median > _MAX_WRAP_WIDTH or regular / len(widths) < _MIN_REGULAR_SHARE:
        return None
    return median


def _paragraph_lines(lines: list[str]) -> tuple[list[list[str]], bool, int]:
    """Group lines into paragraphs; returns the groups, whether wrapped, and joins made."""
    width = _wrap_width(lines)
    entries = [(i, line) for i, line in enumerate(lines) if line]
    if width is None:
        return [[line] for _, line in entries], False, 0

    gaps = [entries[k + 1][0] - entries[k][0] > 1 for k in range(len(entries) - 1)]
    # Blank lines mean nothing when (nearly) every line is followed by one.
    blank_breaks = bool(gaps) and sum(gaps) / len(gaps) < 0.5
    texts = [line for _, line in entries]
    count = len(texts)

    def heading_by_position(j: int) -> bool:
        """A line without clause punctuation standing right before a marker, or last."""
        if any(ch in _CLAUSE for ch in texts[j]) or _BLOCK_START.match(texts[j]):
            return False
        return j == count - 1 or bool(_MARKER_LINE.match(texts[j + 1]))

    def base_continues(k: int) -> bool:
        here, there = texts[k], texts[k + 1]
        return not (
            _ends_final(here)
            or _display_width(here) < _SHORT_LINE * width
            or (blank_breaks and gaps[k])
            or _BLOCK_START.match(there)
            or _HEADING_PREFIX.match(here)
            or _BYLINE.match(here)
            or _BYLINE.match(there)
            or heading_by_position(k)
            or heading_by_position(k + 1)
        )

    base = [base_continues(k) for k in range(count - 1)]
    heading = [
        heading_by_position(j)
        or (
            (j == 0 or not base[j - 1])
            and not _BLOCK_START.match(texts[j])
            and _is_letter_spaced(texts[j])
            and not any(ch in _CLAUSE for ch in texts[j])
        )
        for j in range(count)
    ]
    groups: list[list[str]] = [[texts[0]]] if texts else []
    joins = 0
    for k in range(count - 1):
        if base[k] and not heading[k] and not heading[k + 1]:
            groups[-1].append(texts[k + 1])
            joins += 1
        else:
            groups.append([texts[k + 1]])
    return groups, True, joins


# --- spaces and punctuation ----------------------------------------------------------------

_RUN_OF_SPACES = re.compile(r" {2,}")
_SPACE = re.compile(r" +")
_RANGE_DASH = re.compile(r"(?<=\d)(?: +-| *- +)(?=\d)")
_HALF_WIDTH_PUNCT = re.compile("[" + re.escape("".join(_HALF_TO_FULL)) + "]")
_NOT_SPACE = re.compile(r"[^ ]")


def _drop_spaces_by_wide(line: str, *, letter_spaced: bool) -> str:
    """Drop spaces touching wide characters; on ordinary lines keep one between ideographs."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        before = line[start - 1] if start else ""
        after = line[end] if end < len(line) else ""
        if not before or not after:
            return ""
        if not (_is_wide(before) or _is_wide(after)):
            return " "
        if not letter_spaced and _is_ideograph(before) and _is_ideograph(after):
            return " "
        return ""

    return _SPACE.sub(replace, line)


def _join_lines(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        if text and part and text[-1].isascii() and text[-1].isalpha() and part[0].isalpha():
            text += " " + part
        else:
            text += part
    return text


def _widen_punctuation(text: str) -> tuple[str, int]:
    """Half-width punctuation touching a wide character (spaces aside) made full-width.

    One pass left to right, so that a paragraph of any length costs time in proportion to
    it: the character before is the last one kept (as converted so far), the one after is
    found by a search that starts where the mark is.
    """
    parts: list[str] = []
    converted = 0
    before = ""
    position = 0
    for match in _HALF_WIDTH_PUNCT.finditer(text):
        i = match.start()
        ch = text[i]
        parts.append(text[position:i])
        stretch = text[position:i].rstrip(" ")
        if stretch:
            before = stretch[-1]
        following = _NOT_SPACE.search(text, i + 1)
        after = following.group() if following else ""
        if not (ch in ",:" and before.isdigit() and after.isdigit()) and (
            _is_wide(before) or _is_wide(after)
        ):
            ch = _HALF_TO_FULL[ch]
            converted += 1
        parts.append(ch)
        before = ch
        position = i + 1
    parts.append(text[position:])
    return "".join(parts), converted


def _clean_paragraph(lines: list[str]) -> tuple[str, int, int]:
    """One paragraph from its lines; returns text, spaces removed, punctuation converted."""
    heading = _HEADING_PREFIX.match(lines[0])
    prefix = heading.group(0).strip() + " " if heading else ""
    if heading:
        lines = [lines[0][heading.end() :], *lines[1:]]
    before = sum(line.count(" ") for line in lines)
    cleaned = [
        _drop_spaces_by_wide(_RUN_OF_SPACES.sub(" ", line), letter_spaced=_is_letter_spaced(line))
        for line in lines
    ]
    text = _join_lines(cleaned)
    text, converted = _widen_punctuation(text)
    text = _drop_spaces_by_wide(text, letter_spaced=False)
    text = _RANGE_DASH.sub("-", text)
    removed = before - text.count(" ")
    return prefix + text, max(removed, 0), converted


# --- entry point ---------------------------------------------------------------------------


# A document counts as written in traditional characters when this share of its CJK
# characters has a simplified form. Simplified texts are left alone: OpenCC's phrase tables
# would otherwise "correct" the odd character that both scripts share.
_TRADITIONAL_SHARE = 0.02


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> tuple[str, int]:
    """The text in simplified characters, and how many characters changed."""
    converted = _t2s().convert(text)
    if converted == text:
        return text, 0
    changed = sum(1 for before, after in zip(text, converted, strict=False) if before != after)
    ideographs = sum(1 for ch in text if _is_ideograph(ch)) or 1
    if changed / ideographs < _TRADITIONAL_SHARE:
        return text, 0
    return converted, changed


def normalise(text: str) -> Normalised:
    """Repair a decoded document's text; see the module docstring for what changes."""
    line_ends = text.count("\r\n") + text.replace("\r\n", "").count("\r")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    html = looks_like_html(text)
    if html:
        text = html_to_text(text)
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE).translate(_SPACES))
    text, traditional = to_simplified(text)

    lines: list[str] = []
    removed: list[RemovedLine] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        reason = boilerplate_reason(line) if line else None
        if reason:
            removed.append(RemovedLine(line_number=number, text=line, reason=reason))
            lines.append("")
        else:
            lines.append(line)

    groups, wrapped, joins = _paragraph_lines(lines)
    paragraphs: list[str] = []
    spaces = punctuation = 0
    for group in groups:
        paragraph, dropped, converted = _clean_paragraph(group)
        spaces += dropped
        punctuation += converted
        if paragraph:
            paragraphs.append(paragraph)

    report = NormalisationReport(
        layout="wrapped" if wrapped else "paragraphs",
        html_stripped=html,
        line_ends_converted=line_ends,
        lines_rejoined=joins,
        spaces_removed=spaces,
        punctuation_converted=punctuation,
        removed_lines=tuple(removed),
        traditional_converted=traditional,
    )
    return Normalised(text="\n\n".join(paragraphs) + "\n" if paragraphs else "", report=report)
