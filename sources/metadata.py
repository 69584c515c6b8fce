"""What a document says about itself: title, byline, date, origin, and what kind it is.

Web meta lines (发布时间, 来源, copyright holder) are read from the RAW text, because
`sources.normalise` drops them as boilerplate; both stages recognise them with the same
patterns (`boilerplate_reason`). Title, byline and kind are read from the normalised text.
Nothing is invented: a field the text does not state stays empty, and a manifest supplies it
through `merge_metadata`, where the manifest wins.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sources.normalise import boilerplate_reason, plain_lines

PRECISIONS = ("day", "month", "year")
KINDS = ("chronicle", "top-news", "report", "other")

_BYLINE = re.compile(r"^(本报记者|本报特约记者|特约记者|记者|本报通讯员|通讯员)\s*(.+)$")
_BYLINE_ROLE = re.compile(r"本报记者|本报特约记者|特约记者|记者|本报通讯员|通讯员")
_CREDIT_LINE = re.compile(r"^(制图|摄影|摄|图|供图|绘图|设计)\s*[:：]\s*(.+)$")
_CREDIT_SUFFIX = (("供图", "photo"), ("摄影", "photo"), ("摄", "photo"), ("制图", "graphics"))
_CREDIT_ROLES = {"制图": "graphics", "绘图": "graphics", "设计": "graphics"}
_DATE_LABEL = re.compile(r"(发布时间|发布日期|发表时间|日期|时间)\s*[:：]\s*([^|｜]*)")
_ORIGIN = re.compile(r"^(?:文章|稿件|信息|新闻)?来源\s*[:：]\s*([^|｜\s]+)")
_COPYRIGHT_HOLDER = re.compile(
    r"(?:copyright\s*)?(?:©|\(c\))?\s*(?:\d{4}(?:-\d{4})?\s*)?([^\s©]+?)\s*版权所有", re.IGNORECASE
)
_CANONICAL = re.compile(
    r"""<link[^>]+rel=["']canonical["'][^>]+href=["']([^"']+)|"""
    r"""<meta[^>]+property=["']og:url["'][^>]+content=["']([^"']+)""",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s\"'<>，。、）)]+")
_WEB_ADDRESS = re.compile(r"https?://\S+$", re.IGNORECASE)
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")
_Y = re.compile(r"(\d{4})\s*年?")
_MASTHEAD = re.compile(r"《([^《》]{2,12}(?:日报|晚报|工人报|报))》")
_SECTION = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]", re.MULTILINE)
_POINT = re.compile(r"^[一二三四五六七八九十]{1,2}是", re.MULTILINE)
_HEADING_MAX_CHARS = 60
_CLAUSE = "，。；！？,;!?"


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    subtitle: str | None = None
    title_cut: bool = False
    publisher: str | None = None
    reporters: tuple[str, ...] = ()
    credits: tuple[tuple[str, str], ...] = ()  # (role, name): ("photo", "陈艺")
    published: dt.date | None = None
    published_precision: str | None = None
    origin: str | None = None
    url: str | None = None
    kind: str = "other"


def extract_metadata(raw_text: str, normalised_text: str) -> Metadata:
    """Read what the document states about itself; see the module docstring for sources."""
    lines = [line for line in plain_lines(raw_text) if line]
    paragraphs = [p for p in normalised_text.split("\n\n") if p.strip()]
    title, subtitle, title_cut = _title(paragraphs)
    reporters, credits = _byline(paragraphs)
    published, precision = _published(lines)
    return Metadata(
        title=title,
        subtitle=subtitle,
        title_cut=title_cut,
        publisher=_publisher(lines, normalised_text),
        reporters=reporters,
        credits=credits,
        published=published,
        published_precision=precision,
        origin=_origin(lines),
        url=_url(raw_text),
        kind=_kind(title, subtitle, normalised_text),
    )


def merge_metadata(extracted: Metadata, override: dict[str, Any]) -> Metadata:
    """The extracted metadata with every field the manifest gives replaced by its value."""
    fields = {field.name for field in dataclasses.fields(Metadata)}
    unknown = set(override) - fields
    if unknown:
        raise ValueError(f"unknown metadata fields: {', '.join(sorted(unknown))}")
    values = dict(override)
    for key in ("reporters",):
        if key in values and values[key] is not None:
            values[key] = tuple(values[key])
    if "credits" in values and values["credits"] is not None:
        values["credits"] = tuple(tuple(pair) for pair in values["credits"])
    if isinstance(values.get("published"), str):
        published, precision = parse_date(values["published"])
        if published is None:
            raise ValueError(f"published: not a date: {values['published']!r}")
        values["published"] = published
        values.setdefault("published_precision", precision)
    if values.get("kind", "other") not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}")
    if values.get("published_precision") not in (None, *PRECISIONS):
        raise ValueError(f"published_precision: must be one of {', '.join(PRECISIONS)}")
    if values.get("url") and not _WEB_ADDRESS.match(values["url"]):
        raise ValueError(f"url: not an http or https address: {values['url']!r}")
    return dataclasses.replace(extracted, **values)


