"""The database itself refuses inconsistent rows, on SQLite and PostgreSQL alike.

Each case writes through the ORM's queryset ``update``/``create`` (no ``full_clean``), so the
refusal can only come from a check constraint, a unique index or a span trigger.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from events.models import Event, Metric, Organisation, OrganisationAlias, Provenance
from sources.models import Source
from tests.factories import EventFactory, MetricFactory, OrganisationFactory, SourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 6, 21)


def refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"date_end": DAY - datetime.timedelta(days=1)}, id="end-before-start"),
        pytest.param({"date_precision": ""}, id="date-without-precision"),
        pytest.param({"date_start": None}, id="end-and-precision-without-start"),
        pytest.param({"date_precision": "week"}, id="unknown-precision"),
        pytest.param({"kind": "rumoured"}, id="unknown-kind"),
        pytest.param({"status": "archived"}, id="unknown-status"),
        pytest.param({"status": "published", "published_at": None}, id="published-without-time"),
        pytest.param({"confidence": 1.5}, id="confidence-above-1"),
        pytest.param({"confidence": -0.1}, id="confidence-below-0"),
        pytest.param({"title": ""}, id="empty-title"),
    ],
)
def test_event_constraints_refuse_inconsistent_rows(changes):
    event = EventFactory(date_start=DAY, date_end=DAY, date_precision="xun")
    refused(lambda: Event.objects.filter(pk=event.pk).update(**changes))


def test_event_without_any_date_is_allowed():
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(date_start=None, date_end=None, date_precision="")
    assert Event.objects.undated().get() == event


def test_event_single_day_range_is_allowed():
    event = EventFactory(date_start=DAY, date_end=DAY)
    assert Event.objects.get(pk=event.pk).date_end == DAY


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"kind": "novel"}, id="unknown-kind"),
        pytest.param({"published_precision": "xun"}, id="unknown-precision"),
        pytest.param({"published_precision": ""}, id="date-without-precision"),
        pytest.param({"published": None}, id="precision-without-date"),
        pytest.param({"sha256": "abc"}, id="short-sha256"),
        pytest.param({"title": ""}, id="empty-title"),
    ],
)
def test_source_constraints_refuse_inconsistent_rows(changes):
    source = SourceFactory(published=DAY, published_precision="day")
    refused(lambda: Source.objects.filter(pk=source.pk).update(**changes))


def test_the_same_document_cannot_be_loaded_twice():
    source = SourceFactory()
    refused(lambda: SourceFactory(sha256=source.sha256))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"level": "galactic"}, id="unknown-level"),
        pytest.param({"name": ""}, id="empty-name"),
    ],
)
def test_organisation_constraints_refuse_inconsistent_rows(changes):
    organisation = OrganisationFactory()
    refused(lambda: Organisation.objects.filter(pk=organisation.pk).update(**changes))


def test_organisation_cannot_be_its_own_parent():
    organisation = OrganisationFactory()
    refused(lambda: Organisation.objects.filter(pk=organisation.pk).update(parent=organisation))


def test_an_alias_names_only_one_organisation():
    first, second = OrganisationFactory(), OrganisationFactory()
    OrganisationAlias.objects.create(organisation=first, name="全总")
    refused(lambda: OrganisationAlias.objects.create(organisation=second, name="全总"))


class TestSpans:
    """Offsets point into the source's normalised text and quote it exactly."""

    def test_provenance_quoting_its_source_is_stored(self):
        source = SourceFactory()
        event = EventFactory(provenance=source)
        start = source.text.index("第十一届")
        excerpt = source.text[start : start + 12]
        Provenance.objects.create(
            event=event, source=source, excerpt=excerpt, start=start, end=start + 12
        )
        assert event.provenances.count() == 2

    @pytest.mark.parametrize(
        ("start", "end", "excerpt"),
        [
            pytest.param(5, 3, "", id="end-before-start"),
            pytest.param(0, 5, "2022年4月27日", id="excerpt-longer-than-span"),
            pytest.param(0, 5, "2023年", id="excerpt-is-not-the-text-there"),
            pytest.param(100, 102, "举行", id="span-beyond-the-text"),
        ],
    )
    def test_provenance_span_must_quote_its_source(self, start, end, excerpt):
        event = EventFactory()
        source = event.provenances.get().source
        refused(
            lambda: Provenance.objects.create(
                event=event, source=source, excerpt=excerpt, start=start, end=end
            )
        )

    def test_moving_a_provenance_span_is_checked_too(self):
        provenance = EventFactory().provenances.get()
        refused(lambda: Provenance.objects.filter(pk=provenance.pk).update(start=1, end=21))

    def test_metric_span_must_quote_its_source(self):
        metric = MetricFactory()
        refused(
            lambda: Metric.objects.filter(pk=metric.pk).update(
                start=metric.start + 1, end=metric.end + 1
            )
        )

    def test_metric_span_is_unique_in_its_source(self):
        metric = MetricFactory()
        refused(lambda: MetricFactory(source=metric.source))

    def test_source_text_cannot_change_under_its_spans(self):
        source = EventFactory().provenances.get().source
        refused(lambda: Source.objects.filter(pk=source.pk).update(text="完全不同的文字" * 20))

    def test_source_text_may_change_where_no_span_points(self):
        source = EventFactory().provenances.get().source
        Source.objects.filter(pk=source.pk).update(text=source.text + "补充的一段。")
        assert Source.objects.get(pk=source.pk).text.endswith("补充的一段。")

    def test_offsets_count_characters_not_bytes(self):
        source = SourceFactory(text="工会😀工会论坛", raw_text="工会😀工会论坛")
        event = EventFactory(provenance=SourceFactory())
        Provenance.objects.create(event=event, source=source, excerpt="工会论坛", start=3, end=7)
        assert Provenance.objects.filter(source=source).get().excerpt == "工会论坛"
