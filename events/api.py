"""The REST API for consumers, in the shapes of CONTRACT.md.

Anonymous readers see published events, and only the metrics, organisations and sources
those events reach. Members of the editorial roles also see drafts and rejected events
(``status=draft|published|rejected|all``) and write with the admin's rules: the same
model permissions, and publishing only for those who may publish.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, ProtectedError, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from events import services
from events.filters import (
    EventFilterSet,
    IdFilter,
    StrictBooleanFilter,
    UtcIsoDateTimeField,
    YearFilter,
)
from events.models import (
    Event,
    EventStatus,
    Metric,
    Organisation,
    OrganisationLevel,
    Provenance,
)
from events.renderers import EventCSVRenderer, EventICalendarRenderer
from events.serializers import (
    ChangeSerializer,
    EventSerializer,
    EventWriteSerializer,
    MetricSerializer,
    OrganisationSerializer,
    SourceDetailSerializer,
    SourceSerializer,
)
from events.timeline import timeline_json
from sources.models import Source
from unionarchive.pagination import Pagination

# Every answer an operation can give besides its success, so the schema tells the truth
# (tests/test_api_fuzz.py holds every answer to it).
ERRORS = {
    400: OpenApiResponse(description="A parameter or field is invalid; the body names it."),
    401: OpenApiResponse(
        description="The token given is not valid, or a write came without credentials."
    ),
    403: OpenApiResponse(
        description="The role may not do this, or an anonymous reader asked for "
        "unpublished events (``status``)."
    ),
    404: OpenApiResponse(description="No such object, or a page past the end."),
    429: OpenApiResponse(description="Too many anonymous requests; wait and retry."),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def is_editorial(user) -> bool:
    """Members of the editorial roles (只读, 编辑, 主编) see unpublished events too."""
    return bool(user and user.is_authenticated and user.has_perm("events.view_event"))


class ReadOrModelPermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs the model permission the admin asks for too."""


def visible_events(request, *, listing: bool):
    """The events this request may see, before filters.

    Editors' lists hold published events unless ``status`` asks for others; one event, by
    its id, editors see whatever its status.
    """
    events = Event.objects.current()
    wanted = request.query_params.get("status")
    if not is_editorial(request.user):
        if wanted not in (None, "", EventStatus.PUBLISHED):
            raise exceptions.PermissionDenied(
                {"status": [_("Only editors may ask for unpublished events.")]}
            )
        return events.filter(status=EventStatus.PUBLISHED)
    if listing and not wanted:
        return events.filter(status=EventStatus.PUBLISHED)
    return events


