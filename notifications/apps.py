from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.outbox import email_enqueue
        from notifications.schedules import install_after_migrate
        from practiceops.core.outbox import email_enqueue_register

        # The apps below notifications (teams' invitation e-mail) queue through core's seam.
        email_enqueue_register(email_enqueue)

        # After every migrate (and test-database flush): the default beat schedules exist.
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="notifications_schedules"
        )
