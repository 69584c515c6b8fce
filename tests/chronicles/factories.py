import datetime

import factory

from chronicles.models import Chronicle, ChronicleEntry
from tests.factories import EventFactory


class ChronicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chronicle
        django_get_or_create = ("year",)

    year = 2022
    title = factory.LazyAttribute(lambda chronicle: f"{chronicle.year}年工会工作大事记")


class PublishedEventFactory(EventFactory):
    published = True


class ChronicleEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChronicleEntry

    chronicle = factory.SubFactory(ChronicleFactory)
    event = factory.SubFactory(
        PublishedEventFactory,
        date_start=factory.LazyAttribute(
            lambda event: datetime.date(event.factory_parent.chronicle.year, 4, 27)
        ),
        date_end=None,
        date_text="",
    )
    position = 0
