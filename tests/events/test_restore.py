"""Reading an archive file (events/restore.py): JSON in, rows or named problems out.

No database: the archive is written here by hand, in the shapes export_archive writes.
"""

import datetime
import json
from decimal import Decimal

import pytest

from events.restore import ArchiveError, archive_read
from tests.factories import SOURCE_TEXT

METRIC_START = SOURCE_TEXT.index("1.8万平方米")
SPAN_END = SOURCE_TEXT.index("，")
STAMP = "2026-11-29T12:00:00.123456+08:00"


def archive() -> dict:
    """A small valid archive: one source, organisation, event (merged into nothing) and
    metric, with the restore section."""
    span = {
        "id": 2, "title": "2022年工会工作大事记", "sha256": "a" * 64,
        "excerpt": SOURCE_TEXT[:SPAN_END], "start": 0, "end": SPAN_END,
    }  # fmt: skip
    metric = {
        "id": 5, "text": "1.8万平方米", "value": "18000", "unit": "平方米", "qualifier": "约",
        "label": None, "as_of": None, "source": 2, "start": METRIC_START,
        "end": METRIC_START + len("1.8万平方米"),
    }  # fmt: skip
    return {
        "version": 1,
        "exported_at": STAMP,
        "sources": [
            {
                "id": 2, "title": "2022年工会工作大事记", "publisher": None,
                "reporters": ["郑莉"], "published": "2023-02-13", "published_precision": "day",
                "origin": None, "url": None, "kind": "chronicle", "file_name": "001.txt",
                "sha256": "a" * 64, "loaded_at": STAMP, "text": SOURCE_TEXT,
            }
        ],
        "organisations": [
            {
                "id": 1, "name": "中华全国总工会", "slug": "acftu", "level": "national",
                "aliases": ["全总"], "confirmed": True, "event_count": 1,
            }
        ],
        "events": [
            {
                "id": 17, "url": "/api/events/17/", "public_url": "/events/17/",
                "title": " 首届大国工匠创新交流大会举办", "summary": "", "date_start": "2022-04-27",
                "date_end": "2022-04-29", "date_precision": "day",
                "date_text": "2022年4月27日至29日", "kind": "happened", "place": None,
                "category": {"slug": "meetings", "name": "会议"}, "tags": ["工匠"],
                "organisations": [{"id": 1, "name": "中华全国总工会", "slug": "acftu"}],
                "metrics": [metric], "sources": [span], "status": "published",
                "confidence": 0.82, "created_at": STAMP, "updated_at": STAMP,
                "search_snippet": None,
            }
        ],
        "metrics": [{**metric, "event": 17}],
        "restore": {
            "categories": [
                {"id": 3, "slug": "meetings", "name": "会议", "description": "", "position": 1},
                {"id": 4, "slug": "unused", "name": "未用", "description": "", "position": 2},
            ],
            "tags": [{"id": 9, "name": "工匠"}],
            "sources": [
                {
                    "id": 2, "encoding": "gb18030", "raw_text": SOURCE_TEXT + "\n",
                    "previous_version": None, "superseded": False, "report": {"found": 1},
                }
            ],
            "organisations": [
                {"id": 1, "parent": None, "created_at": STAMP, "updated_at": STAMP}
            ],
            "events": [
                {
                    "id": 17, "body": "", "editor_notes": "查过", "edited_fields": ["title"],
                    "merged_into": None, "published_at": STAMP, "reviewed_at": STAMP,
                    "reviewed_by": "editor",
                }
            ],
            "provenances": [
                {
                    "id": 30, "event": 17, "source": 2, "start": 0, "end": SPAN_END,
                    "extraction_key": "k1", "merge_reason": "", "created_at": STAMP,
                }
            ],
            "merges": [],
            "dismissals": [],
        },
    }  # fmt: skip


def read(data) -> object:
    return archive_read(json.dumps(data, ensure_ascii=False))


def problems_of(data) -> list[str]:
    with pytest.raises(ArchiveError) as caught:
        read(data)
    return caught.value.problems


def test_a_valid_archive_becomes_rows_as_the_models_take_them():
    rows = read(archive())
    source = rows.sources[0]
    assert (source["id"], source["publisher"], source["origin"], source["url"]) == (2, "", "", "")
    assert source["raw_text"] == SOURCE_TEXT + "\n"
    assert source["previous_version_id"] is None
    assert source["report"] == {"found": 1}
    assert source["loaded_at"] == datetime.datetime.fromisoformat(STAMP)
    event = rows.events[0]
    assert event["title"] == " 首届大国工匠创新交流大会举办"  # exactly as written, not trimmed
    assert (event["category_id"], event["place"], event["reviewed_by"]) == (3, "", "editor")
    assert event["date_start"] == datetime.date(2022, 4, 27)
    assert rows.event_tags == [(17, 9)]
    assert rows.event_organisations == [(17, 1)]
    assert rows.aliases == [{"organisation_id": 1, "name": "全总"}]
    assert rows.provenances[0]["excerpt"] == SOURCE_TEXT[:SPAN_END]
    assert rows.provenances[0]["extraction_key"] == "k1"
    assert rows.metrics[0]["value"] == Decimal("18000")
    assert (rows.metrics[0]["label"], rows.metrics[0]["event_id"]) == ("", 17)
    assert [c["slug"] for c in rows.categories] == ["meetings", "unused"]
    assert rows.user_names() == {"editor"}


