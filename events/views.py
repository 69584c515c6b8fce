"""The public site: thin views over published events, organisations and sources.

Every read starts from ``Event.objects.published()`` (which leaves out drafts, rejected and
merged events), so nothing unpublished reaches a list, a count, a chart or a highlight.
The timeline filters are ``EventFilterSet``'s, the same as the API's; the page adds only
``month``, which it turns into the FilterSet's ``date_after`` / ``date_before``.
"""

import calendar
import datetime
import itertools
import json
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import ExtractYear
from django.http import Http404, QueryDict
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from events.extraction.dates import date_text_zh
from events.filters import EventFilterSet
from events.models import (
    Category,
    DatePrecision,
    Event,
    EventKind,
    Organisation,
    OrganisationAlias,
    Provenance,
)
from sources.models import Source
from unionarchive.pagination import WindowCountPaginator

PAGE_SIZE = 50
# Query parameters of the API that the public pages never pass on: readers see published
# events only, in chronological order.
PRIVATE_PARAMETERS = ("status", "ordering", "updated_since", "page", "page_size", "format")
MONTHS = range(1, 13)


def with_chinese_dates(events):
    """Give each event ``date_zh``: its period in the Chinese form with its precision."""
    for event in events:
        event.date_zh = date_text_zh(event.date_start, event.date_end, event.date_precision or None)
    return events


def list_relations(events):
    """What an event list shows, in a constant number of queries."""
    return events.select_related("category").prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.only("name", "slug"))
    )


def month_label(month: int | None) -> str:
    # Month names in the Chinese form of the dates, like date_text_zh writes them.
    return f"{month}月" if month else "全年"


def grouped_by_year_and_month(events) -> list[dict]:
    """[{year, months: [{month, label, events}]}] in the order given; undated last (year None).

    Events dated only by the year go under 全年 of their year.
    """
    groups: list[dict] = []
    for event in events:
        year = event.date_start.year if event.date_start else None
        month = (
            event.date_start.month
            if event.date_start and event.date_precision != DatePrecision.YEAR
            else None
        )
        if not groups or groups[-1]["year"] != year:
            groups.append({"year": year, "months": []})
        months = groups[-1]["months"]
        if not months or months[-1]["month"] != month:
            months.append({"month": month, "label": month_label(month), "events": []})
        months[-1]["events"].append(event)
    return groups


def reader_filter_data(params: QueryDict) -> tuple[QueryDict, dict[str, str]]:
    """The query parameters as EventFilterSet data, and the errors of the page's own ones.

    ``month`` needs ``year`` and becomes the period from the month's first to its last day
    (events whose period overlaps it, as the API's ``date_after`` / ``date_before``).
    """
    data = params.copy()
    for name in PRIVATE_PARAMETERS:
        data.pop(name, None)
    errors = {}
    month = data.pop("month", [""])[-1].strip()
    if month:
        year = data.get("year", "").strip()
        if not (month.isdigit() and 1 <= int(month) <= 12):
            errors["month"] = _("Choose a month from 1 to 12.")
        elif not (year.isdigit() and 1 <= int(year) <= 9999):
            errors["month"] = _("A month needs a year.")
        else:
            year_number, month_number = int(year), int(month)
            last = calendar.monthrange(year_number, month_number)[1]
            data["date_after"] = datetime.date(year_number, month_number, 1).isoformat()
            data["date_before"] = datetime.date(year_number, month_number, last).isoformat()
    return data, errors


def filter_query(data: QueryDict) -> str:
    """The non-empty filters as a query string, for links that keep the reader's filters."""
    return urlencode([(key, value) for key, value in data.items() if value.strip()])


def json_for_script(data) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # Safe: the characters that could end the script element are escaped.
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class PublishedCountsMixin:
    """Counts of published events by year, for the home page and the timeline."""

    def year_counts(self, events) -> list[dict]:
        rows = (
            events.filter(date_start__isnull=False)
            .annotate(year=ExtractYear("date_start"))
            .values("year")
            .annotate(count=Count("id"))
            .order_by("year")
        )
        rows = bar_rows([(row["year"], row["count"]) for row in rows])
        for row in rows:
            row["label"] = f"{row['key']}年"
        return rows


def bar_rows(pairs) -> list[dict]:
    """(key, count) pairs with each bar's width as a percentage of the largest count."""
    pairs = list(pairs)
    largest = max((count for _key, count in pairs), default=0) or 1
    return [
        {"key": key, "count": count, "percent": round(count * 100 / largest)}
        for key, count in pairs
    ]


