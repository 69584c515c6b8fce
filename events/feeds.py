"""An Atom feed of newly published events, newest publication first."""

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from events.extraction.dates import date_text_zh
from events.models import Event

FEED_LENGTH = 50
# Control characters XML 1.0 cannot carry: Django's feed writer refuses them (a 500), and an
# editor may type one into a title through the admin or the API.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


class LatestEventsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Trade-union chronicle archive: newly published events")
    subtitle = _("Events published by the editors, newest first.")

    def link(self):
        return reverse("events:event-list")

    def feed_url(self):
        return reverse("events:event-feed")

    def items(self):
        return (
            Event.objects.published()
            .select_related("category")
            .order_by("-published_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, item):
        date = date_text_zh(item.date_start, item.date_end, item.date_precision or None)
        return xml_text(f"{date} {item.title}" if date else item.title)

    def item_description(self, item):
        return xml_text(item.summary)

    def item_link(self, item):
        return reverse("events:event-detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category.name] if item.category else []
