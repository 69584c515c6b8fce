"""Database constraints and the read methods of the chronicle models."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from chronicles.models import Chronicle, ChronicleEdition, ChronicleEntry
from tests.chronicles.factories import (
    ChronicleEntryFactory,
    ChronicleFactory,
    PublishedEventFactory,
)

pytestmark = pytest.mark.django_db


def edition(chronicle, number):
    return ChronicleEdition.objects.create(
        chronicle=chronicle,
        number=number,
        published_at=timezone.now(),
        snapshot={"title": chronicle.title, "entries": []},
        markdown="",
    )


def test_a_year_has_one_chronicle():
    ChronicleFactory(year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        Chronicle.objects.create(year=2022, title="又一部大事记")


@pytest.mark.parametrize("year", [999, 10000])
def test_a_year_has_four_digits(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        Chronicle.objects.create(year=year, title="大事记")


def test_the_database_refuses_an_empty_title():
    with pytest.raises(IntegrityError), transaction.atomic():
        Chronicle.objects.create(year=2022, title="")


def test_validation_gives_an_empty_title_the_default_of_the_year():
    chronicle = Chronicle(year=2023)
    chronicle.full_clean()
    assert chronicle.title == "2023年工会工作大事记"


def test_an_editors_title_is_kept():
    chronicle = Chronicle(year=2023, title="2023年大事记（征求意见稿）")
    chronicle.full_clean()
    assert chronicle.title == "2023年大事记（征求意见稿）"


def test_an_event_appears_once_in_a_chronicle():
    entry = ChronicleEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChronicleEntry.objects.create(chronicle=entry.chronicle, event=entry.event, position=1)


def test_the_same_event_may_appear_in_two_chronicles():
    """Only the services hold the year rule; the database allows the pair."""
    entry = ChronicleEntryFactory()
    ChronicleEntry.objects.create(chronicle=ChronicleFactory(year=2023), event=entry.event)
    assert entry.event.chronicle_entries.count() == 2


def test_a_position_cannot_be_negative():
    entry = ChronicleEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChronicleEntry.objects.filter(pk=entry.pk).update(position=-1)


def test_an_edition_number_is_unique_in_its_chronicle():
    chronicle = ChronicleFactory()
    edition(chronicle, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        edition(chronicle, 1)


def test_two_chronicles_each_have_an_edition_one():
    edition(ChronicleFactory(year=2022), 1)
    edition(ChronicleFactory(year=2023), 1)
    assert ChronicleEdition.objects.filter(number=1).count() == 2


def test_edition_numbers_start_at_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        edition(ChronicleFactory(), 0)


def test_an_event_in_a_chronicle_cannot_be_deleted():
    entry = ChronicleEntryFactory()
    with pytest.raises(ProtectedError):
        entry.event.delete()


def test_a_published_chronicle_cannot_be_deleted():
    chronicle = ChronicleFactory()
    edition(chronicle, 1)
    with pytest.raises(ProtectedError):
        chronicle.delete()


def test_deleting_a_draft_chronicle_deletes_its_entries_not_its_events():
    entry = ChronicleEntryFactory()
    entry.chronicle.delete()
    assert not ChronicleEntry.objects.exists()
    entry.event.refresh_from_db()


def test_entry_validation_refuses_an_event_of_another_year():
    chronicle = ChronicleFactory(year=2022)
    event = PublishedEventFactory(date_start=datetime.date(2021, 12, 30), date_end=None)
    with pytest.raises(ValidationError) as caught:
        ChronicleEntry(chronicle=chronicle, event=event).full_clean()
    assert caught.value.error_dict["event"][0].code == "event_outside_year"


def test_entries_come_in_date_then_position_then_id_order():
    chronicle = ChronicleFactory()
    day = datetime.date(2022, 5, 1)

    def entry(when, position):
        event = PublishedEventFactory(date_start=when, date_end=None)
        return ChronicleEntry.objects.create(chronicle=chronicle, event=event, position=position)

    later_day = entry(datetime.date(2022, 5, 2), 0)
    second = entry(day, 1)
    tie_first = entry(day, 2)
    tie_second = entry(day, 2)
    first = entry(day, 0)
    earlier_day = entry(datetime.date(2022, 4, 30), 5)

    assert list(chronicle.entries.in_chronicle_order()) == [
        earlier_day,
        first,
        second,
        tie_first,
        tie_second,
        later_day,
    ]


def test_published_chronicles_are_those_with_an_edition():
    published = ChronicleFactory(year=2022)
    ChronicleFactory(year=2023)
    edition(published, 1)
    edition(published, 2)
    assert list(Chronicle.objects.published()) == [published]


def test_the_current_edition_is_the_latest_of_each_chronicle():
    chronicle_2022, chronicle_2023 = ChronicleFactory(year=2022), ChronicleFactory(year=2023)
    edition(chronicle_2022, 1)
    latest_2022 = edition(chronicle_2022, 2)
    only_2023 = edition(chronicle_2023, 1)
    assert set(ChronicleEdition.objects.current()) == {latest_2022, only_2023}
    assert ChronicleEdition.objects.current().get(chronicle__year=2022) == latest_2022


def test_counts_give_entries_editions_and_last_publication():
    chronicle = ChronicleFactory()
    ChronicleEntryFactory.create_batch(3, chronicle=chronicle)
    edition(chronicle, 1)
    last = edition(chronicle, 2)
    counted = Chronicle.objects.with_counts().get()
    assert (counted.entry_count, counted.edition_count) == (3, 2)
    assert counted.last_published_at == last.published_at
