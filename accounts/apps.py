from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  (registers the OpenAPI security scheme)


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with ``admin.site`` the staff site of ``accounts.admin_site``."""

    default = False  # accounts.apps names AccountsConfig for "accounts"
    default_site = "accounts.admin_site.StaffAdminSite"
