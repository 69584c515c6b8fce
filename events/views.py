from django.views.generic import DetailView, TemplateView

from events.models import Category, Event


class HomeView(TemplateView):
    """What the archive holds and the latest published events."""

    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Event.objects.published()
        context["event_count"] = published.count()
        context["categories"] = Category.objects.with_published_counts()
        context["latest"] = published.select_related("category").order_by("-published_at", "-id")[
            :20
        ]
        return context


class EventDetailView(DetailView):
    """A published event; drafts and rejected events are not there for readers."""

    template_name = "events/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return (
            Event.objects.published()
            .select_related("category")
            .prefetch_related("organisations", "metrics", "provenances__source")
        )
