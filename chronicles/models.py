"""Yearly chronicles: an editor's selection of published events, published as editions.

A chronicle is the working draft: which events appear, their order within a day, an
optional text per entry and an introduction. Publishing freezes the draft into an
edition — a JSON snapshot plus its Markdown — that later edits never touch, so a citation
of "the 2022 chronicle, edition 2" always means the same text.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventStatus


def chronicle_title_default(year: int) -> str:
    # The title is part of the printed Chinese document, not of the interface, so it is
    # not translated.
    return f"{year}年工会工作大事记"


class ChronicleQuerySet(models.QuerySet):
    def published(self):
        """Chronicles with at least one edition: the ones the public site shows."""
        return self.filter(Exists(ChronicleEdition.objects.filter(chronicle=OuterRef("pk"))))

    def with_counts(self):
        """Entry and edition counts and the last publication, for lists."""
        return self.annotate(
            entry_count=Count("entries", distinct=True),
            edition_count=Count("editions", distinct=True),
            last_published_at=Max("editions__published_at"),
        )


class Chronicle(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Left empty, it becomes “YYYY年工会工作大事记”."),
    )
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Printed before the entries; one paragraph per line."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ChronicleQuerySet.as_manager()

    class Meta:
        verbose_name = _("chronicle")
        verbose_name_plural = _("chronicles")
        ordering = ["-year"]
        permissions = [("publish_chronicle", _("Can publish a chronicle edition"))]
        constraints = [
            # Four digits, as the date parser reads years.
            models.CheckConstraint(
                condition=Q(year__gte=1000) & Q(year__lte=9999), name="chronicle_year_four_digits"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="chronicle_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title or chronicle_title_default(self.year)

    def clean(self) -> None:
        if not self.title and self.year:
            self.title = chronicle_title_default(self.year)


class ChronicleEntryQuerySet(models.QuerySet):
    def in_chronicle_order(self):
        """By the event's start date, then the editor's position within the day, then id."""
        return self.order_by(F("event__date_start").asc(nulls_last=True), "position", "id")


class ChronicleEntry(models.Model):
    chronicle = models.ForeignKey(
        Chronicle, verbose_name=_("chronicle"), on_delete=models.CASCADE, related_name="entries"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="chronicle_entries",
    )
    position = models.PositiveIntegerField(
        _("position within the day"),
        default=0,
        help_text=_("Orders the entries of one day; lower comes first."),
    )
    text = models.TextField(
        _("entry text"),
        blank=True,
        help_text=_("Replaces the event's summary in the chronicle. Leave empty to use it."),
    )

    objects = ChronicleEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("chronicle entry")
        verbose_name_plural = _("chronicle entries")
        ordering = ["chronicle", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chronicle", "event"], name="chronicle_entry_event_once"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=0), name="chronicle_entry_position_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.event)

    def clean(self) -> None:
        # A check constraint cannot look at the event's row, so the rule lives here and
        # every write goes through full_clean() (the services and the admin's forms).
        # In the admin's add form the chronicle is not saved yet, but it is set, year and all.
        try:
            chronicle, event = self.chronicle, self.event
        except (Chronicle.DoesNotExist, Event.DoesNotExist):
            return
        if event.status != EventStatus.PUBLISHED:
            raise ValidationError(
                {
                    "event": ValidationError(
                        _("“%(title)s” is not published; a chronicle holds published events only."),
                        code="event_not_published",
                        params={"title": event.title},
                    )
                }
            )
        if event.date_start is None:
            raise ValidationError(
                {
                    "event": ValidationError(
                        _("“%(title)s” has no date; a chronicle holds dated events only."),
                        code="event_undated",
                        params={"title": event.title},
                    )
                }
            )
        if event.date_start.year != chronicle.year:
            raise ValidationError(
                {
                    "event": ValidationError(
                        _("“%(title)s” starts in %(event_year)s, not in %(year)s."),
                        code="event_outside_year",
                        params={
                            "title": event.title,
                            "event_year": event.date_start.year,
                            "year": chronicle.year,
                        },
                    )
                }
            )


class ChronicleEditionQuerySet(models.QuerySet):
    def current(self):
        """The latest edition of each chronicle: what the public page shows."""
        newer = ChronicleEdition.objects.filter(
            chronicle=OuterRef("chronicle"), number__gt=OuterRef("number")
        )
        return self.filter(~Exists(newer))

    def newest_first(self):
        return self.order_by("chronicle", "-number")


class ChronicleEdition(models.Model):
    """A published chronicle, frozen: written once by chronicle_publish, never changed."""

    chronicle = models.ForeignKey(
        Chronicle,
        verbose_name=_("chronicle"),
        # An edition is citable: a chronicle that has been published cannot be deleted.
        on_delete=models.PROTECT,
        related_name="editions",
    )
    number = models.PositiveIntegerField(_("edition"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chronicle_editions",
    )
    snapshot = models.JSONField(
        _("snapshot"),
        help_text=_("Title, introduction and entries exactly as published."),
    )
    markdown = models.TextField(_("Markdown"))

    objects = ChronicleEditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("chronicle edition")
        verbose_name_plural = _("chronicle editions")
        ordering = ["chronicle", "number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["chronicle", "number"], name="chronicle_edition_number_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="chronicle_edition_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.get('title', self.chronicle_id)} ({self.number})"
