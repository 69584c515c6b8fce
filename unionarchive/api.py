"""The project's API router: every endpoint under /api/."""

from rest_framework.routers import DefaultRouter

from events import api

app_name = "api"

router = DefaultRouter()
router.register("events", api.EventViewSet, basename="event")
router.register("metrics", api.MetricViewSet, basename="metric")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("sources", api.SourceViewSet, basename="source")

urlpatterns = router.urls
