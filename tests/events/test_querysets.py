import datetime

import pytest

from events.models import Event, Organisation, OrganisationAlias
from tests.factories import EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_published_excludes_drafts_and_rejected():
    published = EventFactory(published=True)
    EventFactory()
    EventFactory(status="rejected")
    assert list(Event.objects.published()) == [published]


def test_in_year_takes_every_event_whose_period_touches_the_year():
    inside = EventFactory(date_start=day("2022-06-21"), date_end=day("2022-12-31"))
    across = EventFactory(date_start=day("2022-09-01"), date_end=day("2023-09-30"))
    before = EventFactory(date_start=day("2021-05-01"), date_end=None, date_precision="month")
    assert set(Event.objects.in_year(2022)) == {inside, across}
    assert set(Event.objects.in_year(2023)) == {across}
    assert set(Event.objects.in_year(2021)) == {before}


def test_chronological_puts_undated_events_last():
    undated = EventFactory()
    Event.objects.filter(pk=undated.pk).update(date_start=None, date_end=None, date_precision="")
    early = EventFactory(date_start=day("2022-01-05"), date_end=None)
    late = EventFactory(date_start=day("2022-11-10"), date_end=None)
    assert list(Event.objects.chronological()) == [early, late, undated]


def test_an_organisation_is_found_by_its_name_or_any_alias():
    acftu = OrganisationFactory(name="中华全国总工会", slug="acftu")
    OrganisationAlias.objects.create(organisation=acftu, name="全国总工会")
    OrganisationAlias.objects.create(organisation=acftu, name="全总")
    OrganisationFactory(name="北京市总工会")
    for name in ("中华全国总工会", "全国总工会", "全总"):
        assert list(Organisation.objects.named(name)) == [acftu]
    assert not Organisation.objects.named("全").exists()


def test_with_relations_loads_a_list_in_constant_queries(django_assert_num_queries):
    for _ in range(3):
        EventFactory().organisations.add(OrganisationFactory())

    def load():
        return [
            (e.category, list(e.organisations.all()), list(e.provenances.all()))
            for e in Event.objects.with_relations()
        ]

    with django_assert_num_queries(6):
        load()
    for _ in range(5):
        EventFactory().organisations.add(OrganisationFactory())
    with django_assert_num_queries(6):
        assert len(load()) == 8
