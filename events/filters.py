"""One FilterSet for the event lists of the API and the public pages.

Bad values answer 400 with the parameter named (django-filter's form errors), never 500.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from events.models import Category, DatePrecision, Event, EventKind, EventStatus, Organisation
from events.search import events_search


def period_start_covering(day: datetime.date, precision: str) -> datetime.date:
    """The earliest start of a ``precision`` period that still covers ``day``.

    Periods start on their first day (CONTRACT.md), so a month-precision event covers
    2022-07-15 exactly when it starts on or after 2022-07-01.
    """
    if precision == DatePrecision.XUN:
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.SEASON:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    return day


def ends_on_or_after(day: datetime.date) -> Q:
    """Events whose stated period reaches ``day`` or later."""
    open_periods = Q()
    for precision in DatePrecision.values:
        open_periods |= Q(
            date_precision=precision, date_start__gte=period_start_covering(day, precision)
        )
    return Q(date_end__gte=day) | Q(date_end__isnull=True) & open_periods


def organisation_lookup(value: str) -> Organisation | None:
    """An organisation by id, slug, canonical name or any alias (全总 → 中华全国总工会)."""
    if value.isdigit():
        return Organisation.objects.filter(pk=int(value)).first()
    return (
        Organisation.objects.filter(slug=value).first() or Organisation.objects.named(value).first()
    )


class OrganisationField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        organisation = organisation_lookup(value)
        if organisation is None:
            raise forms.ValidationError(
                _("No organisation is called “%(value)s”."),
                code="unknown_organisation",
                params={"value": value},
            )
        return organisation


@extend_schema_field(OpenApiTypes.STR)
class OrganisationFilter(django_filters.Filter):
    field_class = OrganisationField

    def filter(self, queryset, value):
        return queryset if value is None else queryset.filter(organisations=value)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, handed on in UTC.

    Python reads offsets up to ±23:59 (``+20:06``) that PostgreSQL refuses, and a moment
    whose UTC falls before year 1 cannot be held at all: the first is converted, the
    second is a 400 rather than an error inside the database.
    """

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                _("“%(value)s” is out of range."), code="out_of_range", params={"value": value}
            ) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``, as OpenAPI writes a boolean; anything else is a 400.

    django-filter's BooleanFilter reads any other word as "not given" and filters nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args,
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            **kwargs,
        )


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(IntegerFilter):
    """A year of the calendar; the schema carries the bounds the form enforces."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


# The largest id either database can hold (a signed 64-bit integer): a bigger number is a
# 400, not an overflow inside the database driver.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(IntegerFilter):
    """A database id: 1 to MAX_ID, as the schema says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class EventFilterSet(django_filters.FilterSet):
    year = YearFilter(
        method="filter_year",
        label=_("year the event's period touches"),
    )
    date_after = django_filters.DateFilter(
        method="filter_date_after", label=_("periods reaching this day or later (YYYY-MM-DD)")
    )
    date_before = django_filters.DateFilter(
        method="filter_date_before", label=_("periods starting on or before this day")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", label=_("category slug")
    )
    organisation = OrganisationFilter(
        field_name="organisation", label=_("organisation id, slug, name or alias")
    )
    source = IdFilter(field_name="provenances__source", distinct=True, label=_("source id"))
    place = django_filters.CharFilter(field_name="place", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    status = django_filters.ChoiceFilter(
        choices=[*EventStatus.choices, ("all", _("all"))],
        method="filter_status",
        label=_("status (editors only)"),
    )
    # A search is a few words; a bound keeps a pasted page from becoming a query of
    # thousands of lookups.
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, label=_("words that must all appear")
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("changed at or after (ISO 8601)")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("date_start", "date_start"), ("updated_at", "updated_at"), ("id", "id"))
    )

    class Meta:
        model = Event
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.in_year(value)

    def filter_date_after(self, queryset, name, value):
        return queryset.filter(ends_on_or_after(value))

    def filter_date_before(self, queryset, name, value):
        return queryset.filter(date_start__lte=value)

    def filter_status(self, queryset, name, value):
        # Who may ask for which status is the view's decision; here only the filtering.
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_q(self, queryset, name, value):
        # Search: the full-text service (events/search.py), ranked best first.
        return events_search(events=queryset, query=value)
