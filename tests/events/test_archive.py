import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from events.serializers import decimal_text
from tests.factories import EventFactory, MetricFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EVENT_FIELDS = {
    "id", "url", "public_url", "title", "summary", "date_start", "date_end", "date_precision",
    "date_text", "kind", "place", "category", "tags", "organisations", "metrics", "sources",
    "status", "confidence", "created_at", "updated_at",
}  # fmt: skip
METRIC_FIELDS = {
    "id", "text", "value", "unit", "qualifier", "label", "as_of", "event", "source", "start", "end"
}  # fmt: skip
SOURCE_FIELDS = {
    "id", "title", "publisher", "reporters", "published", "published_precision", "origin", "url",
    "kind", "file_name", "sha256", "loaded_at", "text",
}  # fmt: skip
ORGANISATION_FIELDS = {"id", "name", "slug", "level", "aliases", "confirmed", "event_count"}


def export(*args) -> dict:
    out = StringIO()
    call_command("export_archive", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("8486000000.000000"), "8486000000"),
        (Decimal("82.840000"), "82.84"),
        (Decimal("120000000"), "120000000"),
        (Decimal("0.000000"), "0"),
        (Decimal("18000.5"), "18000.5"),
    ],
)
def test_metric_values_are_exact_and_fully_expanded(value, text):
    assert decimal_text(value) == text


def test_export_has_every_contract_field_and_every_status():
    published = EventFactory(published=True)
    draft = EventFactory()
    metric = MetricFactory(event=draft)
    published.organisations.add(OrganisationFactory())
    archive = export()
    assert archive["version"] == 1
    events = {event["id"]: event for event in archive["events"]}
    assert set(events) == {published.pk, draft.pk}
    assert set(events[draft.pk]) >= EVENT_FIELDS
    assert events[draft.pk]["status"] == "draft"
    assert set(archive["metrics"][0]) >= METRIC_FIELDS
    assert archive["metrics"][0]["value"] == "18000"
    assert events[draft.pk]["metrics"][0]["id"] == metric.pk
    assert "event" not in events[draft.pk]["metrics"][0]
    assert set(archive["sources"][0]) >= SOURCE_FIELDS
    assert set(archive["organisations"][0]) >= ORGANISATION_FIELDS
    assert archive["organisations"][0]["event_count"] == 1


def test_event_shape_follows_the_contract():
    event = EventFactory(published=True, place="")
    shape = export()["events"][0]
    provenance = event.provenances.get()
    assert shape["url"] == f"/api/events/{event.pk}/"
    assert shape["public_url"] == f"/events/{event.pk}/"
    assert shape["place"] is None
    assert shape["category"] is None
    assert (shape["date_start"], shape["date_end"], shape["date_precision"]) == (
        "2022-04-27",
        "2022-04-29",
        "day",
    )
    assert shape["sources"] == [
        {
            "id": provenance.source_id,
            "title": provenance.source.title,
            "sha256": provenance.source.sha256,
            "excerpt": provenance.excerpt,
            "start": provenance.start,
            "end": provenance.end,
        }
    ]


def test_undated_event_has_null_precision():
    event = EventFactory(date_start=None, date_end=None, date_precision="", date_text="")
    assert export()["events"][0]["date_precision"] is None
    assert event.date_start is None


def test_two_exports_of_one_database_differ_only_in_exported_at(tmp_path):
    EventFactory.create_batch(3)
    MetricFactory()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    call_command("export_archive", "-o", str(first), stdout=StringIO())
    call_command("export_archive", "-o", str(second), stdout=StringIO())
    lines_a = first.read_text(encoding="utf-8").splitlines()
    lines_b = second.read_text(encoding="utf-8").splitlines()
    differing = [a for a, b in zip(lines_a, lines_b, strict=True) if a != b]
    assert len(differing) == 1
    assert '"exported_at"' in differing[0]


def test_export_to_an_unwritable_place_names_it(tmp_path):
    with pytest.raises(CommandError, match=r"missing/archive\.json: cannot write"):
        call_command("export_archive", "-o", str(tmp_path / "missing" / "archive.json"))


def test_export_queries_do_not_grow_with_events(django_assert_max_num_queries):
    EventFactory.create_batch(2)
    with django_assert_max_num_queries(20) as captured:
        export()
    EventFactory.create_batch(10)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        export()
