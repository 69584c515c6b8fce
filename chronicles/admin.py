import re
from urllib.parse import quote

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chronicles import services
from chronicles.exports import (
    DOCX_CONTENT_TYPE,
    MARKDOWN_CONTENT_TYPE,
    chronicle_docx,
    chronicle_markdown,
)
from chronicles.models import Chronicle, ChronicleEdition, ChronicleEntry
from events.extraction.dates import date_text_zh
from events.models import Event

PUBLISH_PERMISSION = "chronicles.publish_chronicle"


_UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _download(content: bytes | str, *, content_type: str, snapshot: dict, extension: str):
    """An attachment named after the chronicle's Chinese title (RFC 6266 ``filename*``).

    Clients that cannot read ``filename*`` take the ASCII ``filename`` beside it.
    """
    edition = snapshot.get("edition")
    suffix = f"第{edition}版" if edition else "草稿"
    title = _UNSAFE_IN_FILENAMES.sub("_", snapshot["title"])
    name = f"{title}（{suffix}）.{extension}"
    fallback = f"chronicle-{snapshot['year']}-{f'edition-{edition}' if edition else 'draft'}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}.{extension}\"; filename*=utf-8''{quote(name, safe='')}"
    )
    return response


def _event_label(event: Event) -> str:
    date = date_text_zh(event.date_start, event.date_end, event.date_precision)
    return f"{date}\u3000{event.title}" if date else event.title


class ChronicleEventAutocomplete(AutocompleteSelect):
    """The admin's autocomplete, asking the chronicle's own view: its year's events only.

    Django's autocomplete view searches with EventAdmin and cannot know the chronicle.
    """

    def __init__(self, field, admin_site, *, url: str, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.url = url

    def get_url(self):
        return self.url


class ChronicleEntryInline(admin.TabularInline):
    model = ChronicleEntry
    extra = 0
    fields = ("event_date", "event", "position", "text")
    readonly_fields = ("event_date",)
    autocomplete_fields = ("event",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event").in_chronicle_order()

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request, so the chronicle can wait here for
        # formfield_for_foreignkey.
        self.chronicle = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            events = Event.objects.published()
            chronicle = getattr(self, "chronicle", None)
            if chronicle is not None:
                events = events.filter(date_start__year=chronicle.year)
                kwargs["widget"] = ChronicleEventAutocomplete(
                    db_field,
                    self.admin_site,
                    url=reverse("admin:chronicles_chronicle_events", args=[chronicle.pk]),
                    using=kwargs.get("using"),
                )
            kwargs["queryset"] = events
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("date"))
    def event_date(self, entry):
        if entry.pk is None:
            return "—"
        event = entry.event
        return date_text_zh(event.date_start, event.date_end, event.date_precision) or "—"


class ChronicleEditionInline(admin.TabularInline):
    model = ChronicleEdition
    extra = 0
    fields = ("edition_link", "published_at", "published_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("edition"))
    def edition_link(self, edition):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:chronicles_chronicleedition_change", args=[edition.pk]),
            edition.number,
        )


@admin.register(Chronicle)
class ChronicleAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "entry_count", "edition_count", "last_published")
    list_display_links = ("year", "title")
    search_fields = ("title", "introduction")
    fields = ("year", "title", "introduction", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = (ChronicleEntryInline, ChronicleEditionInline)
    actions = ("populate",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("entries"), ordering="entry_count")
    def entry_count(self, chronicle):
        return chronicle.entry_count

    @admin.display(description=_("editions"), ordering="edition_count")
    def edition_count(self, chronicle):
        return chronicle.edition_count

    @admin.display(description=_("last published"), ordering="last_published_at")
    def last_published(self, chronicle):
        if chronicle.last_published_at is None:
            return "—"
        return date_format(chronicle.last_published_at, "DATETIME_FORMAT")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/populate/",
                view(self.populate_view),
                name="chronicles_chronicle_populate",
            ),
            path(
                "<path:object_id>/markdown/",
                view(self.markdown_view),
                name="chronicles_chronicle_markdown",
            ),
            path("<path:object_id>/docx/", view(self.docx_view), name="chronicles_chronicle_docx"),
            path(
                "<path:object_id>/events/",
                view(self.events_view),
                name="chronicles_chronicle_events",
            ),
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name="chronicles_chronicle_publish",
            ),
            *super().get_urls(),
        ]

    def _chronicle(self, request, object_id, *, change=False) -> Chronicle:
        chronicle = get_object_or_404(Chronicle, pk=object_id)
        allowed = (
            self.has_change_permission(request, chronicle)
            if change
            else self.has_view_or_change_permission(request, chronicle)
        )
        if not allowed:
            raise PermissionDenied
        return chronicle

    def _change_url(self, chronicle):
        return reverse("admin:chronicles_chronicle_change", args=[chronicle.pk])

    def _report_populated(self, request, chronicle, added):
        self.message_user(
            request,
            ngettext(
                "%(count)d published event of %(year)s added to the chronicle.",
                "%(count)d published events of %(year)s added to the chronicle.",
                added,
            )
            % {"count": added, "year": chronicle.year},
            messages.SUCCESS if added else messages.INFO,
        )

    @admin.action(
        description=_("Add the year's published events to the selected chronicles"),
        permissions=("change",),
    )
    def populate(self, request, queryset):
        for chronicle in queryset:
            self._report_populated(
                request, chronicle, services.chronicle_populate(chronicle=chronicle)
            )

    def populate_view(self, request, object_id):
        chronicle = self._chronicle(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(chronicle))
        self._report_populated(request, chronicle, services.chronicle_populate(chronicle=chronicle))
        return HttpResponseRedirect(self._change_url(chronicle))

    def events_view(self, request, object_id):
        """Select2's JSON: published events of the year that the chronicle does not hold."""
        chronicle = self._chronicle(request, object_id, change=True)
        if not request.user.has_perm("events.view_event"):
            raise PermissionDenied
        events = (
            Event.objects.published()
            .filter(date_start__year=chronicle.year)
            .exclude(chronicle_entries__chronicle=chronicle)
            .chronological()
        )
        if term := request.GET.get("term", "").strip():
            events = events.filter(Q(title__icontains=term) | Q(summary__icontains=term))
        page = Paginator(events, 20).get_page(request.GET.get("page"))
        return JsonResponse(
            {
                "results": [{"id": str(event.pk), "text": _event_label(event)} for event in page],
                "pagination": {"more": page.has_next()},
            }
        )

    def markdown_view(self, request, object_id):
        chronicle = self._chronicle(request, object_id)
        snapshot = services.chronicle_snapshot(chronicle=chronicle)
        markdown = chronicle_markdown(snapshot)
        if request.GET.get("download"):
            return _download(
                markdown, content_type=MARKDOWN_CONTENT_TYPE, snapshot=snapshot, extension="md"
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": chronicle,
            "title": _("Preview of %(title)s") % {"title": chronicle},
            "markdown": markdown,
        }
        return TemplateResponse(request, "admin/chronicles/chronicle/markdown.html", context)

    def docx_view(self, request, object_id):
        chronicle = self._chronicle(request, object_id)
        snapshot = services.chronicle_snapshot(chronicle=chronicle)
        return _download(
            chronicle_docx(snapshot),
            content_type=DOCX_CONTENT_TYPE,
            snapshot=snapshot,
            extension="docx",
        )

    def publish_view(self, request, object_id):
        chronicle = self._chronicle(request, object_id)
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            try:
                edition = services.chronicle_publish(chronicle=chronicle, by=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(self._change_url(chronicle))
            self.message_user(
                request,
                _("Edition %(number)d of “%(title)s” is published.")
                % {"number": edition.number, "title": chronicle},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._change_url(chronicle))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": chronicle,
            "title": _("Publish a new edition of %(title)s") % {"title": chronicle},
            "next_number": (chronicle.editions.aggregate(last=Max("number"))["last"] or 0) + 1,
            "entry_count": chronicle.entries.count(),
        }
        return TemplateResponse(request, "admin/chronicles/chronicle/publish.html", context)


