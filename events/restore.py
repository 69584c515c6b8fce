"""Reading an ``export_archive`` file back into rows, for ``manage.py import_archive``.

Pure: JSON in, :class:`ArchiveRows` out (field values as the models take them), or an
:class:`ArchiveError` listing every problem by its place in the file
(``events[3] (id 17).date_start: …``). Nothing here touches the database; the models
lend only their lengths and choices. ``events.archive.archive_restore`` writes the rows.

What the file holds and how it is checked:

* The contract's shapes (``sources``, ``organisations``, ``events``, ``metrics``) give
  each row's public fields; the ``restore`` section gives what those shapes leave out.
  Both must describe the same rows, id for id.
* Values are taken exactly as written: strings are not trimmed, numbers are not strings.
  ``null`` stands for an empty text where the contract says "or null".
* What the shapes repeat must agree with what they repeat: an event's spans, metrics,
  organisations, category and tags with the rows they name, an organisation's
  ``event_count`` with the events naming it, and every span must quote its source's text
  (the database's triggers would refuse it anyway; here the error names the record).
* Fields that are only derived (``url``, ``public_url``, ``search_snippet``) are ignored.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import translation
from rest_framework import serializers

from events.models import (
    Category,
    Event,
    EventStatus,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)
from sources.models import Source

ARCHIVE_VERSION = 1
# The keys an archive must have; "exported_at" is only information.
ARCHIVE_KEYS = ("sources", "organisations", "events", "metrics", "restore")
RESTORE_KEYS = (
    "categories",
    "tags",
    "sources",
    "organisations",
    "events",
    "provenances",
    "merges",
    "dismissals",
)
# How many problems an error message lists before it says how many more there are.
SHOWN_PROBLEMS = 20


class ArchiveError(Exception):
    """The file cannot be restored; ``problems`` name each place and reason."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        shown = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        return f"{shown}; … and {more} more problems" if more > 0 else shown


@dataclass
class ArchiveRows:
    """Every row to write, as field values of its model (relations by ``<name>_id``).

    User relations stay user names (``reviewed_by``, ``by``): users are not in archives.
    """

    categories: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_tags: list[tuple[int, int]] = field(default_factory=list)
    event_organisations: list[tuple[int, int]] = field(default_factory=list)
    provenances: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    dismissals: list[dict[str, Any]] = field(default_factory=list)
    # The rows of other apps' sections, by section name, and the users they mention.
    sections: dict[str, Any] = field(default_factory=dict)
    section_users: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        rows = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: len(value) for name, value in rows.items() if isinstance(value, list)}

    def user_names(self) -> set[str]:
        names = {row["reviewed_by"] for row in self.events}
        names |= {row["by"] for row in (*self.merges, *self.dismissals)}
        return (names | self.section_users) - {None}


# --- fields that take JSON exactly as written -------------------------------------------


