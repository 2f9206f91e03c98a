"""URL map: the API under /api/, docs, admin, health probes and the web console."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from circulate.core import views as core_views
from circulate.core.docs import OfflineRedocView, OfflineSwaggerView
from circulate.core.errors import bad_request, page_not_found, permission_denied, server_error
from circulate.ops.views import metrics_view

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/", include("circulate.accounts.urls")),
    path("dev/", include("circulate.accounts.dev_urls")),
    path("library/books/", include("circulate.partners.book_urls")),
    path("library/", include("circulate.library.urls")),
    path("partners/", include("circulate.partners.urls")),
    path("audit/", include("circulate.audit.urls")),
    path("bikes/", include("circulate.bikes.urls")),
    path("dealership/", include("circulate.dealership.urls")),
    path("", include("circulate.bikes.api.seed_urls")),
    path("", include("circulate.realtime.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs work offline: no request of theirs leaves the machine (core.docs).
    path("docs/", OfflineSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    # Anything else under /api/ is the JSON 404, never an HTML page.
    re_path(r"^.*$", page_not_found),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("swagger/", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("redoc/", RedirectView.as_view(url="/api/redoc/", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", core_views.health_live, name="health-live"),
    path("health/ready/", core_views.health_ready, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("gbfs/", include("circulate.bikes.gbfs.urls")),
    path("", include("circulate.web.urls")),
]

if settings.DEBUG_TOOLBAR:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns = [*debug_toolbar_urls(), *urlpatterns]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