class HomeView(PublishedCountsMixin, TemplateView):
    """What the archive holds and the latest published events."""

    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Event.objects.published()
        context["event_count"] = published.count()
        context["years"] = self.year_counts(published)
        context["categories"] = (
            Category.objects.with_published_counts()
            .filter(published_count__gt=0)
            .order_by("position", "slug")
        )
        context["latest"] = with_chinese_dates(
            list_relations(published).order_by("-published_at", "-id")[:10]
        )
        return context


class EventListView(PublishedCountsMixin, ListView):
    """The timeline: published events by year and month, filtered through the URL."""

    template_name = "events/event_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = WindowCountPaginator
    context_object_name = "events"
    FILTER_NAMES = ("q", "year", "month", "category", "organisation", "source", "kind")

    def get(self, request, *args, **kwargs):
        data, self.page_errors = reader_filter_data(request.GET)
        self.filterset = EventFilterSet(data, queryset=Event.objects.published(), request=request)
        self.filter_data = data
        response = super().get(request, *args, **kwargs)
        if self.page_errors or not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if self.page_errors or not self.filterset.is_valid():
            return Event.objects.published().none()
        return list_relations(self.filterset.qs).chronological()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_chinese_dates(context["events"])
        errors = dict(self.page_errors)
        if self.filterset.is_bound and not self.filterset.is_valid():
            errors.update({name: " ".join(e) for name, e in self.filterset.errors.items()})
        params = self.request.GET
        year = self.filterset.form.cleaned_data.get("year") if not errors else None
        published = Event.objects.published()
        context.update(
            groups=grouped_by_year_and_month(context["events"]),
            errors=errors,
            selected={name: params.get(name, "") for name in self.FILTER_NAMES},
            filtered=any(params.get(name, "").strip() for name in self.FILTER_NAMES),
            year_choices=[d.year for d in published.dates("date_start", "year")],
            months=[(m, month_label(m)) for m in MONTHS],
            category_choices=Category.objects.filter(
                Exists(published.filter(category=OuterRef("pk")))
            ).order_by("position", "slug"),
            organisation_choices=Organisation.objects.filter(
                Exists(published.filter(organisations=OuterRef("pk")))
            )
            .only("name", "slug")
            .order_by("name"),
            source_choices=Source.objects.without_text()
            .filter(Exists(Provenance.objects.filter(source=OuterRef("pk"), event__in=published)))
            .only("title", "published")
            .order_by("-published", "title"),
            kind_choices=EventKind.choices,
            timeline_query=filter_query(self.filter_data),
            year=year,
        )
        if year and not errors:
            context["month_chart"] = self.month_counts(year)
            for row in context["month_chart"]:
                row["href"] = self.list_link(year=year, month=row["key"]) if row["key"] else ""
        elif not errors:
            context["year_chart"] = self.year_counts(published)
            for row in context["year_chart"]:
                row["href"] = self.list_link(year=row["key"], month=None)
        return context

    def list_link(self, **changes) -> str:
        """The timeline with the reader's filters and ``changes`` (None drops a filter)."""
        params = self.request.GET.copy()
        params.pop("page", None)
        for name, value in changes.items():
            params.pop(name, None)
            if value is not None:
                params[name] = str(value)
        return "?" + filter_query(params)

    def month_counts(self, year: int) -> list[dict]:
        """Events of the current filters (the month aside) per month of ``year``.

        An event counts in the month it starts; one that began the year before counts in
        January, and one dated by the year alone under 全年.
        """
        data = self.filter_data.copy()
        data.pop("date_after", None)
        data.pop("date_before", None)
        filterset = EventFilterSet(data, queryset=Event.objects.published(), request=self.request)
        counts: Counter = Counter()
        for start, precision in filterset.qs.values_list("date_start", "date_precision"):
            if precision == DatePrecision.YEAR:
                counts[None] += 1
            else:
                counts[start.month if start.year == year else 1] += 1
        rows = bar_rows([(month, counts[month]) for month in MONTHS])
        if counts[None]:
            rows += bar_rows([(None, counts[None])])
            largest = max(row["count"] for row in rows) or 1
            for row in rows:
                row["percent"] = round(row["count"] * 100 / largest)
        for row in rows:
            row["label"] = month_label(row["key"])
        return rows


class EventTimelineView(TemplateView):
    """The filtered events in Knight Lab's TimelineJS, fed by /api/timeline/."""

    template_name = "events/event_timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data, _errors = reader_filter_data(self.request.GET)
        query = filter_query(data)
        context["list_query"] = urlencode(
            [(k, v) for k, v in self.request.GET.items() if k != "page" and v.strip()]
        )
        context["timeline_config"] = {
            "source": reverse("api:timeline") + (f"?{query}" if query else ""),
            "script_path": static("vendor/timelinejs/js/"),
            "language": static("vendor/timelinejs/js/locale/zh-cn.json"),
            "empty": _("No published event matches these filters."),
            "failed": _("The timeline could not be loaded."),
        }
        return context


