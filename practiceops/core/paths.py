"""Which paths are HTML pages rather than the JSON API.

The Django admin console and the web app at ``/app/`` answer HTML (their errors, CSRF failures
included, keep Django's pages or the app's templates); every other path is the API and answers
the JSON envelope, whatever went wrong. The admin jobs API lives under the admin prefix but is
API. The admin prefix is read from ``settings.ADMIN_URL`` when it is set (default ``admin/``).
"""

from __future__ import annotations

from django.conf import settings

WEB_APP_PREFIX = "/app/"


def admin_prefix() -> str:
    """The admin console's path prefix, with both slashes: ``/admin/`` by default."""
    return "/" + str(getattr(settings, "ADMIN_URL", "admin/")).strip("/") + "/"


def is_html_path(path: str) -> bool:
    admin = admin_prefix()
    if path.startswith(admin):
        return not path.startswith(f"{admin}jobs")
    return path.startswith(WEB_APP_PREFIX)
