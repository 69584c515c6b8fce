from django.urls import path

from events import views
from events.feeds import LatestEventsFeed

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/timeline/", views.EventTimelineView.as_view(), name="event-timeline"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/feed/", LatestEventsFeed(), name="event-feed"),
    path(
        "organisations/<str:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
]
