"""The public chronicle pages: the current published edition of each year's chronicle.

The page shows the frozen snapshot, never the editors' working draft, and what changed
since the edition before.
"""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from chronicles.exports import entry_date_in_year, month_groups
from chronicles.models import ChronicleEdition
from chronicles.services import edition_changes
from events.models import Event


class ChronicleListView(ListView):
    """Every year with a published chronicle, newest first."""

    template_name = "chronicles/chronicle_list.html"
    context_object_name = "editions"

    def get_queryset(self):
        return (
            ChronicleEdition.objects.current()
            .select_related("chronicle")
            .order_by("-chronicle__year")
        )


class ChronicleYearView(DetailView):
    """The current edition of the year's chronicle, print-friendly."""

    template_name = "chronicles/chronicle_detail.html"
    context_object_name = "edition"

    def get_object(self, queryset=None):
        edition = (
            ChronicleEdition.objects.current()
            .filter(chronicle__year=self.kwargs["year"])
            .select_related("chronicle")
            .first()
        )
        if edition is None:
            raise Http404(_("No chronicle of this year has been published."))
        return edition

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.object.snapshot
        year = snapshot["year"]
        entry_ids = [entry["event"] for entry in snapshot["entries"]]
        # Entries link to their events while those are still published.
        linked = set(
            Event.objects.published().filter(pk__in=entry_ids).values_list("pk", flat=True)
        )
        context["groups"] = [
            (
                heading,
                [
                    {
                        **entry,
                        "date_in_year": entry_date_in_year(entry, year),
                        "linked": entry["event"] in linked,
                    }
                    for entry in entries
                ],
            )
            for heading, entries in month_groups(snapshot)
        ]
        context["introduction"] = [
            line.strip()
            for line in (snapshot.get("introduction") or "").splitlines()
            if line.strip()
        ]
        published_at = snapshot.get("published_at")
        context["published_on"] = (
            datetime.datetime.fromisoformat(published_at).date() if published_at else None
        )
        context["changes"] = edition_changes(edition=self.object)
        return context
