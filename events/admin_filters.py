"""List filters of the review queue."""

from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from events.models import Event
from sources.models import Source


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Event.objects.filter(date_start__isnull=False)
            .annotate(year=ExtractYear("date_start"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.in_year(int(self.value()))
        return queryset


class MonthFilter(admin.SimpleListFilter):
    title = _("month")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        return [(str(month), _("%(month)d月") % {"month": month}) for month in range(1, 13)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and 1 <= int(value) <= 12:
            return queryset.filter(date_start__month=int(value))
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(str(s.pk), s.title) for s in Source.objects.current().without_text()]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(provenances__source=int(self.value())).distinct()
        return queryset


class DatedFilter(admin.SimpleListFilter):
    title = _("date")
    parameter_name = "dated"

    def lookups(self, request, model_admin):
        return [("no", _("no date")), ("yes", _("dated"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(date_start__isnull=True)
        if self.value() == "yes":
            return queryset.filter(date_start__isnull=False)
        return queryset


class MergedFilter(admin.SimpleListFilter):
    """Merged-away events are hidden unless asked for: they live on only for undoing."""

    title = _("merged")
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("yes", _("merged into another event")), ("all", _("all"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(merged_into__isnull=True)
