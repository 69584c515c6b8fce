"""The archive export of CONTRACT.md: every source, organisation, event and metric, in
the API's shapes, with every status, sorted so that two exports of one database differ only
in ``exported_at``.

Beside the contract's shapes the export carries a ``restore`` section: what those shapes
leave out and an exact restore needs (raw texts, versions, ingestion reports, parents,
merges, review records, provenance ids, the whole taxonomy). The contract lets an archive
gain keys, so consumers of the shapes see nothing change; ``manage.py import_archive``
(events/restore.py reads the file, ``archive_restore`` writes it) puts it all back.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Model, Prefetch
from django.utils import timezone
from rest_framework import serializers

from events.models import (
    Category,
    DuplicateDismissal,
    Event,
    EventMerge,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)
from events.restore import ARCHIVE_VERSION, ArchiveRows, SectionReader
from events.search import search_index_rebuild
from events.serializers import (
    EventSerializer,
    MetricSerializer,
    OrganisationSerializer,
    SourceDetailSerializer,
)
from sources.models import Source

__all__ = ["ARCHIVE_VERSION", "archive_build", "archive_dumps", "archive_restore"]


# --- the restore section: rows as the models hold them, ids for relations --------------


class _UserNameField(serializers.SlugRelatedField):
    """Users are not in the archive: who reviewed or merged is kept by user name."""

    def __init__(self, **kwargs):
        super().__init__(slug_field=get_user_model().USERNAME_FIELD, read_only=True, **kwargs)


class CategoryRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "description", "position"]


class TagRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class SourceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "encoding", "raw_text", "previous_version", "superseded", "report"]


class OrganisationRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "parent", "created_at", "updated_at"]


class EventRecordSerializer(serializers.ModelSerializer):
    reviewed_by = _UserNameField()

    class Meta:
        model = Event
        fields = [
            "id",
            "body",
            "editor_notes",
            "edited_fields",
            "merged_into",
            "published_at",
            "reviewed_at",
            "reviewed_by",
        ]


class ProvenanceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provenance
        fields = [
            "id",
            "event",
            "source",
            "start",
            "end",
            "extraction_key",
            "merge_reason",
            "created_at",
        ]


class MergeRecordSerializer(serializers.ModelSerializer):
    by = _UserNameField()

    class Meta:
        model = EventMerge
        fields = ["id", "target", "absorbed", "moved", "by", "created_at", "undone_at"]


class DismissalRecordSerializer(serializers.ModelSerializer):
    by = _UserNameField()

    class Meta:
        model = DuplicateDismissal
        fields = ["id", "first", "second", "by", "created_at"]


def _restore_section() -> dict[str, Any]:
    return {
        "categories": CategoryRecordSerializer(Category.objects.order_by("id"), many=True).data,
        "tags": TagRecordSerializer(Tag.objects.order_by("id"), many=True).data,
        "sources": SourceRecordSerializer(
            Source.objects.only(*SourceRecordSerializer.Meta.fields).order_by("id"), many=True
        ).data,
        "organisations": OrganisationRecordSerializer(
            Organisation.objects.order_by("id"), many=True
        ).data,
        "events": EventRecordSerializer(
            Event.objects.select_related("reviewed_by").order_by("id"), many=True
        ).data,
        "provenances": ProvenanceRecordSerializer(
            Provenance.objects.order_by("id"), many=True
        ).data,
        "merges": MergeRecordSerializer(
            EventMerge.objects.select_related("by").order_by("id"), many=True
        ).data,
        "dismissals": DismissalRecordSerializer(
            DuplicateDismissal.objects.select_related("by").order_by("id"), many=True
        ).data,
    }


def archive_build() -> dict[str, Any]:
    events = (
        Event.objects.select_related("category")
        .prefetch_related(
            "tags",
            "organisations",
            Prefetch("metrics", queryset=Metric.objects.order_by("id")),
            Prefetch(
                "provenances",
                queryset=Provenance.objects.select_related("source")
                .defer("source__raw_text", "source__text", "source__report")
                .order_by("source_id", "start", "id"),
            ),
        )
        .order_by("id")
    )
    organisations = (
        Organisation.objects.annotate(event_count=Count("events", distinct=True))
        .prefetch_related("aliases")
        .order_by("id")
    )
    return {
        "version": ARCHIVE_VERSION,
        "exported_at": timezone.now().isoformat(),
        "sources": SourceDetailSerializer(
            Source.objects.defer("raw_text", "report").order_by("id"), many=True
        ).data,
        "organisations": OrganisationSerializer(organisations, many=True).data,
        "events": EventSerializer(events, many=True).data,
        "metrics": MetricSerializer(Metric.objects.order_by("id"), many=True).data,
        "restore": {
            **_restore_section(),
            **{name: section.build() for name, section in ARCHIVE_SECTIONS.items()},
        },
    }


def archive_dumps(archive: dict[str, Any]) -> str:
    return json.dumps(archive, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


# --- restoring ---------------------------------------------------------------------------

# The apps whose tables a restore fills (history included): they must be empty. Users
# are not in archives.
ARCHIVE_APPS = ("sources", "events")
RESTORED_MODELS = (
    Category,
    Tag,
    Source,
    Organisation,
    Event,
    Provenance,
    Metric,
    EventMerge,
    DuplicateDismissal,
)


@dataclass(frozen=True)
class ArchiveSection:
    """The rows of an app that builds on events, carried in the restore section.

    ``events`` never imports such an app: the app registers its section (in its
    AppConfig.ready) with ``archive_section_register``, and export and restore take it along.
    """

    name: str  # its key in the restore section
    app_label: str  # whose tables must be empty before a restore
    models: tuple[type[Model], ...]  # whose id sequences a restore resets
    build: Callable[[], Any]  # the section's JSON
    read: SectionReader  # pure: JSON → rows (events.restore)
    restore: Callable[..., dict[str, int]]  # (rows=, users=) → counts written


ARCHIVE_SECTIONS: dict[str, ArchiveSection] = {}


def archive_section_register(section: ArchiveSection) -> None:
    ARCHIVE_SECTIONS[section.name] = section


def archive_section_readers() -> dict[str, SectionReader]:
    return {name: section.read for name, section in ARCHIVE_SECTIONS.items()}


class ArchiveNotEmpty(Exception):
    """The database already holds archive rows, which a restore would mix with its own."""

    def __init__(self, tables: dict[str, int]):
        super().__init__(tables)
        self.tables = tables

    def __str__(self) -> str:
        return ", ".join(f"{table} has {count} rows" for table, count in self.tables.items())


def archive_app_labels() -> tuple[str, ...]:
    return (*ARCHIVE_APPS, *(section.app_label for section in ARCHIVE_SECTIONS.values()))


def archive_occupied_tables() -> dict[str, int]:
    """Tables of the archive's apps (history included) that hold rows, with their counts."""
    occupied = {}
    for label in archive_app_labels():
        for model in apps.get_app_config(label).get_models():
            count = model._default_manager.count()
            if count:
                occupied[model._meta.db_table] = count
    return occupied


