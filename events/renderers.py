"""The event list as a spreadsheet (CSV) and as a calendar (iCalendar).

Both renderers take what the event views return: a paginated page
``{"count", "next", "previous", "results": [...]}``, a plain list of events, a single
event, or an error (``{"detail": "..."}``, ``{"year": ["..."]}``). Events are in the
shape of CONTRACT.md, as ``EventSerializer`` produces them.

Decisions worth knowing:

* Errors stay readable in the format the client asked for where the format can hold
  them: the CSV is one column ``error`` with a row per message. A calendar cannot hold
  a message, so an error comes out as its JSON and the response is relabelled
  ``application/json``.
* ``public_url`` is made absolute when the request is known, like ``url`` already is:
  a spreadsheet cell or a calendar entry has no page to be relative to.
* In the calendar every event is all-day and covers the whole period it states: a month
  event spans the month, a xun its 10 or 11 days, a season three months, a year the
  year — unless ``date_end`` gives the last day. ``DTEND`` is that last day plus one,
  exclusive, as RFC 5545 wants for all-day events. Undated events are left out.
* ``DTSTAMP`` and ``LAST-MODIFIED`` are the event's ``updated_at``, so the same events
  give the same bytes (stable ETags, no needless calendar syncs).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar
from rest_framework.renderers import BaseRenderer

from events.extraction.dates import DateMention, Precision, date_text_zh

CSV_COLUMNS = (
    "id",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "date_zh",
    "title",
    "summary",
    "kind",
    "place",
    "category",
    "category_name",
    "organisations",
    "tags",
    "sources",
    "status",
    "confidence",
    "url",
    "public_url",
    "updated_at",
)
LIST_SEPARATOR = "；"
CALENDAR_NAME = "工会大事记"
PRODID = "-//unionarchive//工会大事记//ZH"
UID_DOMAIN = "unionarchive"
BOM = "\ufeff"


def events_in(data) -> list[dict] | None:
    """The events a view response holds, or None when it holds an error."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("results"), list):
            return data["results"]
        if "id" in data and "date_start" in data:
            return [data]
    return None


def error_messages(data) -> list[str]:
    """One line per message of a DRF error: "detail" bare, a field's messages prefixed."""
    if isinstance(data, dict):
        lines = []
        for key, value in data.items():
            for message in error_messages(value):
                lines.append(
                    message if key in ("detail", "non_field_errors") else f"{key}: {message}"
                )
        return lines
    if isinstance(data, list | tuple):
        return [line for item in data for line in error_messages(item)]
    return [] if data is None else [str(data)]


def event_period(event: dict) -> tuple[date | None, date | None, str | None]:
    start, end = event.get("date_start"), event.get("date_end")
    return (
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        event.get("date_precision") or None,
    )


def event_date_zh(event: dict) -> str:
    """The Chinese form of the event's stored period: "2022年6月下旬", "2022年4月27日至29日"."""
    start, end, precision = event_period(event)
    return date_text_zh(start, end, precision)


def event_last_day(event: dict) -> date | None:
    """The last day the event covers: the end of its range, else the end of its period."""
    start, end, precision = event_period(event)
    if start is None or precision is None:
        return None
    # DateMention.last_day holds the one definition of a period's extent (xun, season …).
    mention = DateMention(0, 0, "", start, end, Precision(precision))
    return max(mention.last_day, start)


def absolute_url(path: str | None, renderer_context: dict | None) -> str:
    if not path:
        return ""
    request = (renderer_context or {}).get("request")
    return request.build_absolute_uri(path) if request is not None else path


def joined(values: Iterable[str]) -> str:
    """Names joined with the full-width semicolon, each once, in their order."""
    return LIST_SEPARATOR.join(dict.fromkeys(value for value in values if value))


def csv_row(event: dict, renderer_context: dict | None = None) -> list:
    category = event.get("category") or {}
    row = {
        "id": event.get("id"),
        "date_start": event.get("date_start"),
        "date_end": event.get("date_end"),
        "date_precision": event.get("date_precision"),
        "date_text": event.get("date_text"),
        "date_zh": event_date_zh(event),
        "title": event.get("title"),
        "summary": event.get("summary"),
        "kind": event.get("kind"),
        "place": event.get("place"),
        "category": category.get("slug"),
        "category_name": category.get("name"),
        "organisations": joined(o.get("name", "") for o in event.get("organisations") or ()),
        "tags": joined(event.get("tags") or ()),
        "sources": joined(s.get("title", "") for s in event.get("sources") or ()),
        "status": event.get("status"),
        "confidence": event.get("confidence"),
        "url": event.get("url"),
        "public_url": absolute_url(event.get("public_url"), renderer_context),
        "updated_at": event.get("updated_at"),
    }
    return ["" if row[column] is None else row[column] for column in CSV_COLUMNS]


class EventCSVRenderer(BaseRenderer):
    """Events as CSV for spreadsheets; the UTF-8 BOM makes Excel read the Chinese right."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        out = io.StringIO()
        out.write(BOM)
        writer = csv.writer(out)
        events = events_in(data)
        if events is None:
            writer.writerow(["error"])
            writer.writerows([message] for message in error_messages(data))
        else:
            writer.writerow(CSV_COLUMNS)
            writer.writerows(csv_row(event, renderer_context) for event in events)
        return out.getvalue().encode(self.charset)


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO timestamp of the API as UTC; a time without offset is taken as UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def calendar_event(event: dict, renderer_context: dict | None = None) -> icalendar.Event | None:
    """The event as an all-day VEVENT over its whole period; None when it has no date."""
    start, _, _ = event_period(event)
    last_day = event_last_day(event)
    if start is None or last_day is None:
        return None
    public_url = absolute_url(event.get("public_url"), renderer_context)
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event['id']}@{UID_DOMAIN}")
    vevent.add("summary", event.get("title") or "")
    vevent.add("dtstart", start)
    vevent.add("dtend", last_day + timedelta(days=1))
    description = "\n\n".join(
        part for part in (event.get("summary"), event_date_zh(event), public_url) if part
    )
    vevent.add("description", description)
    if public_url:
        vevent.add("url", public_url)
    if event.get("place"):
        vevent.add("location", event["place"])
    category = event.get("category") or {}
    if category.get("name"):
        vevent.add("categories", [category["name"]])
    modified = parse_timestamp(event.get("updated_at"))
    vevent.add("dtstamp", modified or datetime.now(UTC))
    if modified is not None:
        vevent.add("last-modified", modified)
    return vevent


class EventICalendarRenderer(BaseRenderer):
    """Events as an iCalendar feed of all-day entries, for calendar subscriptions."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        events = events_in(data)
        if events is None:
            response = (renderer_context or {}).get("response")
            if response is not None:
                response["Content-Type"] = "application/json"
            return json.dumps(data, ensure_ascii=False, default=str).encode(self.charset)
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", CALENDAR_NAME)
        for event in events:
            vevent = calendar_event(event, renderer_context)
            if vevent is not None:
                calendar.add_component(vevent)
        return calendar.to_ical()