def with_contract_relations(events):
    return events.select_related("category").prefetch_related(
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


@extend_schema(tags=["events"], responses={200: EventSerializer, **ERRORS})
@extend_schema_view(
    create=extend_schema(responses={201: EventSerializer, **ERRORS}),
    destroy=extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="A yearly chronicle holds the event."),
            **ERRORS,
        }
    ),
)
class EventViewSet(viewsets.ModelViewSet):
    """Dated events with their provenance, metrics and organisations."""

    # Writes carry nested sources and lists: JSON only, not form encodings that cannot.
    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"
    filterset_class = EventFilterSet
    pagination_class = Pagination
    permission_classes = [ReadOrModelPermissions]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        listing = self.action in ("list", "timeline")
        events = with_contract_relations(visible_events(self.request, listing=listing))
        return events.order_by("date_start", "id")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return EventWriteSerializer
        return EventSerializer

    def get_renderers(self):
        renderers = super().get_renderers()
        # No action: a method this endpoint does not offer, which answers 405 whatever
        # ``format`` asked for (content negotiation runs first and would answer 404).
        if self.action in ("list", "retrieve", None):
            renderers += [EventCSVRenderer(), EventICalendarRenderer()]
        return renderers

    def paginate_queryset(self, queryset):
        # A spreadsheet or a calendar subscription wants every matching event, not page 1.
        if self.request.accepted_renderer.format in ("csv", "ics"):
            return None
        return super().paginate_queryset(queryset)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        fmt = getattr(getattr(request, "accepted_renderer", None), "format", None)
        if response.status_code == 200 and fmt in ("csv", "ics"):
            response["Content-Disposition"] = f'attachment; filename="events.{fmt}"'
        return response

    @extend_schema(
        tags=["events"],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        description="The filtered events as Knight Lab TimelineJS3 JSON, loaded unchanged.",
    )
    def timeline(self, request):
        events = self.filter_queryset(self.get_queryset())
        return Response(timeline_json(EventSerializer(events, many=True).data))

    def perform_update(self, serializer):
        services.event_note_edits(
            event=serializer.instance, fields=serializer.validated_data.keys()
        )
        serializer.save()

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:
            raise Conflict(
                _("A yearly chronicle holds this event: take it out of the chronicle first.")
            ) from None

    def create(self, request, *args, **kwargs):
        writer = self.get_serializer(data=request.data)
        writer.is_valid(raise_exception=True)
        event = writer.save()
        shape = EventSerializer(self._fresh(event), context=self.get_serializer_context()).data
        return Response(shape, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            # Read, change and write under the row's lock: a load rewriting the event waits
            # or is waited for, and the fields this request does not change keep its values.
            event = Event.objects.select_for_update().get(pk=self.get_object().pk)
            writer = self.get_serializer(event, data=request.data, partial=partial)
            writer.is_valid(raise_exception=True)
            self.perform_update(writer)
        shape = EventSerializer(self._fresh(writer.instance), context=self.get_serializer_context())
        return Response(shape.data)

    def _fresh(self, event):
        return with_contract_relations(Event.objects.filter(pk=event.pk)).get()

    def _decide(self, service):
        if not self.request.user.has_perm("events.publish_event"):
            raise exceptions.PermissionDenied(_("Publishing and rejecting is for 主编."))
        event = self.get_object()
        try:
            service(event=event, by=self.request.user)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"status": exc.messages}) from None
        return Response(
            EventSerializer(self._fresh(event), context=self.get_serializer_context()).data
        )

    @extend_schema(request=None, responses={200: EventSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._decide(services.event_publish)

    @extend_schema(request=None, responses={200: EventSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(services.event_reject)


class MetricFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter()
    label = django_filters.CharFilter(lookup_expr="icontains")
    value_min = django_filters.NumberFilter(field_name="value", lookup_expr="gte")
    value_max = django_filters.NumberFilter(field_name="value", lookup_expr="lte")
    source = IdFilter(field_name="source")
    event = IdFilter(field_name="event")
    year = YearFilter(method="filter_year")
    status = django_filters.ChoiceFilter(
        choices=[*EventStatus.choices, ("all", _("all"))], method="filter_status"
    )

    class Meta:
        model = Metric
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(as_of__year=value) | Q(event__date_start__year=value))

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(event__status=value)


@extend_schema(tags=["metrics"], responses={200: MetricSerializer, **ERRORS})
class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """Numeric facts, fully expanded, tied to an event and a source span."""

    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    pagination_class = Pagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        metrics = Metric.objects.order_by("id")
        editorial = is_editorial(self.request.user)
        # As with events: editors' lists hold published events' metrics unless ``status``
        # asks for others; one metric, by its id, editors see whatever its event's status.
        if editorial and (self.request.query_params.get("status") or self.action == "retrieve"):
            return metrics
        if self.request.query_params.get("status") not in (None, "", EventStatus.PUBLISHED):
            raise exceptions.PermissionDenied(
                {"status": [_("Only editors may ask for unpublished events.")]}
            )
        return metrics.filter(event__in=Event.objects.published())


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("name or alias contains"))
    level = django_filters.ChoiceFilter(choices=OrganisationLevel.choices)
    confirmed = StrictBooleanFilter()

    class Meta:
        model = Organisation
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(aliases__name__icontains=value)
        ).distinct()


@extend_schema(tags=["organisations"], responses={200: OrganisationSerializer, **ERRORS})
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The bodies that act, with their aliases."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    pagination_class = Pagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        editorial = is_editorial(self.request.user)
        counted = Q(events__merged_into__isnull=True)
        if not editorial:
            counted &= Q(events__status=EventStatus.PUBLISHED)
        organisations = Organisation.objects.annotate(
            event_count=Count("events", filter=counted, distinct=True)
        )
        if not editorial:
            organisations = organisations.filter(
                pk__in=Event.objects.published().values("organisations")
            )
        return organisations.prefetch_related("aliases").order_by("name")


@extend_schema(tags=["sources"], responses={200: SourceSerializer, **ERRORS})
class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """The documents; the detail adds the normalised text that offsets point into."""

    pagination_class = Pagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        sources = Source.objects.order_by("id")
        if not is_editorial(self.request.user):
            sources = sources.filter(
                pk__in=Provenance.objects.filter(event__in=Event.objects.published()).values(
                    "source"
                )
            )
        return sources if self.action == "retrieve" else sources.without_text()

    def get_serializer_class(self):
        return SourceDetailSerializer if self.action == "retrieve" else SourceSerializer


class ChangesView(APIView):
    """Events that left the public archive since a moment: unpublished, merged into another
    (with its id) or deleted — what a mirror needs beyond ``updated_since``."""

    @extend_schema(
        tags=["events"],
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, required=True, description="ISO 8601 moment"
            )
        ],
        responses={200: ChangeSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        field = UtcIsoDateTimeField()
        raw = request.query_params.get("since")
        if not raw:
            raise exceptions.ValidationError({"since": [_("Give a moment in ISO 8601.")]})
        try:
            since = field.clean(raw)
        except DjangoValidationError:
            raise exceptions.ValidationError(
                {"since": [_("“%(value)s” is not an ISO 8601 moment.") % {"value": raw}]}
            ) from None
        return Response(ChangeSerializer(services.changes_since(since), many=True).data)
