"""The editorial rules of chronicles: what an entry may hold, ordering, publishing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from chronicles import services
from chronicles.models import ChronicleEdition, ChronicleEntry
from events.models import EventStatus
from tests.chronicles.factories import (
    ChronicleEntryFactory,
    ChronicleFactory,
    PublishedEventFactory,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

MAY_DAY = datetime.date(2022, 5, 1)


def on(day, **kwargs):
    return PublishedEventFactory(date_start=day, date_end=None, **kwargs)


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("editor", is_staff=True)


# --- chronicle_create / chronicle_entry_add ---------------------------------------------


def test_a_new_chronicle_is_titled_after_its_year():
    assert services.chronicle_create(year=2022).title == "2022年工会工作大事记"


def test_a_second_chronicle_of_a_year_is_refused():
    services.chronicle_create(year=2022)
    with pytest.raises(ValidationError) as caught:
        services.chronicle_create(year=2022)
    assert caught.value.error_dict["year"][0].code == "unique"


def test_an_entry_holds_a_published_event_of_the_year():
    chronicle = ChronicleFactory(year=2022)
    entry = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY), text="简述")
    assert ChronicleEntry.objects.get() == entry
    assert entry.text == "简述"


def test_an_entry_refuses_a_draft_event():
    draft = EventFactory(date_start=MAY_DAY, date_end=None)
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_add(chronicle=ChronicleFactory(), event=draft)
    assert caught.value.error_dict["event"][0].code == "event_not_published"
    assert not ChronicleEntry.objects.exists()


def test_an_entry_refuses_a_rejected_event():
    rejected = EventFactory(date_start=MAY_DAY, date_end=None, status=EventStatus.REJECTED)
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_add(chronicle=ChronicleFactory(), event=rejected)
    assert caught.value.error_dict["event"][0].code == "event_not_published"


def test_an_entry_refuses_an_event_of_another_year():
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_add(
            chronicle=ChronicleFactory(year=2022), event=on(datetime.date(2023, 1, 1))
        )
    assert caught.value.error_dict["event"][0].code == "event_outside_year"


def test_an_event_from_the_year_before_that_runs_into_the_year_is_refused():
    """The start date decides the year: an event belongs to one chronicle."""
    event = PublishedEventFactory(
        date_start=datetime.date(2021, 12, 28), date_end=datetime.date(2022, 1, 3)
    )
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_add(chronicle=ChronicleFactory(year=2022), event=event)
    assert caught.value.error_dict["event"][0].code == "event_outside_year"


def test_an_entry_refuses_an_undated_event():
    undated = PublishedEventFactory(date_start=None, date_end=None, date_precision="")
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_add(chronicle=ChronicleFactory(), event=undated)
    assert caught.value.error_dict["event"][0].code == "event_undated"


def test_an_event_is_added_once():
    chronicle, event = ChronicleFactory(), on(MAY_DAY)
    services.chronicle_entry_add(chronicle=chronicle, event=event)
    with pytest.raises(ValidationError):
        services.chronicle_entry_add(chronicle=chronicle, event=event)


def test_an_added_entry_comes_after_the_entries_of_its_day():
    chronicle = ChronicleFactory()
    first = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY))
    second = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY))
    other_day = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY.replace(day=2)))
    assert (first.position, second.position, other_day.position) == (0, 1, 0)


# --- chronicle_populate ------------------------------------------------------------------


def test_populate_adds_the_published_events_of_the_year_only():
    chronicle = ChronicleFactory(year=2022)
    wanted = {on(MAY_DAY), on(datetime.date(2022, 12, 31))}
    EventFactory(date_start=MAY_DAY, date_end=None)  # draft
    on(datetime.date(2023, 1, 1))
    on(datetime.date(2021, 12, 31))
    PublishedEventFactory(date_start=None, date_end=None, date_precision="")

    assert services.chronicle_populate(chronicle=chronicle) == 2
    assert {entry.event for entry in chronicle.entries.all()} == wanted


def test_populate_twice_adds_nothing_the_second_time():
    chronicle = ChronicleFactory()
    on(MAY_DAY)
    services.chronicle_populate(chronicle=chronicle)
    assert services.chronicle_populate(chronicle=chronicle) == 0
    assert chronicle.entries.count() == 1


def test_populate_keeps_what_the_editor_set_and_appends_to_the_day():
    chronicle = ChronicleFactory()
    kept = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY), text="编辑的文字")
    ChronicleEntry.objects.filter(pk=kept.pk).update(position=3)
    newcomer = on(MAY_DAY)

    assert services.chronicle_populate(chronicle=chronicle) == 1
    kept.refresh_from_db()
    assert (kept.position, kept.text) == (3, "编辑的文字")
    assert chronicle.entries.get(event=newcomer).position == 4
    assert list(chronicle.entries.in_chronicle_order()) == [
        kept,
        chronicle.entries.get(event=newcomer),
    ]


def test_populate_never_removes_an_entry():
    chronicle = ChronicleFactory()
    entry = ChronicleEntryFactory(chronicle=chronicle)
    entry.event.status = EventStatus.DRAFT
    entry.event.save()
    services.chronicle_populate(chronicle=chronicle)
    assert list(chronicle.entries.all()) == [entry]


def test_populate_orders_new_events_of_a_day_as_they_were_made():
    chronicle = ChronicleFactory()
    first, second = on(MAY_DAY), on(MAY_DAY)
    services.chronicle_populate(chronicle=chronicle)
    ordered = [entry.event for entry in chronicle.entries.in_chronicle_order()]
    assert ordered == [first, second]


# --- chronicle_entry_move ----------------------------------------------------------------


@pytest.fixture
def may_day():
    """A chronicle with three entries on 1 May and one on 2 May."""
    chronicle = ChronicleFactory()
    entries = [
        services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY)) for _ in range(3)
    ]
    next_day = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY.replace(day=2)))
    return chronicle, entries, next_day


def test_moving_an_entry_to_the_top_renumbers_its_day(may_day):
    chronicle, (a, b, c), _next_day = may_day
    services.chronicle_entry_move(entry=c, position=0)
    assert list(chronicle.entries.in_chronicle_order())[:3] == [c, a, b]
    assert sorted(
        chronicle.entries.filter(event__date_start=MAY_DAY).values_list("position", flat=True)
    ) == [0, 1, 2]


def test_moving_an_entry_past_the_end_puts_it_last_in_its_day(may_day):
    chronicle, (a, b, c), next_day = may_day
    services.chronicle_entry_move(entry=a, position=99)
    assert list(chronicle.entries.in_chronicle_order()) == [b, c, a, next_day]


def test_moving_an_entry_leaves_other_days_alone(may_day):
    _chronicle, (a, _b, _c), next_day = may_day
    ChronicleEntry.objects.filter(pk=next_day.pk).update(position=7)
    services.chronicle_entry_move(entry=a, position=2)
    next_day.refresh_from_db()
    assert next_day.position == 7


def test_an_entry_cannot_move_to_a_negative_position(may_day):
    _chronicle, (a, _b, _c), _next_day = may_day
    with pytest.raises(ValidationError) as caught:
        services.chronicle_entry_move(entry=a, position=-1)
    assert caught.value.error_dict["position"][0].code == "negative"


# --- chronicle_snapshot ------------------------------------------------------------------


def test_the_snapshot_gives_each_entry_its_chinese_date_and_text():
    chronicle = ChronicleFactory(introduction="一年来……")
    event = PublishedEventFactory(
        title="专项行动开展",
        summary="事件摘要",
        date_start=datetime.date(2022, 6, 21),
        date_end=datetime.date(2022, 12, 31),
        date_precision="xun",
    )
    services.chronicle_entry_add(chronicle=chronicle, event=event)
    snapshot = services.chronicle_snapshot(chronicle=chronicle)
    assert snapshot["title"] == "2022年工会工作大事记"
    assert snapshot["introduction"] == "一年来……"
    assert snapshot["edition"] is None
    assert snapshot["entries"] == [
        {
            "event": event.pk,
            "date_start": "2022-06-21",
            "date_end": "2022-12-31",
            "precision": "xun",
            "date_text": "2022年6月下旬至12月底",
            "title": "专项行动开展",
            "text": "事件摘要",
        }
    ]


def test_the_entry_text_replaces_the_event_summary():
    chronicle = ChronicleFactory()
    event = on(MAY_DAY, summary="事件摘要")
    services.chronicle_entry_add(chronicle=chronicle, event=event, text="编辑写的条目")
    assert services.chronicle_snapshot(chronicle=chronicle)["entries"][0]["text"] == "编辑写的条目"


def test_the_snapshot_takes_the_same_queries_for_many_entries(django_assert_max_num_queries):
    chronicle = ChronicleFactory()
    for day in range(1, 21):
        services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY.replace(day=day)))
    with django_assert_max_num_queries(1):
        snapshot = services.chronicle_snapshot(chronicle=chronicle)
    assert len(snapshot["entries"]) == 20


# --- chronicle_publish -------------------------------------------------------------------


def test_publishing_numbers_the_editions_one_two_three(editor):
    chronicle = ChronicleEntryFactory().chronicle
    numbers = [services.chronicle_publish(chronicle=chronicle, by=editor).number for _ in "abc"]
    assert numbers == [1, 2, 3]


def test_an_edition_records_who_published_it_and_its_markdown(editor):
    chronicle = ChronicleEntryFactory(event__title="首届大国工匠创新交流大会举办").chronicle
    edition = services.chronicle_publish(chronicle=chronicle, by=editor)
    assert edition.published_by == editor
    assert edition.snapshot["edition"] == 1
    assert "首届大国工匠创新交流大会举办" in edition.markdown
    assert "第1版" in edition.markdown


def test_an_empty_chronicle_is_not_published(editor):
    with pytest.raises(ValidationError) as caught:
        services.chronicle_publish(chronicle=ChronicleFactory(), by=editor)
    assert caught.value.code == "empty"
    assert not ChronicleEdition.objects.exists()


def test_a_chronicle_holding_an_event_unpublished_since_is_not_published(editor):
    entry = ChronicleEntryFactory(event__title="已撤回的事件")
    entry.event.status = EventStatus.REJECTED
    entry.event.save()
    with pytest.raises(ValidationError) as caught:
        services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    assert caught.value.code == "entries_not_publishable"
    assert "已撤回的事件" in caught.value.messages[0]
    assert not ChronicleEdition.objects.exists()


def test_a_chronicle_holding_an_event_redated_to_another_year_is_not_published(editor):
    entry = ChronicleEntryFactory()
    entry.event.date_start = datetime.date(2023, 2, 1)
    entry.event.save()
    with pytest.raises(ValidationError) as caught:
        services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    assert caught.value.code == "entries_not_publishable"


def test_an_edition_stays_as_published_when_the_event_and_entry_change(editor):
    entry = ChronicleEntryFactory(event__title="原标题", text="原条目")
    edition = services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    frozen_snapshot, frozen_markdown = edition.snapshot, edition.markdown

    entry.event.title = "改过的标题"
    entry.event.date_start = datetime.date(2022, 9, 9)
    entry.event.save()
    entry.text = "改过的条目"
    entry.save()
    entry.chronicle.introduction = "新的前言"
    entry.chronicle.save()
    services.chronicle_entry_add(chronicle=entry.chronicle, event=on(MAY_DAY))

    edition.refresh_from_db()
    assert edition.snapshot == frozen_snapshot
    assert edition.markdown == frozen_markdown
    assert edition.snapshot["entries"][0]["title"] == "原标题"
    assert "改过的" not in edition.markdown


def test_a_later_edition_holds_the_edits(editor):
    entry = ChronicleEntryFactory(event__title="原标题")
    services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    entry.event.title = "改过的标题"
    entry.event.save()
    second = services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    assert second.snapshot["entries"][0]["title"] == "改过的标题"


# --- edition_changes ---------------------------------------------------------------------


def test_a_first_edition_has_every_entry_added(editor):
    entry = ChronicleEntryFactory()
    changes = services.edition_changes(
        edition=services.chronicle_publish(chronicle=entry.chronicle, by=editor)
    )
    assert changes["previous"] is None
    assert [added["event"] for added in changes["added"]] == [entry.event_id]
    assert changes["removed"] == changes["changed"] == []
    assert not changes["title_changed"]
    assert not changes["introduction_changed"]


def test_changes_list_entries_added_removed_and_rewritten(editor):
    chronicle = ChronicleFactory()
    kept = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY, title="不变"))
    retitled = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY, title="旧标题"))
    retexted = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY), text="旧文字")
    removed = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY))
    services.chronicle_publish(chronicle=chronicle, by=editor)

    retitled.event.title = "新标题"
    retitled.event.save()
    retexted.text = "新文字"
    retexted.save()
    removed_event = removed.event_id
    removed.delete()
    added = services.chronicle_entry_add(chronicle=chronicle, event=on(MAY_DAY.replace(day=9)))
    chronicle.introduction = "新的前言"
    chronicle.save()
    changes = services.edition_changes(
        edition=services.chronicle_publish(chronicle=chronicle, by=editor)
    )

    assert changes["previous"] == 1
    assert [entry["event"] for entry in changes["added"]] == [added.event_id]
    assert [entry["event"] for entry in changes["removed"]] == [removed_event]
    by_event = {change["event"]: change for change in changes["changed"]}
    assert set(by_event) == {retitled.event_id, retexted.event_id}
    assert kept.event_id not in by_event
    assert by_event[retitled.event_id]["fields"] == ["title"]
    assert (
        by_event[retitled.event_id]["before"]["title"],
        by_event[retitled.event_id]["after"]["title"],
    ) == ("旧标题", "新标题")
    assert by_event[retexted.event_id]["fields"] == ["text"]
    assert changes["introduction_changed"]
    assert not changes["title_changed"]


def test_changes_compare_with_the_edition_just_before(editor):
    entry = ChronicleEntryFactory(event__title="第一版标题")
    chronicle = entry.chronicle
    services.chronicle_publish(chronicle=chronicle, by=editor)
    entry.event.title = "第二版标题"
    entry.event.save()
    services.chronicle_publish(chronicle=chronicle, by=editor)
    third = services.chronicle_publish(chronicle=chronicle, by=editor)
    changes = services.edition_changes(edition=third)
    assert changes["previous"] == 2
    assert changes["changed"] == []
