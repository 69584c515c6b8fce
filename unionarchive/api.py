"""The project's API router: every endpoint under /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from events import api

app_name = "api"

router = DefaultRouter()
router.register("events", api.EventViewSet, basename="event")
router.register("metrics", api.MetricViewSet, basename="metric")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("sources", api.SourceViewSet, basename="source")

urlpatterns = [
    path("changes/", api.ChangesView.as_view(), name="changes"),
    path("timeline/", api.EventViewSet.as_view({"get": "timeline"}), name="timeline"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline:
    # the Content-Security-Policy allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *router.urls,
]
