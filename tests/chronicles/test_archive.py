"""Chronicles in backups: export_archive carries them and import_archive brings them back."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError

from chronicles import services
from chronicles.models import Chronicle, ChronicleEdition, ChronicleEntry
from tests.chronicles.factories import ChronicleEntryFactory, ChronicleFactory
from tests.events.test_import_archive import (
    assert_round_trip,
    empty_database,
    export_to,
    import_archive,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_chronicle():
    editor = get_user_model().objects.create_user(username="zhubian", password="x")
    chronicle = ChronicleFactory(introduction="一年的工作。")
    first = ChronicleEntryFactory(chronicle=chronicle, text="自己的条目文字")
    ChronicleEntryFactory(chronicle=chronicle, position=1)
    services.chronicle_publish(chronicle=chronicle, by=editor)
    services.chronicle_entry_move(entry=first, position=5)
    services.chronicle_publish(chronicle=chronicle, by=editor)
    return chronicle


def test_chronicles_entries_and_editions_come_back_exactly(tmp_path, published_chronicle):
    editions = list(ChronicleEdition.objects.order_by("id").values())
    entries = list(ChronicleEntry.objects.order_by("id").values())
    output = assert_round_trip(tmp_path)
    assert "chronicles: 1 chronicles, 2 entries, 2 editions" in output
    chronicle = Chronicle.objects.get()
    assert (chronicle.pk, chronicle.introduction) == (published_chronicle.pk, "一年的工作。")
    assert list(ChronicleEdition.objects.order_by("id").values()) == editions
    assert ChronicleEdition.objects.filter(published_by__username="zhubian").count() == 2
    assert list(ChronicleEntry.objects.order_by("id").values()) == entries
    later = ChronicleFactory(year=2023)
    assert later.pk > published_chronicle.pk


def test_an_entry_of_an_event_not_in_the_archive_is_refused(tmp_path, published_chronicle):
    data = json.loads(export_to(tmp_path / "archive.json"))
    entry = data["restore"]["chronicles"]["entries"][0]
    entry["event"] = 9999
    (tmp_path / "archive.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    empty_database()
    with pytest.raises(
        CommandError,
        match=rf"restore\.chronicles\.entries \(id {entry['id']}\)\.event: 9999 is not in the",
    ):
        import_archive(tmp_path / "archive.json")
    assert not Chronicle.objects.exists()


def test_an_archive_without_the_chronicles_section_is_refused(tmp_path):
    EventFactory()
    data = json.loads(export_to(tmp_path / "archive.json"))
    del data["restore"]["chronicles"]
    (tmp_path / "archive.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    empty_database()
    with pytest.raises(CommandError, match=r"restore\.chronicles: missing"):
        import_archive(tmp_path / "archive.json")


def test_a_database_holding_only_a_chronicle_is_not_empty(tmp_path):
    export_to(tmp_path / "archive.json")
    ChronicleFactory()
    with pytest.raises(CommandError, match="chronicles_chronicle has 1 rows"):
        import_archive(tmp_path / "archive.json")
