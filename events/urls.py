from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
]
