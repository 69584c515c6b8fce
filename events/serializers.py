"""The JSON shapes of CONTRACT.md, shared by the API and ``export_archive``.

Names here are a promise to consumers: add fields freely, never rename or remove one.
Empty text fields of the models come out as null where the contract says "or null".
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from events.models import (
    Category,
    DatePrecision,
    Event,
    Metric,
    Organisation,
    Provenance,
    Tag,
)
from events.search import search_index_update, snippet
from sources.models import Source


def decimal_text(value: Decimal) -> str:
    """Exact and fully expanded: 8486000000, 82.84, never 8.486E+9 or 82.840000."""
    return format(value.normalize(), "f")


class NullIfBlankCharField(serializers.CharField):
    """An empty text comes out as null, and the schema says it may."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


class MetricSerializer(serializers.ModelSerializer):
    value = serializers.SerializerMethodField()
    qualifier = NullIfBlankCharField()
    unit = NullIfBlankCharField()
    label = NullIfBlankCharField()

    class Meta:
        model = Metric
        fields = [
            "id",
            "text",
            "value",
            "unit",
            "qualifier",
            "label",
            "as_of",
            "event",
            "source",
            "start",
            "end",
        ]

    def get_value(self, metric) -> str:
        return decimal_text(metric.value)


class EventMetricSerializer(MetricSerializer):
    """A metric inside its event: the event is implied."""

    class Meta(MetricSerializer.Meta):
        fields = [name for name in MetricSerializer.Meta.fields if name != "event"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]


class ProvenanceSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="source.id")
    title = serializers.CharField(source="source.title")
    sha256 = serializers.CharField(source="source.sha256")

    class Meta:
        model = Provenance
        fields = ["id", "title", "sha256", "excerpt", "start", "end"]


class EventSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    date_precision = NullIfBlankCharField()
    place = NullIfBlankCharField()
    category = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    organisations = OrganisationRefSerializer(many=True, read_only=True)
    metrics = EventMetricSerializer(many=True, read_only=True)
    sources = ProvenanceSerializer(source="provenances", many=True, read_only=True)
    # Search: a highlighted passage when the list was asked for with ``q``, else null.
    search_snippet = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "public_url",
            "title",
            "summary",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "kind",
            "place",
            "category",
            "tags",
            "organisations",
            "metrics",
            "sources",
            "status",
            "confidence",
            "created_at",
            "updated_at",
            "search_snippet",
        ]

    def get_url(self, event) -> str:
        path = reverse("api:event-detail", args=[event.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_public_url(self, event) -> str:
        return reverse("events:event-detail", args=[event.pk])

    def get_category(self, event) -> dict | None:
        if event.category is None:
            return None
        return {"slug": event.category.slug, "name": event.category.name}

    def get_search_snippet(self, event) -> str | None:
        request = self.context.get("request")
        query = request.query_params.get("q", "").strip() if request is not None else ""
        return str(snippet(event, query)) if query else None


class OrganisationSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    event_count = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "level", "aliases", "confirmed", "event_count"]

    def get_event_count(self, organisation) -> int:
        counted = getattr(organisation, "event_count", None)
        return counted if counted is not None else organisation.events.count()


class SourceSerializer(serializers.ModelSerializer):
    published_precision = NullIfBlankCharField()
    publisher = NullIfBlankCharField()
    origin = NullIfBlankCharField()
    url = NullIfBlankCharField()

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "publisher",
            "reporters",
            "published",
            "published_precision",
            "origin",
            "url",
            "kind",
            "file_name",
            "sha256",
            "loaded_at",
        ]


class SourceDetailSerializer(SourceSerializer):
    """The detail view and the export add the normalised text that offsets point into."""

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]


class SourceSpanSerializer(serializers.Serializer):
    """Where a source tells the event: the excerpt is taken from its text."""

    id = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": _("The end comes after the start.")})
        if data["end"] > len(data["id"].text):
            raise serializers.ValidationError(
                {"end": _("The source's text has only %(length)d characters.")
                 % {"length": len(data["id"].text)}}
            )  # fmt: skip
        return data


class SlugReferenceField(serializers.SlugRelatedField):
    """A slug naming a record; one with a NUL character names none (and PostgreSQL could
    not even look it up)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class EventWriteSerializer(serializers.ModelSerializer):
    """What editors may write through the API; the answer is an EventSerializer shape."""

    date_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, allow_null=True, required=False
    )
    category = SlugReferenceField(
        slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False
    )
    organisations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(), required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, allow_empty=True
    )
    sources = SourceSpanSerializer(many=True, write_only=True, required=False)

    class Meta:
        model = Event
        fields = [
            "title",
            "summary",
            "body",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "kind",
            "place",
            "category",
            "organisations",
            "tags",
            "sources",
        ]

    def validate_date_precision(self, value):
        return value or ""

    def validate(self, data):
        if self.instance is None and not data.get("sources"):
            raise serializers.ValidationError(
                {"sources": _("An event needs at least one source telling it.")}
            )
        candidate = Event(
            **{
                name: data.get(name, getattr(self.instance, name, None))
                for name in ("title", "date_start", "date_end", "date_precision")
            }
        )
        candidate.date_precision = candidate.date_precision or ""
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return data

    @transaction.atomic
    def create(self, validated_data):
        spans = validated_data.pop("sources")
        organisations = validated_data.pop("organisations", [])
        tags = validated_data.pop("tags", [])
        event = Event.objects.create(**validated_data)
        event.organisations.set(organisations)
        event.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        for span in spans:
            source = span["id"]
            Provenance.objects.create(
                event=event,
                source=source,
                excerpt=source.text[span["start"] : span["end"]],
                start=span["start"],
                end=span["end"],
            )
        search_index_update(events=[event])  # Search index: the new event.
        return event

    @transaction.atomic
    def update(self, instance, validated_data):
        validated_data.pop("sources", None)
        tags = validated_data.pop("tags", None)
        event = super().update(instance, validated_data)
        if tags is not None:
            event.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        search_index_update(events=[event])  # Search index: the changed event.
        return event


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    change = serializers.ChoiceField(choices=["unpublished", "merged", "deleted"])
    merged_into = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
