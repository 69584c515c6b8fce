"""Chronicles in the archive's restore section, so a backup keeps them, editions included.

Registered with events.archive in ChroniclesConfig.ready: ``export_archive`` writes
``restore.chronicles`` and ``import_archive`` reads it back with the ids, after the events
its entries point at. Editions are frozen records and come back exactly as published.
"""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from chronicles.models import Chronicle, ChronicleEdition, ChronicleEntry
from events.archive import ArchiveSection, archive_restore_rows
from events.restore import (
    ExactInteger,
    ExactText,
    id_field,
    model_text,
    records_by_id,
    records_validated,
)

SECTION = "chronicles"


# --- export --------------------------------------------------------------------------------


class ChronicleRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chronicle
        fields = ["id", "year", "title", "introduction", "created_at", "updated_at"]


class EntryRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChronicleEntry
        fields = ["id", "chronicle", "event", "position", "text"]


class EditionRecordSerializer(serializers.ModelSerializer):
    published_by = serializers.SlugRelatedField(
        slug_field=get_user_model().USERNAME_FIELD, read_only=True
    )

    class Meta:
        model = ChronicleEdition
        fields = [
            "id",
            "chronicle",
            "number",
            "published_at",
            "published_by",
            "snapshot",
            "markdown",
        ]


def chronicles_build() -> dict[str, Any]:
    return {
        "chronicles": ChronicleRecordSerializer(Chronicle.objects.order_by("id"), many=True).data,
        "entries": EntryRecordSerializer(ChronicleEntry.objects.order_by("id"), many=True).data,
        "editions": EditionRecordSerializer(
            ChronicleEdition.objects.select_related("published_by").order_by("id"), many=True
        ).data,
    }


# --- reading (pure) -----------------------------------------------------------------------


class ChronicleRecord(serializers.Serializer):
    id = id_field()
    year = ExactInteger(min_value=1000, max_value=9999)
    title = model_text(Chronicle, "title")
    introduction = model_text(Chronicle, "introduction")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EntryRecord(serializers.Serializer):
    id = id_field()
    chronicle = id_field()
    event = id_field()
    position = ExactInteger(min_value=0)
    text = model_text(ChronicleEntry, "text")


class EditionRecord(serializers.Serializer):
    id = id_field()
    chronicle = id_field()
    number = ExactInteger(min_value=1)
    published_at = serializers.DateTimeField()
    published_by = ExactText(allow_null=True, allow_blank=False)
    snapshot = serializers.JSONField()
    markdown = model_text(ChronicleEdition, "markdown")


def chronicles_read(section: Any, event_ids: set[int], problems: list[str]):
    """The chronicle rows of ``restore.chronicles``; problems name each record."""
    where = f"restore.{SECTION}"
    if not isinstance(section, dict):
        problems.append(f"{where}: expected an object")
        return {}, set()
    found = []
    tables = {}
    for key, shape in (
        ("chronicles", ChronicleRecord),
        ("entries", EntryRecord),
        ("editions", EditionRecord),
    ):
        if key not in section:
            problems.append(f"{where}.{key}: missing")
            continue
        before = len(problems)
        records = records_validated(shape, section[key], f"{where}.{key}", problems)
        tables[key] = records_by_id(records, f"{where}.{key}", problems)
        found.append(len(problems) == before)
    if len(tables) < 3 or not all(found):
        return {}, set()
    chronicles = tables["chronicles"]
    for ident, entry in tables["entries"].items():
        if entry["chronicle"] not in chronicles:
            problems.append(f"{where}.entries (id {ident}).chronicle: {entry['chronicle']} is "
                            "not in the archive")  # fmt: skip
        if entry["event"] not in event_ids:
            problems.append(f"{where}.entries (id {ident}).event: {entry['event']} is not in "
                            "the archive")  # fmt: skip
    for ident, edition in tables["editions"].items():
        if edition["chronicle"] not in chronicles:
            problems.append(f"{where}.editions (id {ident}).chronicle: {edition['chronicle']} "
                            "is not in the archive")  # fmt: skip
    rows = {
        "chronicles": list(chronicles.values()),
        "entries": [
            {**{k: v for k, v in entry.items() if k not in ("chronicle", "event")},
             "chronicle_id": entry["chronicle"], "event_id": entry["event"]}
            for entry in tables["entries"].values()
        ],
        "editions": [
            {**{k: v for k, v in edition.items() if k != "chronicle"},
             "chronicle_id": edition["chronicle"]}
            for edition in tables["editions"].values()
        ],
    }  # fmt: skip
    users = {edition["published_by"] for edition in rows["editions"]} - {None}
    return rows, users


# --- restoring -----------------------------------------------------------------------------


def chronicles_restore(*, rows: dict[str, Any], users: dict[str, int]) -> dict[str, int]:
    archive_restore_rows(Chronicle, rows["chronicles"], stamps=("created_at", "updated_at"))
    archive_restore_rows(ChronicleEntry, rows["entries"])
    archive_restore_rows(
        ChronicleEdition,
        [
            {**{k: v for k, v in row.items() if k != "published_by"},
             "published_by_id": users.get(row["published_by"])}
            for row in rows["editions"]
        ],
    )  # fmt: skip
    return {name: len(table) for name, table in rows.items()}


CHRONICLES_SECTION = ArchiveSection(
    name=SECTION,
    app_label="chronicles",
    models=(Chronicle, ChronicleEntry, ChronicleEdition),
    build=chronicles_build,
    read=chronicles_read,
    restore=chronicles_restore,
)
