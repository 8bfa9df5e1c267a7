from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "practiceops.core"
    label = "core"

    def ready(self) -> None:
        checks.register(check_session_scoped_middleware, checks.Tags.security)


# What Django's admin.E408–E410 and security.W003 look for in MIDDLEWARE; here they run inside
# SessionScopedMiddleware (settings silence those four and this check stands in for them).
SESSION_STACK = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


def check_session_scoped_middleware(**_: object) -> list[checks.CheckMessage]:
    from django.conf import settings

    scoped = list(getattr(settings, "SESSION_SCOPED_MIDDLEWARE", []))
    if "practiceops.core.middleware.SessionScopedMiddleware" not in settings.MIDDLEWARE:
        missing = [m for m in SESSION_STACK if m not in settings.MIDDLEWARE]
    else:
        missing = [m for m in SESSION_STACK if m not in scoped]
        if not missing and [m for m in scoped if m in SESSION_STACK] != list(SESSION_STACK):
            return [
                checks.Error(
                    "SESSION_SCOPED_MIDDLEWARE must keep sessions, CSRF, auth, messages in "
                    "this order",
                    id="core.E002",
                )
            ]
    return [
        checks.Error(f"{m} must run for the admin console and the web app", id="core.E001")
        for m in missing
    ]
