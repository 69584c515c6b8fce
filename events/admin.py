from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import services
from events.models import (
    Category,
    Event,
    Metric,
    Organisation,
    OrganisationAlias,
    Provenance,
    Tag,
)


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
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "alias_list", "level", "parent", "confirmed", "event_count")
    list_filter = ("confirmed", "level")
    search_fields = ("name", "slug", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (OrganisationAliasInline,)
    actions = ("confirm",)

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
    fields = ("source", "excerpt", "start", "end")
    autocomplete_fields = ("source",)


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0
    fields = ("text", "value", "unit", "qualifier", "label", "as_of", "source", "start", "end")
    autocomplete_fields = ("source",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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
    list_filter = ("status", "kind", "date_precision", "category", "organisations")
    search_fields = ("title", "summary", "body", "place")
    date_hierarchy = "date_start"
    autocomplete_fields = ("organisations", "tags")
    readonly_fields = (
        "edited_fields",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "summary", "body")}),
        (_("Date"), {"fields": ("date_text", ("date_start", "date_end", "date_precision"))}),
        (_("Classification"), {"fields": ("kind", "category", "place", "organisations", "tags")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "confidence",
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(source_count=Count("sources", distinct=True))
        )

    @admin.display(description=_("date"), ordering="date_start")
    def date_display(self, event):
        return event.date_text or event.date_start or "—"

    @admin.display(description=_("sources"), ordering="source_count")
    def source_count(self, event):
        return event.source_count

    def save_model(self, request, obj, form, change):
        if change:
            services.event_note_edits(event=obj, fields=form.changed_data)
        super().save_model(request, obj, form, change)


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ("event", "source", "start", "end", "excerpt", "merge_reason")
    list_select_related = ("event", "source")
    list_filter = (("merge_reason", admin.EmptyFieldListFilter),)
    search_fields = ("excerpt", "event__title")
    autocomplete_fields = ("event", "source")
    readonly_fields = ("extraction_key", "merge_reason", "created_at")
    actions = ("unmerge",)

    @admin.action(description=_("Undo the merge: make each selected account its own event"))
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
class MetricAdmin(admin.ModelAdmin):
    list_display = ("text", "value", "unit", "qualifier", "label", "as_of", "event", "source")
    list_select_related = ("event", "source")
    list_filter = ("unit", "qualifier")
    search_fields = ("text", "label", "event__title")
    autocomplete_fields = ("event", "source")
