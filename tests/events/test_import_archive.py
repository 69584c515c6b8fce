"""``manage.py import_archive``: an export restored into an empty database gives the same
export again, refuses what it cannot restore, and leaves nothing behind when it refuses."""

import datetime
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from events import services
from events.archive import archive_app_labels, archive_occupied_tables
from events.models import (
    Category,
    DuplicateDismissal,
    Event,
    EventMerge,
    Metric,
    Organisation,
    OrganisationAlias,
    Tag,
)
from events.search import events_search
from sources.models import Source
from tests.factories import (
    SOURCE_TEXT,
    CategoryFactory,
    EventFactory,
    MetricFactory,
    OrganisationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
EXPORTED_AT = re.compile(r'^ "exported_at": .*$', re.MULTILINE)


def export_to(path: Path) -> str:
    call_command("export_archive", "-o", str(path), stdout=StringIO())
    return path.read_text(encoding="utf-8")


def import_archive(path: Path, *args) -> str:
    out = StringIO()
    call_command("import_archive", str(path), *args, stdout=out)
    return out.getvalue()


def empty_database() -> None:
    """What ``migrate`` leaves: no archive rows, history included, sequences back at 1."""
    from django.apps import apps

    tables = [
        model._meta.db_table
        for label in archive_app_labels()
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still deferred in the test's
            # transaction: run them now, and defer again for the restore.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(
            no_style(), tables, reset_sequences=True, allow_cascade=False
        ):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert archive_occupied_tables() == {}


def without_exported_at(text: str) -> str:
    return EXPORTED_AT.sub("", text)


def assert_round_trip(tmp_path: Path) -> str:
    before = export_to(tmp_path / "before.json")
    empty_database()
    output = import_archive(tmp_path / "before.json")
    after = export_to(tmp_path / "after.json")
    assert without_exported_at(after) == without_exported_at(before)
    assert after != before  # only because of exported_at
    return output


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(username="zhubian", password="x", is_staff=True)


@pytest.fixture
def rich_archive(editor):
    """Every kind of row an archive holds, as editors leave them."""
    old = SourceFactory(file_name="report.txt", superseded=True, encoding="gb18030")
    new = SourceFactory(
        file_name="report.txt",
        previous_version=old,
        raw_text=SOURCE_TEXT + "\r\n",
        report={"removed": ["页眉"], "found": {"events": 3}},
        reporters=["郑莉", "郝赫"],
        publisher="工人日报",
    )
    meetings = CategoryFactory(slug="meetings", name="会议", description="会议活动", position=3)
    CategoryFactory(slug="unused", name="未用")
    acftu = OrganisationFactory(
        name="中华全国总工会", slug="acftu", level="national", confirmed=True
    )
    OrganisationAlias.objects.create(organisation=acftu, name="全总")
    OrganisationAlias.objects.create(organisation=acftu, name="全国总工会")
    child = OrganisationFactory(parent=acftu)
    Tag.objects.create(name="没有事件的标签")

    published = EventFactory(provenance=new, category=meetings, place="深圳", title="大国工匠大会")
    published.organisations.add(acftu, child)
    published.tags.add(Tag.objects.create(name="工匠"))
    services.event_publish(event=published, by=editor)
    rejected = EventFactory(provenance=old)
    services.event_reject(event=rejected, by=editor)
    kept, absorbed = EventFactory(provenance=new), EventFactory(provenance=old)
    services.event_merge(target=kept, others=[absorbed], by=editor)
    edited = EventFactory(provenance=new, date_start=None, date_end=None, date_precision="")
    edited.body, edited.editor_notes = "正文", "日期待查"
    services.event_note_edits(event=edited, fields=["title", "body", "date_start"])
    edited.save()
    services.duplicate_dismiss(first=edited, second=rejected, by=editor)
    MetricFactory(source=new, event=published)
    MetricFactory(source=old, event=None)
    return {"published": published, "rejected": rejected, "kept": kept, "absorbed": absorbed}


def test_a_rich_archive_comes_back_exactly(tmp_path, rich_archive):
    output = assert_round_trip(tmp_path)
    assert "5 events" in output
    assert Event.objects.get(pk=rich_archive["absorbed"].pk).merged_into_id == (
        rich_archive["kept"].pk
    )
    published = Event.objects.get(pk=rich_archive["published"].pk)
    assert published.status == "published"
    assert published.reviewed_by.username == "zhubian"
    assert Event.objects.get(pk=rich_archive["rejected"].pk).status == "rejected"
    merge = EventMerge.objects.get()
    assert (merge.target_id, merge.absorbed_id) == (
        rich_archive["kept"].pk,
        rich_archive["absorbed"].pk,
    )
    assert merge.moved["provenances"]
    assert DuplicateDismissal.objects.get().by.username == "zhubian"
    new = Source.objects.get(superseded=False)
    assert new.previous_version.superseded
    assert new.raw_text == SOURCE_TEXT + "\r\n"
    assert new.report == {"removed": ["页眉"], "found": {"events": 3}}
    assert Organisation.objects.get(parent__slug="acftu")
    assert Category.objects.get(slug="unused").name == "未用"
    assert Category.objects.get(slug="meetings").description == "会议活动"
    assert Tag.objects.filter(name="没有事件的标签").exists()
    edited = Event.objects.get(body="正文")
    assert (edited.editor_notes, edited.edited_fields) == (
        "日期待查",
        ["body", "date_start", "title"],
    )


def test_the_seeds_come_back_exactly_after_editorial_work(tmp_path, editor):
    call_command("setup_demo", "--no-editor", stdout=StringIO())
    drafts = list(Event.objects.drafts().order_by("id")[:3])
    services.event_reject(event=drafts[0], by=editor)
    services.event_merge(target=drafts[1], others=[drafts[2]], by=editor)
    counts = {model: model.objects.count() for model in (Source, Event, Metric, Organisation)}
    output = assert_round_trip(tmp_path)
    assert {model: model.objects.count() for model in counts} == counts
    assert f"{counts[Source]} sources" in output
    assert Event.objects.get(pk=drafts[2].pk).merged_into_id == drafts[1].pk


def test_search_finds_restored_events(tmp_path, rich_archive):
    assert_round_trip(tmp_path)
    found = events_search(events=Event.objects.all(), query="大国工匠大会")
    assert list(found.values_list("pk", flat=True))[:1] == [rich_archive["published"].pk]
    assert events_search(events=Event.objects.all(), query="全总").filter(
        pk=rich_archive["published"].pk
    )


def test_rows_created_after_a_restore_take_fresh_ids(tmp_path, rich_archive):
    assert_round_trip(tmp_path)
    highest = {
        model: max(model.objects.values_list("pk", flat=True))
        for model in (Source, Event, Metric, Organisation, Category, Tag)
    }
    event = EventFactory()  # a source, an event and a provenance record, by the sequences
    metric = MetricFactory(source=event.provenances.get().source, event=event)
    created = {
        Source: event.provenances.get().source,
        Event: event,
        Metric: metric,
        Organisation: OrganisationFactory(),
        Category: CategoryFactory(slug="new"),
        Tag: Tag.objects.create(name="新标签"),
    }
    for model, row in created.items():
        assert row.pk > highest[model], model


def test_reviewers_missing_from_the_database_come_back_as_inactive_accounts(
    tmp_path, rich_archive, editor
):
    export_to(tmp_path / "archive.json")
    empty_database()
    editor.delete()
    dry = import_archive(tmp_path / "archive.json", "--dry-run")
    assert "would be created inactive, without a password: zhubian" in dry
    assert not get_user_model().objects.filter(username="zhubian").exists()
    output = import_archive(tmp_path / "archive.json")
    assert "created inactive, without a password: zhubian" in output
    user = get_user_model().objects.get(username="zhubian")
    assert not user.is_active
    assert not user.has_usable_password()
    assert Event.objects.get(pk=rich_archive["published"].pk).reviewed_by == user


def test_a_database_that_is_not_empty_is_refused_and_left_as_it_is(tmp_path):
    EventFactory()
    export_to(tmp_path / "archive.json")
    before = archive_occupied_tables()
    with pytest.raises(CommandError, match=r"archive\.json: not restored: the database is not "
                       r"empty \(sources_source has 1 rows"):  # fmt: skip
        import_archive(tmp_path / "archive.json")
    assert archive_occupied_tables() == before


def test_history_rows_alone_make_the_database_not_empty(tmp_path):
    EventFactory()
    export_to(tmp_path / "archive.json")
    Event.objects.all().delete()
    Source.objects.all().delete()
    with pytest.raises(CommandError, match=r"empty \(events_historicalevent has \d+ rows\)"):
        import_archive(tmp_path / "archive.json")


def test_a_record_the_database_refuses_halfway_leaves_the_database_empty(tmp_path, rich_archive):
    export_to(tmp_path / "archive.json")
    data = json.loads((tmp_path / "archive.json").read_text(encoding="utf-8"))
    # A second metric over the first one's span: the file reads well, but the database's
    # unique span refuses it after sources, organisations, events and provenance went in.
    twin = {**data["metrics"][-1], "id": 999, "event": None}
    data["metrics"].append(twin)
    (tmp_path / "archive.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    users = get_user_model().objects.count()
    empty_database()
    with pytest.raises(CommandError, match=r"archive\.json: not restored: the database refused"):
        import_archive(tmp_path / "archive.json")
    assert archive_occupied_tables() == {}
    assert get_user_model().objects.count() == users


def test_a_malformed_file_is_refused_with_its_name_and_the_field(tmp_path, rich_archive):
    export_to(tmp_path / "archive.json")
    data = json.loads((tmp_path / "archive.json").read_text(encoding="utf-8"))
    data["events"][1]["date_start"] = "2022年"
    (tmp_path / "archive.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    empty_database()
    event_id = data["events"][1]["id"]
    with pytest.raises(
        CommandError,
        match=rf"archive\.json: not restored: events\[1\] \(id {event_id}\)\.date_start: "
        "Date has wrong format",
    ):
        import_archive(tmp_path / "archive.json")
    assert archive_occupied_tables() == {}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", r"not JSON \(Expecting property name"),
        ("[1, 2]", "not an archive of export_archive"),
        ('{"version": 2}', "version: 2 is not an archive version this import reads"),
        ('{"version": 1, "events": []}', "sources: missing"),
    ],
)
def test_a_file_that_is_not_a_restorable_archive_is_refused(tmp_path, content, reason):
    path = tmp_path / "backup.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=rf"backup\.json: not restored: {reason}"):
        import_archive(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.json: cannot read the archive"):
        import_archive(tmp_path / "nowhere.json")


def test_a_dry_run_checks_and_counts_but_writes_nothing(tmp_path, rich_archive):
    export_to(tmp_path / "archive.json")
    empty_database()
    output = import_archive(tmp_path / "archive.json", "--dry-run")
    assert "4 sources" not in output
    assert "2 sources, 2 organisations, 2 categories, 2 tags, 5 events" in output
    assert "Dry run: nothing was saved." in output
    assert archive_occupied_tables() == {}


def test_a_dry_run_reports_what_the_database_would_refuse(tmp_path, rich_archive):
    export_to(tmp_path / "archive.json")
    with pytest.raises(CommandError, match="the database is not empty"):
        import_archive(tmp_path / "archive.json", "--dry-run")


def test_verbosity_zero_says_nothing_and_two_says_each_stage(tmp_path, rich_archive):
    export_to(tmp_path / "archive.json")
    empty_database()
    assert import_archive(tmp_path / "archive.json", "--dry-run", "-v", "0") == ""
    output = import_archive(tmp_path / "archive.json", "-v", "2")
    assert "search index rebuilt: 5 events" in output
    assert "Restored" in output


def test_the_restore_section_leaves_the_contract_shapes_as_they_were(tmp_path, rich_archive):
    data = json.loads(export_to(tmp_path / "archive.json"))
    assert set(data) == {
        "version", "exported_at", "sources", "organisations", "events", "metrics", "restore",
    }  # fmt: skip
    assert "raw_text" not in data["sources"][0]
    assert "body" not in data["events"][0]
    assert data["restore"]["events"][0]["reviewed_by"] in (None, "zhubian")


def test_timestamps_come_back_as_they_were_not_as_of_the_restore(tmp_path, rich_archive):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Event.objects.filter(pk=rich_archive["rejected"].pk).update(
        created_at=long_ago, updated_at=long_ago
    )
    assert_round_trip(tmp_path)
    event = Event.objects.get(pk=rich_archive["rejected"].pk)
    assert (event.created_at, event.updated_at) == (long_ago, long_ago)
