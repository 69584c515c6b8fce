"""The event list as Knight Lab TimelineJS3 JSON, loaded by TimelineJS unchanged.

https://timeline.knightlab.com/docs/json-format.html: a title slide and one slide per
dated event. TimelineJS shows ``text.headline`` and ``text.text`` as HTML, so both are
escaped here; ``display_date`` and ``group`` it shows as plain text.

Decisions worth knowing:

* A date names only the parts its precision states: year precision gives the year,
  month and season precision the year and the period's first month (a season is three
  months from there), xun and day precision the day as well — for a xun the xun's
  first day (1, 11 or 21), as the contract stores it. TimelineJS then places the slide
  at the period's start and formats the axis to the stated precision.
* ``display_date`` is always the Chinese form editors write ("2022年6月下旬",
  "2022年4月27日至29日"); on the slide for the whole period, on ``start_date`` and
  ``end_date`` for each end, so neither TimelineJS nor the browser's language invents
  "June 21, 2022" for a xun.
* ``end_date`` only for a stated range (``date_end``), never for the end of a period.
  It names the range's real last day as finely as the text does: "至12月" (month end)
  gives year and month, "至12月底" after a xun or "至29日" the day, with the Chinese
  form of that end alone ("2022年12月下旬", "2022年4月29日") as its ``display_date``.
* Date parts are strings, as in the format's own examples and the Google Sheets loader.
* Undated events are left out: TimelineJS refuses a slide without ``start_date``.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from events.extraction.dates import date_text_zh

DEFAULT_TITLE = "工会大事记"


def _period(event: dict) -> tuple[date | None, date | None, str | None]:
    start, end = event.get("date_start"), event.get("date_end")
    return (
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        event.get("date_precision") or None,
    )


def timeline_date(day: date, precision: str, display_date: str) -> dict:
    """A TimelineJS date object naming only the parts ``precision`` states."""
    parts = {"year": str(day.year)}
    if precision != "year":
        parts["month"] = str(day.month)
    if precision in ("day", "xun"):
        parts["day"] = str(day.day)
    parts["display_date"] = display_date
    return parts


def _end_granularity(end: date, precision: str) -> tuple[str, str]:
    """How finely the last day of a range is stated, and its Chinese form."""
    if precision == "year":
        return "year", date_text_zh(date(end.year, 1, 1), None, "year")
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if precision == "season" and month_end and end.month % 3 == 0:
        return "month", date_text_zh(date(end.year, end.month - 2, 1), None, "season")
    if precision in ("month", "season") and month_end:
        return "month", date_text_zh(date(end.year, end.month, 1), None, "month")
    if precision == "xun" and (month_end or end.day in (10, 20)):
        xun_first = min((end.day - 1) // 10, 2) * 10 + 1
        return "day", date_text_zh(date(end.year, end.month, xun_first), None, "xun")
    return "day", date_text_zh(end, None, "day")


def slide_text(event: dict) -> str:
    """The slide body: the summary as escaped paragraphs and a link to the event's page."""
    summary = event.get("summary") or ""
    body = linebreaks(summary, autoescape=True) if summary.strip() else ""
    public_url = event.get("public_url")
    if public_url:
        label = _("Read the full entry")
        link = f'<p><a href="{escape(public_url)}">{escape(label)}</a></p>'
        body = f"{body}\n{link}" if body else link
    return body


def timeline_slide(event: dict) -> dict | None:
    """The event as a TimelineJS slide; None when it has no date."""
    start, end, precision = _period(event)
    if start is None or precision is None:
        return None
    slide = {
        "unique_id": f"event-{event['id']}",
        "start_date": timeline_date(start, precision, date_text_zh(start, None, precision)),
        "display_date": date_text_zh(start, end, precision),
        "text": {"headline": escape(event.get("title") or ""), "text": slide_text(event)},
    }
    if end is not None:
        granularity, end_text = _end_granularity(end, precision)
        slide["end_date"] = timeline_date(end, granularity, end_text)
    category = event.get("category") or {}
    if category.get("name"):
        slide["group"] = escape(category["name"])
    return slide


def timeline_json(events: list[dict], *, title: str = DEFAULT_TITLE) -> dict:
    """TimelineJS3 JSON for ``events`` (in the shape of CONTRACT.md), undated ones left out."""
    slides = [slide for slide in map(timeline_slide, events) if slide is not None]
    return {
        "title": {"text": {"headline": escape(title), "text": ""}},
        "events": slides,
    }
