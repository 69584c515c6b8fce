from django.urls import path
from django.views.decorators.http import require_safe

from events import views
from events.feeds import LatestEventsFeed

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/timeline/", views.EventTimelineView.as_view(), name="event-timeline"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    # GET and HEAD only, like the other public pages (a Feed answers any method).
    path("events/feed/", require_safe(LatestEventsFeed()), name="event-feed"),
    path(
        "organisations/<str:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
]
