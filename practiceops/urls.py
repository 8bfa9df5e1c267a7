import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from practiceops.core.health import health
from practiceops.core.views import not_found, web_app_redirect

urlpatterns = [
    # The site's address opens the web app; API clients never call "/".
    path("", web_app_redirect, name="root"),
    path("app", web_app_redirect),
    path("app/", include("web.urls")),
    path("health", health, name="health"),
    path(
        "openapi.json",
        SpectacularAPIView.as_view(renderer_classes=[OpenApiJsonRenderer2]),
        name="schema",
    ),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("accounts.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("practice.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("insights.api.urls")),
    # The admin jobs API routes take precedence over the Django admin console.
    path("", include("notifications.api.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # Unknown routes answer the JSON envelope even in DEBUG (Django's debug 404 page is HTML).
    re_path(rf"^(?!{re.escape(settings.ADMIN_URL)}|static/).*$", not_found),
]

handler400 = "practiceops.core.views.bad_request"
handler403 = "practiceops.core.views.permission_denied"
handler404 = "practiceops.core.views.not_found"
handler500 = "practiceops.core.views.server_error"
