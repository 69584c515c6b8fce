from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from events import admin_filters, services
from events.annotate import resources_from_database
from events.extraction.dates import date_text_zh
from events.forms import SourceUploadForm
from events.ingest import source_ingest
from events.models import (
    Category,
    Event,
    EventMerge,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)
from events.search import events_search, search_index_update
from events.selectors import duplicate_candidates

# Characters of the source shown on either side of an excerpt.
CONTEXT_CHARS = 40
# Set by decisions (publish, reject, merge), never by saving the form.
DECISION_FIELDS = (
    "status",
    "published_at",
    "reviewed_by_id",
    "reviewed_at",
    "merged_into_id",
    "created_at",
)


def _attname(name: str) -> str:
    return Event._meta.get_field(name).attname


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "event_count")
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events"))

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, category):
        return category.event_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "event_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events"))

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, tag):
        return tag.event_count


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "alias_list", "level", "parent", "confirmed", "event_count")
    list_filter = ("confirmed", "level")
    search_fields = ("name", "slug", "aliases__name")
    # The events' organisation autocomplete pages through this list: a stable order.
    ordering = ("name", "id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (OrganisationAliasInline,)
    actions = ("confirm", "merge")

    def has_merge_permission(self, request):
        return request.user.has_perm("events.merge_event")

    @admin.action(
        description=_("Merge the selected organisations into the confirmed or oldest one"),
        permissions=["merge"],
    )
    def merge(self, request, queryset):
        chosen = list(queryset.order_by("-confirmed", "id"))
        if len(chosen) < 2:
            self.message_user(request, _("Choose two or more organisations."), messages.WARNING)
            return
        target = services.organisation_merge(target=chosen[0], others=chosen[1:])
        self.message_user(
            request,
            _("Merged into “%(name)s”; the other names are now its aliases.")
            % {"name": target.name},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .prefetch_related("aliases")
            .annotate(event_count=Count("events", distinct=True))
        )

    @admin.display(description=_("aliases"))
    def alias_list(self, organisation):
        return "、".join(alias.name for alias in organisation.aliases.all())

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, organisation):
        return organisation.event_count

    @admin.action(description=_("Confirm the selected organisations"))
    def confirm(self, request, queryset):
        updated = queryset.update(confirmed=True)
        self.message_user(
            request,
            ngettext("%d organisation confirmed.", "%d organisations confirmed.", updated)
            % updated,
            messages.SUCCESS,
        )


@admin.register(OrganisationAlias)
class OrganisationAliasAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation__name")
    autocomplete_fields = ("organisation",)