class ExactText(serializers.CharField):
    """A JSON string as written: not trimmed, and a number is not a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ExactTextOrNull(ExactText):
    """A text the contract writes as null when it is empty."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class _ChoiceOrNull(serializers.ChoiceField):
    def __init__(self, choices, **kwargs):
        super().__init__(choices, allow_null=True, **kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class ExactInteger(serializers.IntegerField):
    """A JSON integer: not a string, a float or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ExactBoolean(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class _Number(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


def id_field(**kwargs) -> ExactInteger:
    return ExactInteger(min_value=1, **kwargs)


def _offset(**kwargs) -> ExactInteger:
    return ExactInteger(min_value=0, **kwargs)


def model_text(model: type[Model], name: str, *, null: bool = False) -> ExactText:
    """A text field as long and as blank as the model's column allows."""
    column = model._meta.get_field(name)
    kind = ExactTextOrNull if null else ExactText
    return kind(max_length=column.max_length, allow_blank=column.blank or null)


def _choice(model: type[Model], name: str, *, null: bool = False) -> serializers.ChoiceField:
    choices = [value for value, _label in model._meta.get_field(name).choices]
    return _ChoiceOrNull(choices) if null else serializers.ChoiceField(choices)


def _names(model: type[Model], name: str) -> serializers.ListField:
    return serializers.ListField(child=model_text(model, name))


# --- the contract's shapes ----------------------------------------------------------------


class SourceShape(serializers.Serializer):
    id = id_field()
    title = model_text(Source, "title")
    publisher = model_text(Source, "publisher", null=True)
    reporters = serializers.ListField(child=ExactText())
    published = serializers.DateField(allow_null=True)
    published_precision = _choice(Source, "published_precision", null=True)
    origin = model_text(Source, "origin", null=True)
    url = model_text(Source, "url", null=True)
    kind = _choice(Source, "kind")
    file_name = model_text(Source, "file_name")
    sha256 = model_text(Source, "sha256")
    loaded_at = serializers.DateTimeField()
    text = model_text(Source, "text")


class OrganisationShape(serializers.Serializer):
    id = id_field()
    name = model_text(Organisation, "name")
    slug = model_text(Organisation, "slug")
    level = _choice(Organisation, "level")
    aliases = _names(OrganisationAlias, "name")
    confirmed = ExactBoolean()
    event_count = _offset()


class CategoryRefShape(serializers.Serializer):
    slug = ExactText()
    name = ExactText()


class OrganisationRefShape(serializers.Serializer):
    id = id_field()
    name = ExactText()
    slug = ExactText()


class SpanShape(serializers.Serializer):
    id = id_field()
    title = ExactText()
    sha256 = ExactText()
    excerpt = ExactText(allow_blank=False)
    start = _offset()
    end = _offset()


class EventShape(serializers.Serializer):
    id = id_field()
    title = model_text(Event, "title")
    summary = model_text(Event, "summary")
    date_start = serializers.DateField(allow_null=True)
    date_end = serializers.DateField(allow_null=True)
    date_precision = _choice(Event, "date_precision", null=True)
    date_text = model_text(Event, "date_text")
    kind = _choice(Event, "kind")
    place = model_text(Event, "place", null=True)
    category = CategoryRefShape(allow_null=True)
    tags = _names(Tag, "name")
    organisations = OrganisationRefShape(many=True)
    metrics = serializers.ListField(child=serializers.DictField())
    sources = SpanShape(many=True)
    status = _choice(Event, "status")
    confidence = _Number(min_value=0, max_value=1)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MetricShape(serializers.Serializer):
    id = id_field()
    text = model_text(Metric, "text")
    value = serializers.DecimalField(max_digits=30, decimal_places=6, coerce_to_string=False)
    unit = model_text(Metric, "unit", null=True)
    qualifier = model_text(Metric, "qualifier", null=True)
    label = model_text(Metric, "label", null=True)
    as_of = serializers.DateField(allow_null=True)
    event = id_field(allow_null=True)
    source = id_field()
    start = _offset()
    end = _offset()


# --- the restore section ------------------------------------------------------------------


class CategoryRecord(serializers.Serializer):
    id = id_field()
    slug = model_text(Category, "slug")
    name = model_text(Category, "name")
    description = model_text(Category, "description")
    position = ExactInteger(min_value=0, max_value=32767)


class TagRecord(serializers.Serializer):
    id = id_field()
    name = model_text(Tag, "name")


class SourceRecord(serializers.Serializer):
    id = id_field()
    encoding = model_text(Source, "encoding")
    raw_text = model_text(Source, "raw_text")
    previous_version = id_field(allow_null=True)
    superseded = ExactBoolean()
    report = serializers.JSONField()


class OrganisationRecord(serializers.Serializer):
    id = id_field()
    parent = id_field(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EventRecord(serializers.Serializer):
    id = id_field()
    body = model_text(Event, "body")
    editor_notes = model_text(Event, "editor_notes")
    edited_fields = serializers.ListField(child=serializers.ChoiceField(Event.EDITABLE_FIELDS))
    merged_into = id_field(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = ExactText(allow_null=True, allow_blank=False)


class ProvenanceRecord(serializers.Serializer):
    id = id_field()
    event = id_field()
    source = id_field()
    start = _offset()
    end = _offset()
    extraction_key = model_text(Provenance, "extraction_key")
    merge_reason = model_text(Provenance, "merge_reason")
    created_at = serializers.DateTimeField()


class MergeRecord(serializers.Serializer):
    id = id_field()
    target = id_field()
    absorbed = id_field()
    moved = serializers.DictField()
    by = ExactText(allow_null=True, allow_blank=False)
    created_at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)


class DismissalRecord(serializers.Serializer):
    id = id_field()
    first = id_field()
    second = id_field()
    by = ExactText(allow_null=True, allow_blank=False)
    created_at = serializers.DateTimeField()


# --- reading --------------------------------------------------------------------------------


def _flatten(errors: Any, path: str) -> Iterator[str]:
    """DRF's nested error structure as "path.to.field: message" lines."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key in ("non_field_errors", "__all__"):
                yield from _flatten(value, path)
            elif isinstance(key, int):
                yield from _flatten(value, f"{path}[{key}]")
            else:
                yield from _flatten(value, f"{path}.{key}")
    elif isinstance(errors, list):
        if all(isinstance(error, str) for error in errors):
            yield from (f"{path}: {error}" for error in errors)
        else:
            for index, error in enumerate(errors):
                if error:
                    yield from _flatten(error, f"{path}[{index}]")
    else:
        yield f"{path}: {errors}"


def _place(key: str, index: int, record: Any) -> str:
    ident = record.get("id") if isinstance(record, dict) else None
    return f"{key}[{index}] (id {ident})" if isinstance(ident, int) else f"{key}[{index}]"


def records_validated(
    shape: type[serializers.Serializer], records: Any, key: str, problems: list[str]
) -> list[dict[str, Any]]:
    if not isinstance(records, list):
        problems.append(f"{key}: expected a list, found {type(records).__name__}")
        return []
    checked = shape(data=records, many=True)
    if checked.is_valid():
        return list(checked.validated_data)
    errors = checked.errors
    # Per record: a list, or (DRF ≥ 3.15) a dict of the failing records' indexes.
    failing = errors.items() if isinstance(errors, dict) else enumerate(errors)
    for index, error in failing:
        if not isinstance(index, int):  # the list itself was refused
            problems.extend(_flatten({index: error}, key))
        elif error:
            problems.extend(_flatten(error, _place(key, index, records[index])))
    return []


def records_by_id(
    records: list[dict[str, Any]], key: str, problems: list[str]
) -> dict[int, dict[str, Any]]:
    for ident, count in Counter(record["id"] for record in records).items():
        if count > 1:
            problems.append(f"{key}: id {ident} appears {count} times")
    return {record["id"]: record for record in records}


def _id_of(record: dict[str, Any]) -> tuple[int, str]:
    """Orders records by id, whatever a malformed one holds there."""
    ident = record.get("id")
    return (ident, "") if isinstance(ident, int) else (-1, str(ident))


def _renamed(record: dict[str, Any], **names: str) -> dict[str, Any]:
    return {names.get(key, key): value for key, value in record.items()}


def _loads(text: str | bytes, *, required: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ArchiveError([f"not JSON ({exc})"]) from None
    if not isinstance(data, dict) or "version" not in data:
        raise ArchiveError(["not an archive of export_archive: no top-level “version”"])
    version = data["version"]
    if version != ARCHIVE_VERSION or isinstance(version, bool):
        raise ArchiveError(
            [f"version: {json.dumps(version)} is not an archive version this import reads "
             f"(it reads {ARCHIVE_VERSION})"]
        )  # fmt: skip
    missing = [key for key in ARCHIVE_KEYS if key not in data]
    if "restore" in data and not isinstance(data["restore"], dict):
        raise ArchiveError(["restore: expected an object"])
    missing += [f"restore.{key}" for key in required if key not in data.get("restore", {})]
    if missing:
        raise ArchiveError(
            [f"{key}: missing (an exact restore needs it; export the archive again with "
             "this version's export_archive)" for key in missing]
        )  # fmt: skip
    return data


# Reads the restore section of an app that builds on events (see events.archive's
# ArchiveSection): (the section's JSON, the archive's event ids, problems to add to)
# → (its rows, the user names they mention).
SectionReader = Callable[[Any, set[int], list[str]], tuple[Any, set[str]]]


def archive_read(
    text: str | bytes, *, sections: Mapping[str, SectionReader] | None = None
) -> ArchiveRows:
    """The rows of an ``export_archive`` file, or ArchiveError naming every problem.

    ``sections`` read the further parts of the restore section that other apps add.
    """
    with translation.override(None):  # messages in one language: the code's own
        return _read(text, sections or {})


def _read(text: str | bytes, sections: Mapping[str, SectionReader]) -> ArchiveRows:
    data = _loads(text, required=(*RESTORE_KEYS, *sections))
    restore = data["restore"]
    problems: list[str] = []
    shapes = {
        "sources": records_validated(SourceShape, data["sources"], "sources", problems),
        "organisations": records_validated(
            OrganisationShape, data["organisations"], "organisations", problems
        ),
        "events": records_validated(EventShape, data["events"], "events", problems),
        "metrics": records_validated(MetricShape, data["metrics"], "metrics", problems),
    }
    record_shapes = {
        "categories": CategoryRecord,
        "tags": TagRecord,
        "sources": SourceRecord,
        "organisations": OrganisationRecord,
        "events": EventRecord,
        "provenances": ProvenanceRecord,
        "merges": MergeRecord,
        "dismissals": DismissalRecord,
    }
    records = {
        key: records_validated(shape, restore[key], f"restore.{key}", problems)
        for key, shape in record_shapes.items()
    }
    if problems:
        raise ArchiveError(problems)
    assembler = _Assembler(data, shapes, records)
    rows = assembler.rows()
    for name, reader in sections.items():
        rows.sections[name], users = reader(
            restore[name], set(assembler.events), assembler.problems
        )
        rows.section_users |= users
    if assembler.problems:
        raise ArchiveError(assembler.problems)
    return rows


class _Assembler:
    """Joins the shapes with the restore section and checks that they agree."""

    def __init__(self, data, shapes, records):
        self.raw = data
        self.problems: list[str] = []
        p = self.problems
        self.sources = records_by_id(shapes["sources"], "sources", p)
        self.organisations = records_by_id(shapes["organisations"], "organisations", p)
        self.events = records_by_id(shapes["events"], "events", p)
        self.metrics = records_by_id(shapes["metrics"], "metrics", p)
        self.records = {
            key: records_by_id(rows, f"restore.{key}", p) for key, rows in records.items()
        }

    def rows(self) -> ArchiveRows:
        for key in ("sources", "organisations", "events"):
            self._same_ids(key)
        rows = ArchiveRows()
        if not self.problems:
            rows.categories = list(self.records["categories"].values())
            rows.tags = list(self.records["tags"].values())
            rows.sources = self._sources()
            rows.organisations, rows.aliases = self._organisations()
            rows.events, rows.event_tags, rows.event_organisations = self._events()
            rows.provenances = self._provenances()
            rows.metrics = self._metrics()
            rows.merges, rows.dismissals = self._editorial_records()
        return rows

    def _same_ids(self, key: str) -> None:
        shaped, recorded = set(getattr(self, key)), set(self.records[key])
        for ident in sorted(shaped - recorded):
            self.problems.append(f"restore.{key}: no record of {key[:-1]} {ident}")
        for ident in sorted(recorded - shaped):
            self.problems.append(f"restore.{key}: id {ident} is not in “{key}”")

    def _refers(self, where: str, value: int | None, table: dict, what: str) -> int | None:
        if value is not None and value not in table:
            self.problems.append(f"{where}: {what} {value} is not in the archive")
        return value

    def _sources(self) -> list[dict[str, Any]]:
        rows = []
        for ident, shape in self.sources.items():
            record = self.records["sources"][ident]
            where = f"restore.sources (id {ident}).previous_version"
            previous = self._refers(where, record["previous_version"], self.sources, "source")
            if previous == ident:
                self.problems.append(f"{where}: a source is not its own previous version")
            rows.append(
                {**shape, **{k: v for k, v in record.items() if k != "previous_version"},
                 "previous_version_id": previous}
            )  # fmt: skip
        return rows

    def _organisations(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        named = Counter(
            org["id"] for event in self.events.values() for org in event["organisations"]
        )
        rows, aliases = [], []
        for ident, shape in self.organisations.items():
            record = self.records["organisations"][ident]
            where = f"restore.organisations (id {ident}).parent"
            parent = self._refers(where, record["parent"], self.organisations, "organisation")
            if shape["event_count"] != named[ident]:
                self.problems.append(
                    f"organisations (id {ident}).event_count: {shape['event_count']}, but "
                    f"{named[ident]} events name it"
                )
            rows.append(
                {
                    "id": ident,
                    "name": shape["name"],
                    "slug": shape["slug"],
                    "level": shape["level"],
                    "confirmed": shape["confirmed"],
                    "parent_id": parent,
                    "created_at": record["created_at"],
                    "updated_at": record["updated_at"],
                }
            )
            aliases += [{"organisation_id": ident, "name": name} for name in shape["aliases"]]
        return rows, aliases

    def _events(self):
        categories = {row["slug"]: row for row in self.records["categories"].values()}
        tags = {row["name"]: row["id"] for row in self.records["tags"].values()}
        rows, event_tags, event_organisations = [], [], []
        for ident, shape in self.events.items():
            record = self.records["events"][ident]
            where = f"events (id {ident})"
            category = shape["category"]
            category_id = None
            if category is not None:
                known = categories.get(category["slug"])
                if known is None or known["name"] != category["name"]:
                    self.problems.append(
                        f"{where}.category: {category['slug']} “{category['name']}” is not a "
                        "category of restore.categories"
                    )
                else:
                    category_id = known["id"]
            for name in shape["tags"]:
                if name not in tags:
                    self.problems.append(f"{where}.tags: “{name}” is not in restore.tags")
                else:
                    event_tags.append((ident, tags[name]))
            for org in shape["organisations"]:
                known = self.organisations.get(org["id"])
                if known is None or (known["name"], known["slug"]) != (org["name"], org["slug"]):
                    self.problems.append(
                        f"{where}.organisations: {org['id']} “{org['name']}” is not an "
                        "organisation of the archive"
                    )
                else:
                    event_organisations.append((ident, org["id"]))
            merged_into = self._refers(
                f"restore.events (id {ident}).merged_into", record["merged_into"], self.events,
                "event",
            )  # fmt: skip
            if merged_into == ident:
                self.problems.append(f"restore.events (id {ident}).merged_into: itself")
            self._dates_and_status(where, shape, record)
            rows.append(
                {
                    **{k: v for k, v in shape.items()
                       if k not in ("category", "tags", "organisations", "metrics", "sources")},
                    **{k: v for k, v in record.items() if k != "merged_into"},
                    "category_id": category_id,
                    "merged_into_id": merged_into,
                }
            )  # fmt: skip
        return rows, event_tags, event_organisations

    def _dates_and_status(self, where: str, shape: dict, record: dict) -> None:
        """The model's own rules on dates, and a publication time for what is published
        (the database's constraints would refuse the row without naming it)."""
        dates = {k: shape[k] for k in ("date_start", "date_end", "date_precision")}
        try:
            Event(title=shape["title"], **dates).clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.problems.extend(f"{where}.{name}: {message}" for message in messages)
        if shape["status"] == EventStatus.PUBLISHED and record["published_at"] is None:
            self.problems.append(
                f"restore.events (id {shape['id']}).published_at: a published event has one"
            )

    def _quotes(self, where: str, source_id: int, start: int, end: int, quoted: str) -> None:
        if source_id not in self.sources:
            return  # named where the reference is checked
        text = self.sources[source_id]["text"]
        if end <= start or end > len(text) or text[start:end] != quoted:
            self.problems.append(
                f"{where}: [{start}, {end}) does not quote “{quoted}” from source {source_id}"
            )

    def _provenances(self) -> list[dict[str, Any]]:
        told = defaultdict(list)
        for ident, record in self.records["provenances"].items():
            where = f"restore.provenances (id {ident})"
            self._refers(f"{where}.event", record["event"], self.events, "event")
            self._refers(f"{where}.source", record["source"], self.sources, "source")
            told[record["event"]].append(record)
        rows = []
        for event_id, shape in self.events.items():
            where = f"events (id {event_id}).sources"
            records = sorted(told[event_id], key=lambda r: (r["source"], r["start"], r["id"]))
            spans = [(s["id"], s["start"], s["end"]) for s in shape["sources"]]
            if spans != [(r["source"], r["start"], r["end"]) for r in records]:
                self.problems.append(
                    f"{where}: the spans differ from the event's restore.provenances"
                )
                continue
            for span, record in zip(shape["sources"], records, strict=True):
                source = self.sources.get(span["id"])
                if source is None:
                    continue  # named above
                if (span["title"], span["sha256"]) != (source["title"], source["sha256"]):
                    self.problems.append(
                        f"{where}: source {span['id']} has another title or sha256 there"
                    )
                self._quotes(where, span["id"], span["start"], span["end"], span["excerpt"])
                rows.append(
                    {
                        "id": record["id"],
                        "event_id": event_id,
                        "source_id": span["id"],
                        "excerpt": span["excerpt"],
                        "start": span["start"],
                        "end": span["end"],
                        "extraction_key": record["extraction_key"],
                        "merge_reason": record["merge_reason"],
                        "created_at": record["created_at"],
                    }
                )
        rows.sort(key=lambda row: row["id"])
        return rows

    def _metrics(self) -> list[dict[str, Any]]:
        raw = {metric.get("id"): metric for metric in self.raw["metrics"]}
        nested = defaultdict(list)
        rows = []
        for ident, metric in self.metrics.items():
            where = f"metrics (id {ident})"
            self._refers(f"{where}.event", metric["event"], self.events, "event")
            self._refers(f"{where}.source", metric["source"], self.sources, "source")
            self._quotes(where, metric["source"], metric["start"], metric["end"], metric["text"])
            nested[metric["event"]].append({k: v for k, v in raw[ident].items() if k != "event"})
            rows.append(
                {
                    **{k: v for k, v in metric.items() if k not in ("event", "source")},
                    "event_id": metric["event"],
                    "source_id": metric["source"],
                }
            )
        for ident, event in self.events.items():
            if sorted(event["metrics"], key=_id_of) != sorted(nested[ident], key=_id_of):
                self.problems.append(
                    f"events (id {ident}).metrics: differ from the metrics whose event is {ident}"
                )
        return rows

    def _editorial_records(self):
        merges, dismissals = [], []
        for ident, record in self.records["merges"].items():
            where = f"restore.merges (id {ident})"
            self._refers(f"{where}.target", record["target"], self.events, "event")
            self._refers(f"{where}.absorbed", record["absorbed"], self.events, "event")
            merges.append(_renamed(record, target="target_id", absorbed="absorbed_id"))
        for ident, record in self.records["dismissals"].items():
            where = f"restore.dismissals (id {ident})"
            self._refers(f"{where}.first", record["first"], self.events, "event")
            self._refers(f"{where}.second", record["second"], self.events, "event")
            dismissals.append(_renamed(record, first="first_id", second="second_id"))
        return merges, dismissals