def drop(path: str):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return change


def put(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (put("version", 2), "version: 2 is not an archive version this import reads"),
        (put("version", "1"), 'version: "1" is not an archive version'),
        (drop("version"), "not an archive of export_archive: no top-level “version”"),
        (drop("restore"), "restore: missing (an exact restore needs it"),
        (drop("restore.provenances"), "restore.provenances: missing"),
        (put("events", {}), "events: expected a list, found dict"),
        (put("events.0.date_start", "2022-13-01"), "events[0] (id 17).date_start: Date has"),
        (put("events.0.title", 17), "events[0] (id 17).title: Not a valid string."),
        (put("events.0.title", ""), "events[0] (id 17).title: This field may not be blank."),
        (put("events.0.title", "长" * 301), "events[0] (id 17).title: Ensure this field has no"),
        (put("events.0.status", "gone"), 'events[0] (id 17).status: "gone" is not a valid'),
        (put("events.0.confidence", 1.5), "events[0] (id 17).confidence: Ensure this value is"),
        (drop("events.0.kind"), "events[0] (id 17).kind: This field is required."),
        (put("events.0.sources.0.start", "0"), "events[0] (id 17).sources[0].start: A valid"),
        (put("metrics.0.value", "1e400"), "metrics[0] (id 5).value:"),
        (put("sources.0.reporters", [1]), "sources[0] (id 2).reporters[0]: Not a valid string."),
        (put("organisations.0.confirmed", "yes"), "organisations[0] (id 1).confirmed:"),
        (put("restore.events.0.edited_fields", ["status"]), "restore.events[0] (id 17)."),
        (put("restore.sources.0.id", 3), "restore.sources: no record of source 2"),
        (lambda data: data["events"].append(archive()["events"][0]), "events: id 17 appears 2"),
        (put("restore.events.0.merged_into", 99), "merged_into: event 99 is not in the archive"),
        (put("restore.events.0.merged_into", 17), "restore.events (id 17).merged_into: itself"),
        (put("restore.organisations.0.parent", 7), "parent: organisation 7 is not in"),
        (put("restore.sources.0.previous_version", 2), "a source is not its own previous"),
        (put("organisations.0.event_count", 3), "event_count: 3, but 1 events name it"),
        (put("events.0.category.name", "别的"), "events (id 17).category: meetings “别的” is not"),
        (put("events.0.tags", ["别的"]), "events (id 17).tags: “别的” is not in restore.tags"),
        (put("events.0.organisations.0.slug", "x"), "events (id 17).organisations: 1 “中华全国"),
        (
            put("events.0.sources.0.excerpt", "二〇二二年"),
            "does not quote “二〇二二年” from source 2",
        ),
        (put("events.0.sources.0.end", 999), "events (id 17).sources: the spans differ"),
        (put("metrics.0.start", 0), "metrics (id 5): [0, "),
        (put("metrics.0.source", 8), "metrics (id 5).source: source 8 is not in the archive"),
        (put("events.0.metrics", []), "events (id 17).metrics: differ from the metrics"),
        (put("restore.provenances.0.event", 18), "provenances (id 30).event: event 18 is not"),
        (put("events.0.date_end", "2022-04-01"), "events (id 17).date_end: The end date is before"),
        (put("events.0.date_precision", None), "events (id 17).date_precision: Say how precise"),
        (put("restore.events.0.published_at", None), "published_at: a published event has one"),
    ],
)
def test_a_malformed_archive_names_the_field_and_the_reason(change, problem):
    data = archive()
    change(data)
    problems = problems_of(data)
    assert any(problem in line for line in problems), problems


def test_text_that_is_not_json_is_refused():
    with pytest.raises(ArchiveError, match=r"not JSON \(Expecting value: line 1 column 1"):
        archive_read("not an archive")


def test_a_json_list_is_not_an_archive():
    with pytest.raises(ArchiveError, match="no top-level “version”"):
        archive_read("[]")


def test_every_problem_is_reported_at_once():
    data = archive()
    data["events"][0]["date_start"] = "someday"
    data["sources"][0]["kind"] = "novel"
    data["restore"]["tags"][0]["name"] = 5
    problems = problems_of(data)
    assert len(problems) == 3
    assert problems[0].startswith("sources[0] (id 2).kind:")


def test_a_long_list_of_problems_is_cut_short_in_the_message():
    data = archive()
    data["sources"][0]["reporters"] = list(range(30))
    with pytest.raises(ArchiveError, match=r"; … and 10 more problems$"):
        read(data)


def test_unknown_keys_are_ignored_so_newer_fields_do_not_break_a_restore():
    data = archive()
    data["events"][0]["new_field"] = 1
    data["restore"]["events"][0]["another"] = "x"
    assert read(data).events[0]["id"] == 17
