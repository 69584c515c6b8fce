"""sitemap.xml: the public pages, published content only.

The chronicle pages are listed here too, so that the site has one sitemap; an edition is
public once it exists.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from chronicles.models import ChronicleEdition
from events.models import Event, Organisation, Provenance
from sources.models import Source


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:home", "events:event-list"]

    def location(self, item):
        return reverse(item)


class EventSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Event.objects.published().only("id", "updated_at").order_by("id")

    def location(self, item):
        return reverse("events:event-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class OrganisationSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        published = Event.objects.published().filter(organisations=OuterRef("pk"))
        return Organisation.objects.filter(Exists(published)).only("slug").order_by("slug")

    def location(self, item):
        return reverse("events:organisation-detail", args=[item.slug])


class SourceSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        published = Provenance.objects.filter(
            source=OuterRef("pk"), event__in=Event.objects.published()
        )
        return Source.objects.filter(Exists(published)).only("id", "loaded_at").order_by("id")

    def location(self, item):
        return reverse("events:source-detail", args=[item.pk])

    def lastmod(self, item):
        return item.loaded_at


class ChronicleSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return (
            ChronicleEdition.objects.current()
            .select_related("chronicle")
            .only("published_at", "chronicle__year")
            .order_by("chronicle__year")
        )

    def location(self, item):
        return reverse("chronicles:chronicle-year", args=[item.chronicle.year])

    def lastmod(self, item):
        return item.published_at


SITEMAPS = {
    "pages": PageSitemap,
    "events": EventSitemap,
    "organisations": OrganisationSitemap,
    "sources": SourceSitemap,
    "chronicles": ChronicleSitemap,
}