class ProvenanceInline(admin.StackedInline):
    model = Provenance
    extra = 0
    min_num = 1
    fields = ("in_context", "source", "excerpt", "start", "end", "merge_reason")
    readonly_fields = ("in_context", "merge_reason")
    autocomplete_fields = ("source",)

    @admin.display(description=_("in its source"))
    def in_context(self, provenance):
        """The excerpt highlighted in the sentences around it, linked to its place."""
        if not provenance.pk:
            return "—"
        text = provenance.source.text
        before = text[max(0, provenance.start - CONTEXT_CHARS) : provenance.start]
        after = text[provenance.end : provenance.end + CONTEXT_CHARS]
        url = reverse("admin:sources_source_change", args=[provenance.source_id])
        return format_html(
            '…{}<mark>{}</mark>{}… <a href="{}#span-{}-{}">{}</a>',
            before,
            provenance.excerpt,
            after,
            url,
            provenance.start,
            provenance.end,
            _("open in the source"),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0
    fields = ("text", "value", "unit", "qualifier", "label", "as_of", "source", "start", "end")
    autocomplete_fields = ("source",)


class EventActionForm(ActionForm):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, label=_("category")
    )


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    """The review queue: drafts in, published chronicle out."""

    list_display = (
        "date_display",
        "title",
        "status",
        "kind",
        "category",
        "source_count",
        "confidence",
    )
    list_display_links = ("date_display", "title")
    list_filter = (
        "status",
        admin_filters.YearFilter,
        admin_filters.MonthFilter,
        "category",
        ("organisations", admin.RelatedOnlyFieldListFilter),
        admin_filters.SourceFilter,
        "kind",
        "date_precision",
        admin_filters.DatedFilter,
        admin_filters.MergedFilter,
    )
    search_fields = ("title", "summary", "body", "place", "organisations__aliases__name")
    date_hierarchy = "date_start"
    ordering = ("confidence", "date_start", "id")
    list_per_page = 50
    autocomplete_fields = ("organisations", "tags")
    action_form = EventActionForm
    actions = ("publish", "reject", "to_draft", "set_category", "merge")
    readonly_fields = (
        "status",
        "merged_into",
        "edited_fields",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "summary", "body", "editor_notes")}),
        (_("Date"), {"fields": ("date_text", ("date_start", "date_end", "date_precision"))}),
        (_("Classification"), {"fields": ("kind", "category", "place", "organisations", "tags")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "confidence",
                    "merged_into",
                    "reviewed_by",
                    "reviewed_at",
                    "published_at",
                    "edited_fields",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (ProvenanceInline, MetricInline)
    change_form_template = "admin/events/event/change_form.html"
    change_list_template = "admin/events/event/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(source_count=Count("provenances__source", distinct=True))
        )

    @admin.display(description=_("date"), ordering="date_start")
    def date_display(self, event):
        return date_text_zh(event.date_start, event.date_end, event.date_precision or None) or "—"

    @admin.display(description=_("sources"), ordering="source_count")
    def source_count(self, event):
        return event.source_count

    def save_model(self, request, obj, form, change):
        if change:
            stored = Event.objects.get(pk=obj.pk)
            # A revert from the history page saves an old version: it may bring back old
            # wording, never an old decision, and what it changes counts as edited.
            for name in DECISION_FIELDS:
                setattr(obj, name, getattr(stored, name))
            obj.edited_fields = stored.edited_fields
            differing = [
                name
                for name in Event.EDITABLE_FIELDS
                if name not in ("tags", "organisations")
                and getattr(stored, _attname(name)) != getattr(obj, _attname(name))
            ]
            services.event_note_edits(event=obj, fields=[*form.changed_data, *differing])
        super().save_model(request, obj, form, change)
        search_index_update(events=[obj])  # Search index: the saved fields.

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index_update(events=[form.instance])  # Search index: tags, organisations.

    def get_search_results(self, request, queryset, search_term):
        # Search: the full-text service (events/search.py); the list keeps its own order.
        return events_search(events=queryset, query=search_term, ranked=False), False

    # --- who may decide ---------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm("events.publish_event")

    def has_merge_permission(self, request):
        return request.user.has_perm("events.merge_event")

    # --- actions ------------------------------------------------------------------------

    def _review(self, request, queryset, service, done):
        count = 0
        for event in queryset:
            try:
                service(event=event, by=request.user)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.WARNING)
            else:
                count += 1
        self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected events"), permissions=["publish"])
    def publish(self, request, queryset):
        self._review(request, queryset, services.event_publish, _("%(count)d events published."))

    @admin.action(description=_("Reject the selected events"), permissions=["publish"])
    def reject(self, request, queryset):
        self._review(request, queryset, services.event_reject, _("%(count)d events rejected."))

    @admin.action(description=_("Send the selected events back to draft"), permissions=["publish"])
    def to_draft(self, request, queryset):
        self._review(
            request, queryset, services.event_to_draft, _("%(count)d events back to draft.")
        )

    @admin.action(description=_("Set the category chosen above"), permissions=["change"])
    def set_category(self, request, queryset):
        try:
            category = EventActionForm.base_fields["category"].clean(request.POST.get("category"))
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
            return
        count = services.events_set_category(events=queryset, category=category)
        self.message_user(
            request, _("%(count)d events categorised.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Merge the selected events into one"), permissions=["merge"])
    def merge(self, request, queryset):
        events = list(queryset.order_by("-confidence", "id"))
        if len(events) < 2:
            self.message_user(request, _("Choose two or more events to merge."), messages.WARNING)
            return None
        target, others = events[0], events[1:]
        try:
            merges = services.event_merge(target=target, others=others, by=request.user)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
            return None
        undo = reverse("admin:events_eventmerge_changelist") + f"?target__id__exact={target.pk}"
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("%(count)d events merged into “%(title)s”.")
                % {"count": len(merges), "title": target.title},
                undo,
                _("Undo"),
            ),
            messages.SUCCESS,
        )
        return redirect("admin:events_event_change", target.pk)

    # --- buttons and the duplicate queue ------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        own = [
            path(
                "<int:pk>/review/<str:decision>/",
                self.admin_site.admin_view(self.review_view),
                name="events_event_review",
            ),
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="events_event_duplicates",
            ),
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="events_event_upload",
            ),
        ]
        return own + urls

    def upload_view(self, request):
        """A new document through the same pipeline as load_sources; the editor then
        lands on the list of the drafts it made."""
        if not request.user.has_perm("sources.add_source"):
            raise PermissionDenied
        form = SourceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = source_ingest(
                data=upload.read(),
                name=upload.name,
                resources=resources_from_database(),
                override=form.overrides(),
            )
            if outcome.status == "failed":
                form.add_error("file", outcome.error)
            else:
                if outcome.status == "unchanged":
                    self.message_user(
                        request, _("This document was loaded before."), messages.WARNING
                    )
                else:
                    self.message_user(
                        request,
                        _("%(count)d new draft events.") % {"count": outcome.events.created},
                        messages.SUCCESS,
                    )
                changelist = reverse("admin:events_event_changelist")
                return redirect(f"{changelist}?source={outcome.source_id}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload a document"),
            "form": form,
        }
        return TemplateResponse(request, "admin/events/event/upload.html", context)

    def review_view(self, request, pk, decision):
        services_by_decision = {
            "publish": services.event_publish,
            "reject": services.event_reject,
            "draft": services.event_to_draft,
        }
        if request.method != "POST" or decision not in services_by_decision:
            return HttpResponseNotAllowed(["POST"])
        if not self.has_publish_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=pk)
        try:
            services_by_decision[decision](event=event, by=request.user)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                _("“%(title)s”: %(status)s.")
                % {"title": event.title, "status": event.get_status_display()},
                messages.SUCCESS,
            )
        return redirect("admin:events_event_change", event.pk)

    def duplicates_view(self, request):
        if request.method == "POST":
            if not self.has_merge_permission(request):
                raise PermissionDenied
            first = get_object_or_404(Event, pk=request.POST.get("first"))
            second = get_object_or_404(Event, pk=request.POST.get("second"))
            if request.POST.get("decision") == "merge":
                try:
                    services.event_merge(target=first, others=[second], by=request.user)
                except ValidationError as exc:
                    self.message_user(request, exc.messages[0], messages.ERROR)
                else:
                    self.message_user(request, _("Merged."), messages.SUCCESS)
            else:
                services.duplicate_dismiss(first=first, second=second, by=request.user)
                self.message_user(request, _("Not duplicates: dismissed."), messages.SUCCESS)
            return redirect("admin:events_event_duplicates")
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Likely duplicates"),
            "pairs": duplicate_candidates(),
            "can_merge": self.has_merge_permission(request),
        }
        return TemplateResponse(request, "admin/events/event/duplicates.html", context)

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_publish"] = self.has_publish_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(EventMerge)
class EventMergeAdmin(admin.ModelAdmin):
    list_display = ("absorbed", "target", "by", "created_at", "undone_at")
    list_filter = (("undone_at", admin.EmptyFieldListFilter),)
    list_select_related = ("absorbed", "target", "by")
    readonly_fields = ("target", "absorbed", "moved", "by", "created_at", "undone_at")
    actions = ("undo",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A merge is undone (the action below), never deleted: deleting the record would
        # leave its event merged away with no way back.
        return False

    def has_merge_permission(self, request):
        return request.user.has_perm("events.merge_event")

    @admin.action(description=_("Undo the selected merges"), permissions=["merge"])
    def undo(self, request, queryset):
        for merge in queryset.select_related("absorbed", "target"):
            try:
                services.event_merge_undo(merge=merge, by=request.user)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.WARNING)
            else:
                self.message_user(
                    request,
                    _("“%(title)s” stands on its own again.") % {"title": merge.absorbed.title},
                    messages.SUCCESS,
                )


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ("event", "source", "start", "end", "excerpt", "merge_reason")
    list_select_related = ("event", "source")
    list_filter = (("merge_reason", admin.EmptyFieldListFilter),)
    search_fields = ("excerpt", "event__title")
    autocomplete_fields = ("event", "source")
    readonly_fields = ("extraction_key", "merge_reason", "created_at")
    actions = ("unmerge", "split")

    def has_merge_permission(self, request):
        return request.user.has_perm("events.merge_event")

    @admin.action(
        description=_("Split: move the selected accounts together to a new event"),
        permissions=["merge"],
    )
    def split(self, request, queryset):
        try:
            separate = services.event_split(
                provenances=list(queryset.select_related("event", "source")), by=request.user
            )
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
            return None
        return redirect("admin:events_event_change", separate.pk)

    @admin.action(
        description=_("Undo the merge: make each selected account its own event"),
        permissions=["merge"],
    )
    def unmerge(self, request, queryset):
        for provenance in queryset.select_related("event", "source"):
            try:
                separate = services.provenance_unmerge(provenance=provenance)
            except ValidationError as exc:
                self.message_user(request, f"{provenance}: {exc.messages[0]}", messages.WARNING)
            else:
                self.message_user(
                    request,
                    _("“%(title)s” is now an event of its own.") % {"title": separate.title},
                    messages.SUCCESS,
                )


@admin.register(Metric)
class MetricAdmin(SimpleHistoryAdmin):
    list_display = ("text", "value", "unit", "qualifier", "label", "as_of", "event", "source")
    list_select_related = ("event", "source")
    list_filter = ("unit", "qualifier")
    search_fields = ("text", "label", "event__title")
    autocomplete_fields = ("event", "source")
