"""Read-only API views over the contract's shapes. Anonymous readers see what is published:
events, and only the metrics, organisations and sources those events reach."""

from django.db.models import Count, Prefetch, Q
from rest_framework import viewsets

from events.models import Event, EventStatus, Metric, Organisation, Provenance
from events.serializers import (
    EventSerializer,
    MetricSerializer,
    OrganisationSerializer,
    SourceDetailSerializer,
    SourceSerializer,
)
from sources.models import Source

PUBLISHED = Q(status=EventStatus.PUBLISHED)


def event_list_queryset():
    return (
        Event.objects.published()
        .select_related("category")
        .prefetch_related(
            "tags",
            "organisations",
            "metrics",
            Prefetch(
                "provenances",
                queryset=Provenance.objects.select_related("source").defer(
                    "source__raw_text", "source__text", "source__report"
                ),
            ),
        )
    )


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer

    def get_queryset(self):
        return event_list_queryset().order_by("date_start", "id")


class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MetricSerializer

    def get_queryset(self):
        return Metric.objects.filter(event__status=EventStatus.PUBLISHED).order_by("id")


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return (
            Organisation.objects.filter(events__status=EventStatus.PUBLISHED)
            .annotate(
                event_count=Count("events", filter=Q(events__status="published"), distinct=True)
            )
            .prefetch_related("aliases")
            .order_by("name")
        )


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        sources = Source.objects.filter(
            pk__in=Provenance.objects.filter(event__status=EventStatus.PUBLISHED).values("source")
        ).order_by("id")
        return sources if self.action == "retrieve" else sources.without_text()

    def get_serializer_class(self):
        return SourceDetailSerializer if self.action == "retrieve" else SourceSerializer
