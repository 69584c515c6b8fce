from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from sources.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "publisher",
        "published",
        "file_name",
        "event_count",
        "loaded_at",
    )
    list_filter = ("kind", "superseded", "publisher", "loaded_at")
    search_fields = ("title", "file_name", "publisher", "origin", "sha256")
    date_hierarchy = "published"
    # Django 6 assumes https for scheme-less URLs; say so now rather than warn.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/sources/source/change_list.html"
    readonly_fields = (
        "sha256",
        "encoding",
        "loaded_at",
        "raw_text",
        "previous_version",
        "superseded",
        "ingestion_report",
        "marked_text",
    )
    fieldsets = (
        (None, {"fields": ("title", "kind", "publisher", "reporters", "origin", "url")}),
        (_("Publication"), {"fields": ("published", "published_precision")}),
        (
            _("File"),
            {
                "fields": (
                    "file_name",
                    "encoding",
                    "sha256",
                    "loaded_at",
                    "previous_version",
                    "superseded",
                )
            },
        ),
        (_("Ingestion report"), {"fields": ("ingestion_report",)}),
        (_("Text with the extracted spans marked"), {"fields": ("marked_text",)}),
        (_("Text"), {"classes": ("collapse",), "fields": ("text", "raw_text")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.without_text()
        # A correlated subquery rather than a join: grouping by every column would drag the
        # texts into the list's queries. The events app is reached only through the relation.
        provenance = Source.provenances.field.model
        event_counts = (
            provenance.objects.filter(source=OuterRef("pk"))
            .values("source")
            .annotate(count=Count("event", distinct=True))
            .values("count")
        )
        return queryset.annotate(event_count=Coalesce(Subquery(event_counts), 0))

    @admin.display(description=_("text"))
    def marked_text(self, source):
        """The normalised text with every event's excerpt marked and anchored, so that the
        event page can link to the very place."""
        spans = sorted(
            source.provenances.select_related("event").values_list("start", "end", "event__title")
        )
        pieces, cursor = [], 0
        for start, end, title in spans:
            anchor = format_html('<a id="span-{}-{}"></a>', start, end)
            if start < cursor:  # overlaps the previous mark: anchor it, mark it no twice
                pieces.append(anchor)
                continue
            pieces.append(escape(source.text[cursor:start]))
            pieces.append(
                format_html('{}<mark title="{}">{}</mark>', anchor, title, source.text[start:end])
            )
            cursor = end
        pieces.append(escape(source.text[cursor:]))
        return format_html(
            '<div class="source-text">{}</div>',
            # Every piece was escaped or built by format_html above.
            mark_safe("".join(str(piece) for piece in pieces)),
        )

    @admin.display(description=_("ingestion report"))
    def ingestion_report(self, source):
        if not source.report:
            return "—"
        return render_to_string("admin/sources/ingestion_report.html", {"report": source.report})

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, source):
        return source.event_count
