"""The domain: events with their provenance, metrics, organisations and categories."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.models import Source


class CategoryQuerySet(models.QuerySet):
    def with_published_counts(self):
        """Each category with the number of its events readers can see."""
        visible = Q(events__status="published", events__merged_into__isnull=True)
        return self.annotate(published_count=models.Count("events", filter=visible))


class Category(models.Model):
    """A small editorial taxonomy, loaded from fixtures/categories.json."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class OrganisationLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    MUNICIPAL = "municipal", _("municipal")
    COUNTY = "county", _("county")
    ENTERPRISE = "enterprise", _("enterprise")
    INTERNATIONAL = "international", _("international")
    PARTY_STATE = "party-state", _("party or state body")
    OTHER = "other", _("other")


class OrganisationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed=True)

    def named(self, name: str):
        """Organisations whose canonical name or one of whose aliases is exactly ``name``."""
        return self.filter(Q(name=name) | Q(aliases__name=name)).distinct()


class Organisation(models.Model):
    name = models.CharField(_("canonical name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    level = models.CharField(
        _("level"), max_length=16, choices=OrganisationLevel.choices, default="other"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    confirmed = models.BooleanField(
        _("confirmed by an editor"),
        default=False,
        help_text=_(
            "Organisations discovered in texts stay unconfirmed until an editor checks them."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical organisation"))

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=OrganisationLevel.values), name="organisation_level_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_name_not_empty"),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="organisation_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationAlias(models.Model):
    """Another name of an organisation (全总 for 中华全国总工会).

    A row per alias rather than a JSON list so that "which organisation is called X" is one
    indexed query on SQLite and PostgreSQL alike. An alias names one organisation only.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    name = models.CharField(_("alias"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="alias_name_not_empty")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        clash = Organisation.objects.filter(name=self.name).exclude(pk=self.organisation_id)
        if clash.exists():
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("“%(name)s” is already the canonical name of another organisation."),
                        code="alias_is_other_name",
                        params={"name": self.name},
                    )
                }
            )


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    XUN = "xun", _("xun (旬, ten days)")
    MONTH = "month", _("month")
    SEASON = "season", _("season")
    YEAR = "year", _("year")


class EventKind(models.TextChoices):
    HAPPENED = "happened", _("happened")
    PLANNED = "planned", _("planned")
    HISTORICAL = "historical", _("historical background")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")


class EventQuerySet(models.QuerySet):
    def current(self):
        """Events that stand on their own: not merged into another."""
        return self.filter(merged_into__isnull=True)

    def published(self):
        return self.filter(status=EventStatus.PUBLISHED, merged_into__isnull=True)

    def drafts(self):
        return self.filter(status=EventStatus.DRAFT, merged_into__isnull=True)

    def in_year(self, year: int):
        """Events whose stated period touches ``year`` (a range across New Year counts twice)."""
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return self.filter(date_start__lte=last).filter(
            Q(date_end__gte=first) | Q(date_end__isnull=True, date_start__gte=first)
        )

    def undated(self):
        return self.filter(date_start__isnull=True)

    def chronological(self):
        return self.order_by(F("date_start").asc(nulls_last=True), "date_end", "id")

    def with_relations(self):
        """Everything an event list shows, in a constant number of queries."""
        return self.select_related("category").prefetch_related(
            "organisations", "tags", "provenances__source", "metrics"
        )


class Event(models.Model):
    """A dated occurrence, told by one or more sources."""

    # Fields an editor can change; a re-import never overwrites one listed in edited_fields.
    EDITABLE_FIELDS = (
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
        "tags",
        "organisations",
    )

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    date_start = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    date_end = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Last day of a stated range.")
    )
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    date_text = models.CharField(
        _("date as written"), max_length=120, blank=True, help_text=_("e.g. 2022年6月下旬")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=EventKind.choices, default=EventKind.HAPPENED
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="events")
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), blank=True, related_name="events"
    )
    sources = models.ManyToManyField(
        Source, through="Provenance", verbose_name=_("sources"), related_name="events"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EventStatus.choices,
        default=EventStatus.DRAFT,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_events",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    confidence = models.FloatField(
        _("extraction confidence"), default=0.0, help_text=_("From 0 (doubtful) to 1 (certain).")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="absorbed",
        help_text=_("Set when an editor merged this event into another; undoing clears it."),
    )
    editor_notes = models.TextField(_("editor notes"), blank=True)
    edited_fields = models.JSONField(
        _("fields changed by an editor"),
        default=list,
        blank=True,
        help_text=_("A re-import never overwrites these."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("historical event"), m2m_fields=[organisations, tags]
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = [F("date_start").asc(nulls_last=True), "date_end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date_end__gte=F("date_start")),
                name="event_date_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(date_start__isnull=True, date_precision="", date_end__isnull=True)
                | Q(date_start__isnull=False, date_precision__in=DatePrecision.values),
                name="event_precision_iff_date",
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values), name="event_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=EventStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="event_published_has_published_at",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="event_confidence_between_0_and_1",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_empty"),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="event_not_merged_into_itself"
            ),
        ]
        indexes = [models.Index(fields=["status", "date_start"], name="event_status_date")]
        permissions = [
            ("publish_event", _("Can publish and reject events")),
            ("merge_event", _("Can merge and split events")),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.date_start is None:
            if self.date_end is not None:
                errors["date_end"] = ValidationError(
                    _("An end date needs a start date."), code="end_without_start"
                )
            if self.date_precision:
                errors["date_precision"] = ValidationError(
                    _("A precision needs a start date."), code="precision_without_date"
                )
        else:
            if not self.date_precision:
                errors["date_precision"] = ValidationError(
                    _("Say how precise the start date is."), code="date_without_precision"
                )
            if self.date_end is not None and self.date_end < self.date_start:
                errors["date_end"] = ValidationError(
                    _("The end date is before the start date."), code="end_before_start"
                )
        if errors:
            raise ValidationError(errors)


class Provenance(models.Model):
    """Where a source tells an event: the excerpt and its [start, end) offsets in source.text."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="provenances"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="provenances"
    )
    excerpt = models.TextField(_("excerpt"))
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    extraction_key = models.CharField(
        _("extraction key"),
        max_length=200,
        blank=True,
        help_text=_("Identifies the occurrence in its document, so a re-import finds it."),
    )
    merge_reason = models.TextField(
        _("why it was merged"),
        blank=True,
        help_text=_("Set when the loader joined this account to an event another source told."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenance records")
        ordering = ["source_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "start", "end"], name="provenance_unique_span"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="provenance_span_not_empty"
            ),
            models.CheckConstraint(
                condition=Exact(F("end") - F("start"), Length("excerpt")),
                name="provenance_excerpt_fills_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}[{self.start}:{self.end}]"


class Metric(models.Model):
    """A numeric fact as written (84.86亿元) and as an exact, fully expanded decimal."""

    text = models.CharField(_("text as written"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=30, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    qualifier = models.CharField(
        _("qualifier"), max_length=20, blank=True, help_text=_("超过, 近, 约, 多, 余, 以上, 累计 …")
    )
    label = models.CharField(_("what is measured"), max_length=200, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metrics",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="metrics"
    )
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))

    history = HistoricalRecords(verbose_name=_("historical metric"))

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["source_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "start", "end"], name="metric_unique_span"),
            models.CheckConstraint(
                condition=Exact(F("end") - F("start"), Length("text")),
                name="metric_text_fills_span",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="metric_span_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class EventMerge(models.Model):
    """An editor's merge of one event into another, with what moved, so it can be undone."""

    target = models.ForeignKey(
        Event, verbose_name=_("kept event"), on_delete=models.CASCADE, related_name="merges"
    )
    absorbed = models.ForeignKey(
        Event,
        verbose_name=_("merged event"),
        on_delete=models.CASCADE,
        related_name="merged_away",
    )
    moved = models.JSONField(
        _("what moved"), default=dict, help_text=_("Ids of provenance, metrics and relations.")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=F("absorbed")), name="merge_target_is_not_absorbed"
            ),
            # An event is merged away at most once at a time.
            models.UniqueConstraint(
                fields=["absorbed"], condition=Q(undone_at__isnull=True), name="merge_live_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.target_id}"


class DuplicateDismissal(models.Model):
    """Two events an editor has judged distinct: the duplicate queue proposes them no more."""

    first = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed duplicate")
        verbose_name_plural = _("dismissed duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dismissal_unique_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="dismissal_pair_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class EventSearch(models.Model):
    """An event's entry in the full-text search index, written by ``events.search`` only.

    One row per event: ``text`` is the event's searchable text, lowercased, that the
    few candidates the tokens cannot decide are checked against (every candidate of a
    ``partial`` row). The tokens themselves
    live where each database indexes them, made by migration 0006: a ``document``
    tsvector column with a GIN index on PostgreSQL, an FTS5 table on SQLite (see
    events/search.py).

    The row also carries copies of the event's status, merge and dates (``CARRIED``), so
    that a page of ranked results filtered and ordered by those alone needs no look at
    the events table. The indexer writes them and a trigger keeps them equal to the
    event's whatever writes it (events/triggers.py).
    """

    event = models.OneToOneField(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search",
    )
    text = models.TextField(_("searchable text"), blank=True)
    partial = models.BooleanField(
        _("partly tokenised"),
        default=False,
        help_text=_("Some fields were too long for tokens; the text decides every query."),
    )
    # Copies of the event's columns of the same names.
    status = models.CharField(_("status"), max_length=10, blank=True)
    merged_into_id = models.BigIntegerField(_("merged into"), null=True, blank=True)
    date_start = models.DateField(_("start date"), null=True, blank=True)
    date_end = models.DateField(_("end date"), null=True, blank=True)

    CARRIED = ("status", "merged_into_id", "date_start", "date_end")

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self) -> str:
        return f"search index of event {self.event_id}"
