"""Demo content for ``make run``: the seed documents as sources, a few hand-checked events
quoting them, and a demo editor.

Until the loader (``load_sources``) lands, a seed's normalised text is its raw text; the
demo events name their excerpt and the offsets are found in that text, so they are exact.
Every step is keyed on something stable (sha256, source + excerpt, username), so running it
again adds nothing.
"""

import datetime
import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.models import Category, Event, EventStatus, Metric, Organisation, Provenance, Tag
from events.taxonomy import FIXTURES_DIR, ImportCounts, read_json_list
from sources.models import Source

SEEDS_DIR = FIXTURES_DIR / "seeds"
MANIFEST_PATH = SEEDS_DIR / "manifest.json"
DEMO_EVENTS_PATH = FIXTURES_DIR / "demo_events.json"

DEMO_EDITOR_USERNAME = "editor"
DEMO_EDITOR_PASSWORD = "unionarchive-demo"

SOURCE_FIELDS = ("title", "publisher", "origin", "url", "kind", "published_precision")


def read_manifest(path: Path = MANIFEST_PATH) -> list[dict[str, Any]]:
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"{path}: not a manifest with a “documents” list ({exc})") from None
    for index, document in enumerate(documents):
        if not isinstance(document, dict) or not document.get("file"):
            raise ValidationError(f"{path.name} document {index}: “file” is missing")
    return documents


@transaction.atomic
def demo_sources_load(manifest_path: Path = MANIFEST_PATH) -> ImportCounts:
    counts = ImportCounts()
    for document in read_manifest(manifest_path):
        path = manifest_path.parent / document["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"{path.name}: cannot be read ({exc.strerror})") from None
        try:
            raw_text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"{path.name}: not UTF-8 ({exc.reason})") from None
        published = document.get("published")
        source, created = Source.objects.get_or_create(
            sha256=hashlib.sha256(data).hexdigest(),
            defaults={
                **{field: document[field] for field in SOURCE_FIELDS if field in document},
                "published": datetime.date.fromisoformat(published) if published else None,
                "file_name": path.name,
                "encoding": "utf-8",
                "raw_text": raw_text,
                "text": raw_text,
            },
        )
        if created:
            source.full_clean()
        counts.created += created
        counts.unchanged += not created
    return counts


def _nearest(text: str, needle: str, anchor: int) -> int:
    """The occurrence of ``needle`` in ``text`` closest to ``anchor``, or -1."""
    best, position = -1, text.find(needle)
    while position != -1:
        if best == -1 or abs(position - anchor) < abs(best - anchor):
            best = position
        position = text.find(needle, position + 1)
    return best


def _parse_date(value: str | None, where: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: “{value}” is not an ISO date") from None


@transaction.atomic
def demo_events_load(path: Path | None = None) -> ImportCounts:
    path = path or DEMO_EVENTS_PATH
    counts = ImportCounts()
    for index, entry in enumerate(read_json_list(path)):
        where = f"{path.name} item {index}"
        source = Source.objects.filter(file_name=entry["source"]).first()
        if source is None:
            raise ValidationError(f"{where}: source file “{entry['source']}” is not loaded")
        excerpt = entry["excerpt"]
        if Provenance.objects.filter(source=source, excerpt=excerpt).exists():
            counts.unchanged += 1
            continue
        start = source.text.find(excerpt)
        if start == -1:
            raise ValidationError(f"{where}: the excerpt is not in {source.file_name}")
        status = entry.get("status", EventStatus.DRAFT)
        event = Event(
            title=entry["title"],
            summary=entry.get("summary", excerpt),
            date_start=_parse_date(entry.get("date_start"), where),
            date_end=_parse_date(entry.get("date_end"), where),
            date_precision=entry.get("date_precision", ""),
            date_text=entry.get("date_text", ""),
            place=entry.get("place", ""),
            category=Category.objects.filter(slug=entry.get("category")).first(),
            status=status,
            published_at=timezone.now() if status == EventStatus.PUBLISHED else None,
            confidence=entry.get("confidence", 0.5),
        )
        event.full_clean()
        event.save()
        event.organisations.set(
            Organisation.objects.filter(slug__in=entry.get("organisations", []))
        )
        event.tags.set([Tag.objects.get_or_create(name=name)[0] for name in entry.get("tags", [])])
        Provenance.objects.create(
            event=event, source=source, excerpt=excerpt, start=start, end=start + len(excerpt)
        )
        for metric in entry.get("metrics", []):
            _metric_create(event=event, source=source, anchor=start, data=metric, where=where)
        counts.created += 1
    return counts


def _metric_create(*, event: Event, source: Source, anchor: int, data: dict, where: str) -> None:
    start = _nearest(source.text, data["text"], anchor)
    if start == -1:
        raise ValidationError(f"{where}: metric “{data['text']}” is not in {source.file_name}")
    try:
        value = Decimal(data["value"])
    except (InvalidOperation, TypeError):
        raise ValidationError(f"{where}: metric value “{data['value']}” is not a number") from None
    metric = Metric(
        event=event,
        source=source,
        text=data["text"],
        value=value,
        unit=data.get("unit", ""),
        qualifier=data.get("qualifier", ""),
        label=data.get("label", ""),
        as_of=_parse_date(data.get("as_of"), where),
        start=start,
        end=start + len(data["text"]),
    )
    metric.full_clean()
    metric.save()


def demo_editor_ensure(
    username: str = DEMO_EDITOR_USERNAME, password: str = DEMO_EDITOR_PASSWORD
) -> tuple[Any, bool]:
    """A staff account that may work on everything in the archive's own apps.

    The password is set only when the account is made: a developer who changed it keeps it.
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=["events", "sources"])
        )
    return user, created
