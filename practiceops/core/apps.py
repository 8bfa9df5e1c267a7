from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "practiceops.core"
    label = "core"

    def ready(self) -> None:
        from practiceops.core import logging as _logging  # noqa: F401  (signal receivers)