def event_json_ld(event: Event, url: str) -> dict:
    """schema.org/Event for search engines; dates to the precision the sources give."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if event.summary:
        data["description"] = event.summary
    if event.date_start:
        data["startDate"] = iso_to_precision(event.date_start, event.date_precision)
    if event.date_end:
        data["endDate"] = event.date_end.isoformat()
    if event.place:
        data["location"] = {"@type": "Place", "name": event.place}
    organisations = [{"@type": "Organization", "name": o.name} for o in event.organisations.all()]
    if organisations:
        data["organizer"] = organisations
    return data


def iso_to_precision(day: datetime.date, precision: str) -> str:
    """ISO 8601 with only the parts the precision states (2022, 2022-06, 2022-06-21)."""
    if precision == DatePrecision.YEAR:
        return f"{day.year:04d}"
    if precision in (DatePrecision.MONTH, DatePrecision.SEASON):
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


class EventDetailView(DetailView):
    """A published event; drafts and rejected events are not there for readers."""

    template_name = "events/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return (
            Event.objects.published()
            .select_related("category")
            .prefetch_related(
                "organisations",
                "metrics",
                Prefetch(
                    "provenances",
                    queryset=Provenance.objects.select_related("source")
                    .defer("source__raw_text", "source__text", "source__report")
                    .order_by("source__published", "source_id", "start"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        with_chinese_dates([event])
        # Several sources may state the same figure; the table shows it once.
        figures = {}
        for metric in event.metrics.all():
            figures.setdefault((metric.label, metric.qualifier, metric.text, metric.as_of), metric)
        context["metrics"] = list(figures.values())
        context["lead_in_body"] = bool(event.summary) and event.body.startswith(event.summary)
        url = self.request.build_absolute_uri(reverse("events:event-detail", args=[event.pk]))
        context["json_ld"] = json_for_script(event_json_ld(event, url))
        return context


class OrganisationDetailView(ListView):
    """An organisation that acts in published events: its names, level and events."""

    template_name = "events/organisation_detail.html"
    paginate_by = PAGE_SIZE
    context_object_name = "events"

    def get(self, request, *args, **kwargs):
        organisation = (
            Organisation.objects.filter(slug=kwargs["slug"])
            .filter(Exists(Event.objects.published().filter(organisations=OuterRef("pk"))))
            .select_related("parent")
            .prefetch_related(Prefetch("aliases", queryset=OrganisationAlias.objects.all()))
            .first()
        )
        if organisation is None:
            raise Http404(_("No organisation with published events is known by this name."))
        self.organisation = organisation
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return list_relations(Event.objects.published().filter(organisations=self.organisation))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_chinese_dates(context["events"])
        context["organisation"] = self.organisation
        context["groups"] = grouped_by_year_and_month(context["events"])
        return context


def text_segments(text: str, provenances) -> list[dict]:
    """The text cut at every span boundary: [{text, anchors, event}] in order.

    ``anchors`` are the provenance ids whose span starts in the piece (the targets of the
    event pages' links); ``event`` is the first event whose span covers it, else None.
    Overlapping spans are allowed: a piece belongs to the span that started first.
    """
    spans = sorted(provenances, key=lambda p: (p.start, p.end, p.pk))
    cuts = sorted({0, len(text), *(p.start for p in spans), *(p.end for p in spans)})
    segments = []
    for begin, end in itertools.pairwise(cuts):
        covering = [p for p in spans if p.start <= begin and end <= p.end]
        segments.append(
            {
                "text": text[begin:end],
                "anchors": [p.pk for p in spans if p.start == begin],
                "event": covering[0].event if covering else None,
            }
        )
    return segments


class SourceDetailView(DetailView):
    """A source that tells published events: metadata and its text with their spans."""

    template_name = "events/source_detail.html"
    context_object_name = "source"

    def get_queryset(self):
        return Source.objects.defer("raw_text", "report").filter(
            Exists(
                Provenance.objects.filter(
                    source=OuterRef("pk"), event__in=Event.objects.published()
                )
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provenances = list(
            Provenance.objects.filter(source=self.object, event__in=Event.objects.published())
            .select_related("event")
            .only("start", "end", "source_id", "event", "event__title")
        )
        context["segments"] = text_segments(self.object.text, provenances)
        context["event_count"] = len({p.event_id for p in provenances})
        return context


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context
