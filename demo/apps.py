from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data. It sits above every domain app (it drives their services) and has no models."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