def _users_named(names: set[str]) -> tuple[dict[str, int], list[str]]:
    """Ids of the users with these names; those missing are made as inactive accounts
    without a usable password, so the record of who reviewed or merged is kept."""
    User = get_user_model()
    field = User.USERNAME_FIELD
    known = dict(User.objects.filter(**{f"{field}__in": names}).values_list(field, "pk"))
    missing = sorted(names - set(known))
    for name in missing:
        user = User(**{field: name}, is_active=False)
        user.set_unusable_password()
        user.save()
        known[name] = user.pk
    return known, missing


def archive_restore_rows(
    model: type[Model], rows: list[dict[str, Any]], *, stamps: tuple[str, ...] = ()
):
    """Insert ``rows`` with their ids. ``auto_now`` fields would take the time of the insert,
    so ``stamps`` are written again from the rows (an update does not touch them)."""
    objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
    if stamps and objects:
        for obj, row in zip(objects, rows, strict=True):
            for name in stamps:
                setattr(obj, name, row[name])
        model.objects.bulk_update(objects, stamps, batch_size=500)


def _by_user(rows: list[dict[str, Any]], key: str, users: dict[str, int]) -> list[dict]:
    return [
        {**{k: v for k, v in row.items() if k != key}, f"{key}_id": users.get(row[key])}
        for row in rows
    ]


def _reset_sequences() -> None:
    """Rows came with their ids; the next row each table creates must not collide."""
    models = [
        *RESTORED_MODELS,
        *(m for section in ARCHIVE_SECTIONS.values() for m in section.models),
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@transaction.atomic
def archive_restore(
    *, rows: ArchiveRows, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write an archive read by ``events.restore.archive_read`` into an empty database.

    One transaction: a refusal (ArchiveNotEmpty, or the database's own IntegrityError)
    leaves nothing behind. Returns the counts written and the users it had to create.
    """
    say = progress or (lambda message: None)
    occupied = archive_occupied_tables()
    if occupied:
        raise ArchiveNotEmpty(occupied)
    users, created_users = _users_named(rows.user_names())
    archive_restore_rows(Category, rows.categories)
    archive_restore_rows(Tag, rows.tags)
    archive_restore_rows(Source, rows.sources)
    archive_restore_rows(Organisation, rows.organisations, stamps=("created_at", "updated_at"))
    archive_restore_rows(OrganisationAlias, rows.aliases)
    say("sources and organisations written")
    archive_restore_rows(
        Event, _by_user(rows.events, "reviewed_by", users), stamps=("created_at", "updated_at")
    )
    Event.tags.through.objects.bulk_create(
        [Event.tags.through(event_id=e, tag_id=t) for e, t in rows.event_tags], batch_size=500
    )
    Event.organisations.through.objects.bulk_create(
        [Event.organisations.through(event_id=e, organisation_id=o)
         for e, o in rows.event_organisations],
        batch_size=500,
    )  # fmt: skip
    archive_restore_rows(Provenance, rows.provenances, stamps=("created_at",))
    archive_restore_rows(Metric, rows.metrics)
    archive_restore_rows(EventMerge, _by_user(rows.merges, "by", users), stamps=("created_at",))
    archive_restore_rows(
        DuplicateDismissal, _by_user(rows.dismissals, "by", users), stamps=("created_at",)
    )
    say("events, provenance and metrics written")
    sections = {}
    for name, section in ARCHIVE_SECTIONS.items():
        sections[name] = section.restore(rows=rows.sections[name], users=users)
        say(f"{name} written")
    _reset_sequences()
    indexed = search_index_rebuild()["indexed"]
    say(f"search index rebuilt: {indexed} events")
    return {
        **rows.counts(),
        "sections": sections,
        "users created": created_users,
        "indexed": indexed,
    }