def parse_date(value: str) -> tuple[dt.date | None, str | None]:
    """A date and how precise it is, from "2023-02-13 17:16", "2023年2月", "2023"..."""
    for pattern, precision in ((_YMD, "day"), (_YM, "month"), (_Y, "year")):
        match = pattern.search(value)
        if not match:
            continue
        parts = [int(group) for group in match.groups()]
        year, month, day = (*parts, 1, 1)[:3]
        try:
            return dt.date(year, month, day), precision
        except ValueError:
            continue
    return None, None


def _title(paragraphs: list[str]) -> tuple[str | None, str | None, bool]:
    if not paragraphs:
        return None, None, False
    first = paragraphs[0]
    heading = re.match(r"^#{1,6}\s+(.*)$", first)
    if heading:
        return heading.group(1).strip(), None, False
    if not _is_title_like(first):
        return None, None, False
    # A page may repeat the short title above the full "title——subtitle" line.
    if len(paragraphs) > 1 and _is_title_like(paragraphs[1]) and paragraphs[1].endswith(first):
        first = paragraphs[1]
    main, dash, sub = first.partition("——")
    if not dash:
        return first, None, False
    if not main.strip():
        # "——subtitle" with the main title lost: the PDF cut it off.
        return sub.strip(), None, True
    return main.strip(), sub.strip() or None, False


def _is_title_like(paragraph: str) -> bool:
    return (
        len(paragraph) <= _HEADING_MAX_CHARS
        and not any(ch in _CLAUSE for ch in paragraph)
        and not _BYLINE.match(paragraph)
        and not paragraph.startswith("【")
    )


def _byline(paragraphs: list[str]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    reporters: list[str] = []
    credits: list[tuple[str, str]] = []
    for paragraph in paragraphs[:8]:
        credit = _CREDIT_LINE.match(paragraph)
        if credit:
            role = _CREDIT_ROLES.get(credit.group(1), "photo")
            credits.extend((role, name) for name in credit.group(2).split())
            continue
        byline = _BYLINE.match(paragraph)
        if not byline:
            continue
        tokens = byline.group(2).split()
        has_credits = any(
            token.endswith(suffix) for token in tokens for suffix, _ in _CREDIT_SUFFIX
        )
        for token in tokens:
            if _BYLINE_ROLE.fullmatch(token):
                continue
            role = next(
                (r for s, r in _CREDIT_SUFFIX if token.endswith(s) and len(token) > len(s)), None
            )
            if role:
                name = token[: -len(next(s for s, r in _CREDIT_SUFFIX if token.endswith(s)))]
                credits.append((role, name))
                continue
            # Beside a photo credit, "白莹文" is "白莹 文": the name plus the text credit.
            if has_credits and token.endswith("文") and len(token) >= 3:
                token = token[:-1]
                credits.append(("text", token))
            reporters.append(token)
    return tuple(reporters), tuple(credits)


def _published(lines: list[str]) -> tuple[dt.date | None, str | None]:
    for line in lines:
        if boilerplate_reason(line) != "meta":
            continue
        label = _DATE_LABEL.search(line)
        if label:
            found = parse_date(label.group(2))
            if found[0] is not None:
                return found
    return None, None


def _origin(lines: list[str]) -> str | None:
    for line in lines:
        if boilerplate_reason(line) in {"origin", "meta"}:
            match = _ORIGIN.search(line) or re.search(r"来源\s*[:：]\s*([^|｜\s]+)", line)
            if match:
                return match.group(1)
    return None


def _publisher(lines: list[str], normalised_text: str) -> str | None:
    for line in lines:
        if boilerplate_reason(line) == "copyright":
            holder = _COPYRIGHT_HOLDER.search(line)
            if holder:
                return holder.group(1)
    masthead = _MASTHEAD.search(normalised_text[:300])
    return masthead.group(1) if masthead else None


def _url(raw_text: str) -> str | None:
    """The page's own address: its canonical link, else the first web address in the text.
    Only http(s): a "javascript:" or "data:" address is never a source's link."""
    canonical = _CANONICAL.search(raw_text)
    if canonical and _WEB_ADDRESS.match(canonical.group(1) or canonical.group(2)):
        return canonical.group(1) or canonical.group(2)
    found = _URL.search(raw_text)
    return found.group(0) if found else None


def _kind(title: str | None, subtitle: str | None, text: str) -> str:
    named = " ".join(filter(None, (title, subtitle)))
    for source in (named, text[:500]):
        if "大事记" in source:
            return "chronicle"
        if "十大新闻" in source or "盘点" in source:
            return "top-news"
        if "工作报告" in source:
            return "report"
    if len(_SECTION.findall(text)) >= 2 and len(_POINT.findall(text)) >= 2:
        return "report"
    return "other"
