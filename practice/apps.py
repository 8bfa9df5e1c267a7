from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from practice.rollups import rebuild_after_timezone_change
        from teams.services import TIMEZONE_CHANGE_HOOKS

        if rebuild_after_timezone_change not in TIMEZONE_CHANGE_HOOKS:
            TIMEZONE_CHANGE_HOOKS.append(rebuild_after_timezone_change)
