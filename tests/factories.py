import datetime
import hashlib

import factory
from django.utils import timezone

from events.models import Category, Event, EventStatus, Metric, Organisation, Provenance
from sources.models import Source

SOURCE_TEXT = (
    "2022年4月27日至29日，首届大国工匠创新交流大会在深圳举办，展示总面积约1.8万平方米。"
    "2022年7月盛夏，第十一届金砖国家工会论坛在北京举行。"
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"2022年工会工作大事记 {n}")
    kind = "chronicle"
    file_name = factory.Sequence(lambda n: f"{n:03d}_source.txt")
    raw_text = SOURCE_TEXT
    text = SOURCE_TEXT
    sha256 = factory.LazyAttributeSequence(
        lambda source, n: hashlib.sha256(f"{source.raw_text}{n}".encode()).hexdigest()
    )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"类别{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"第{n}区总工会")
    slug = factory.Sequence(lambda n: f"union-{n}")
    level = "county"


class EventFactory(factory.django.DjangoModelFactory):
    """An event with one provenance record quoting the start of its source."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"首届大国工匠创新交流大会举办（{n}）")
    date_start = datetime.date(2022, 4, 27)
    date_end = datetime.date(2022, 4, 29)
    date_precision = "day"
    date_text = "2022年4月27日至29日"
    confidence = 0.8

    class Params:
        published = factory.Trait(
            status=EventStatus.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def provenance(event, create, extracted, **kwargs):
        if not create:
            return
        source = extracted or SourceFactory()
        excerpt = source.text[:20]
        Provenance.objects.create(event=event, source=source, excerpt=excerpt, start=0, end=20)


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    source = factory.SubFactory(SourceFactory)
    text = "1.8万平方米"
    value = 18000
    unit = "平方米"
    qualifier = "约"
    label = "展示总面积"
    start = factory.LazyAttribute(lambda metric: metric.source.text.index(metric.text))
    end = factory.LazyAttribute(lambda metric: metric.start + len(metric.text))
