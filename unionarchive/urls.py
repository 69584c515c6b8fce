from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from events.sitemaps import SITEMAPS
from events.views import RobotsView

admin.site.site_header = _("Trade-union chronicle archive")
admin.site.site_title = _("Trade-union chronicle archive")
admin.site.index_title = _("Editorial desk")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("unionarchive.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    # GET and HEAD only, like every other public page (the sitemap view takes any method).
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots-txt"),
    path("chronicle/", include("chronicles.urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
