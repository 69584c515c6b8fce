from django.views.generic import TemplateView

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