@admin.register(ChronicleEdition)
class ChronicleEditionAdmin(admin.ModelAdmin):
    """Editions are read only: an edition is cited, so it never changes after publishing."""

    list_display = ("chronicle", "number", "published_at", "published_by", "entry_count")
    list_select_related = ("chronicle", "published_by")
    list_filter = ("chronicle",)
    fields = ("chronicle", "number", "published_at", "published_by", "changes", "markdown_text")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("entries"))
    def entry_count(self, edition):
        return len(edition.snapshot.get("entries", []))

    @admin.display(description=_("Markdown"))
    def markdown_text(self, edition):
        return format_html('<pre class="chronicle-markdown">{}</pre>', edition.markdown)

    @admin.display(description=_("changes from the previous edition"))
    def changes(self, edition):
        changes = services.edition_changes(edition=edition)
        if changes["previous"] is None:
            return _("First edition.")
        return _(
            "Compared with edition %(previous)d: %(added)d added, %(removed)d removed, "
            "%(changed)d changed."
        ) % {
            "previous": changes["previous"],
            "added": len(changes["added"]),
            "removed": len(changes["removed"]),
            "changed": len(changes["changed"]),
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/download/<str:kind>/",
                view(self.download_view),
                name="chronicles_chronicleedition_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id, kind):
        edition = get_object_or_404(ChronicleEdition, pk=object_id)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        if kind == "md":
            return _download(
                edition.markdown,
                content_type=MARKDOWN_CONTENT_TYPE,
                snapshot=edition.snapshot,
                extension="md",
            )
        if kind == "docx":
            return _download(
                chronicle_docx(edition.snapshot),
                content_type=DOCX_CONTENT_TYPE,
                snapshot=edition.snapshot,
                extension="docx",
            )
        raise Http404
