from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    CHRONICLE = "chronicle", _("chronicle (大事记)")
    TOP_NEWS = "top-news", _("top news (十大新闻)")
    REPORT = "report", _("work report (工作报告)")
    OTHER = "other", _("other")


class PublishedPrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class SourceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded=False)

    def without_text(self):
        """Lists never need the texts, which are the bulk of a source row."""
        return self.defer("raw_text", "text", "report")


class Source(models.Model):
    """One document as read: its metadata, the raw text untouched and the repaired text.

    Offsets of provenance and metrics point into ``text`` (the normalised text); the database
    refuses a span that falls outside it or quotes something else (see events migrations).
    """

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    reporters = models.JSONField(_("reporters"), default=list, blank=True)
    published = models.DateField(_("publication date"), null=True, blank=True)
    published_precision = models.CharField(
        _("publication date precision"),
        max_length=8,
        choices=PublishedPrecision.choices,
        blank=True,
    )
    origin = models.CharField(_("origin (来源)"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    file_name = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=32, blank=True)
    raw_text = models.TextField(_("raw text"), help_text=_("The text exactly as read."))
    text = models.TextField(
        _("normalised text"), help_text=_("The repaired text that offsets point into.")
    )
    sha256 = models.CharField(_("SHA-256 of the raw bytes"), max_length=64, unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        help_text=_("The earlier text of the same document, loaded before this one."),
    )
    superseded = models.BooleanField(
        _("superseded by a newer version"), default=False, db_index=True
    )
    report = models.JSONField(
        _("ingestion report"),
        default=dict,
        blank=True,
        help_text=_("What the loader removed, rejoined, found, kept and passed over."),
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(published__isnull=True, published_precision="")
                | Q(published__isnull=False, published_precision__in=PublishedPrecision.values),
                name="source_published_precision_matches_date",
            ),
            models.CheckConstraint(
                condition=Exact(Length("sha256"), 64), name="source_sha256_is_64_chars"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            # A document (known by its file name) has one current version at a time, so two
            # loaders cannot both add a version of it.
            models.UniqueConstraint(
                fields=["file_name"],
                condition=Q(superseded=False),
                name="source_one_current_version_per_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text_length(self) -> int:
        return len(self.text)
