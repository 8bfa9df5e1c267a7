"""B00's settings: the project's database, nothing else of the stack.

No middleware, no logging handlers, no session/auth/admin apps in the request path: a bare
Django view that runs ``SELECT 1`` on the same persistent connection settings (CONN_MAX_AGE),
without the per-request connection health check (Django's default). What B0 costs above this
is our middleware and logging; what B1 costs above B0 is DRF and the bearer token.
"""

from practiceops.settings.base import *  # noqa: F403
from practiceops.settings.base import DATABASES

ROOT_URLCONF = "bench.baseline.floor_urls"
MIDDLEWARE: list[str] = []
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
LOGGING_CONFIG = None
LOGGING: dict = {}
