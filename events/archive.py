"""The archive export of CONTRACT.md: every source, organisation, event and metric, in
the API's shapes, with every status, sorted so that two exports of one database differ only
in ``exported_at``."""

import json
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone

from events.models import Event, Metric, Organisation, Provenance
from events.serializers import (
    EventSerializer,
    MetricSerializer,
    OrganisationSerializer,
    SourceDetailSerializer,
)
from sources.models import Source

ARCHIVE_VERSION = 1


def archive_build() -> dict[str, Any]:
    events = (
        Event.objects.select_related("category")
        .prefetch_related(
            "tags",
            "organisations",
            Prefetch("metrics", queryset=Metric.objects.order_by("id")),
            Prefetch(
                "provenances",
                queryset=Provenance.objects.select_related("source")
                .defer("source__raw_text", "source__text", "source__report")
                .order_by("source_id", "start", "id"),
            ),
        )
        .order_by("id")
    )
    organisations = (
        Organisation.objects.annotate(event_count=Count("events", distinct=True))
        .prefetch_related("aliases")
        .order_by("id")
    )
    return {
        "version": ARCHIVE_VERSION,
        "exported_at": timezone.now().isoformat(),
        "sources": SourceDetailSerializer(Source.objects.order_by("id"), many=True).data,
        "organisations": OrganisationSerializer(organisations, many=True).data,
        "events": EventSerializer(events, many=True).data,
        "metrics": MetricSerializer(Metric.objects.order_by("id"), many=True).data,
    }


def archive_dumps(archive: dict[str, Any]) -> str:
    return json.dumps(archive, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
