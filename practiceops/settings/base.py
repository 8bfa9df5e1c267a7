"""Settings for every environment, driven by environment variables (spec/operations.md).

``practiceops.settings.test`` adjusts a few of them for the test suite; nothing else differs
between a laptop and production except the environment.
"""

from __future__ import annotations

import re
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from dotenv import load_dotenv

from practiceops.core.config import env_bool, env_int, env_list, env_rate, env_str, fail, warn

BASE_DIR = Path(__file__).resolve().parent.parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

DEBUG = env_bool("DEBUG", False)


def _secret(name: str) -> str:
    value = env_str(name)
    if value is None:
        if not DEBUG:
            fail(name, "is required when DEBUG is off (at least 32 characters)")
        warn(f"{name} is not set: using a random per-process key (tokens die on restart)")
        return secrets.token_urlsafe(48)
    if len(value) < 32 and not DEBUG:
        fail(name, f"must be at least 32 characters, got {len(value)}")
    return value


JWT_SECRET_KEY = _secret("JWT_SECRET_KEY")
SECRET_KEY = _secret("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CORS_ALLOWED_ORIGINS = env_list("CORS_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173")
FRONTEND_URL = (env_str("FRONTEND_URL", "http://localhost:5173") or "").rstrip("/")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
AUTH_RATE_LIMIT = env_rate("AUTH_RATE_LIMIT", "10/m")
ACCESS_TOKEN_MINUTES = env_int("ACCESS_TOKEN_MINUTES", 15, minimum=1)
REFRESH_TOKEN_DAYS = env_int("REFRESH_TOKEN_DAYS", 30, minimum=1)
# Off by default: existing web clients keep their first refresh token (spec: POST /auth/refresh).
REFRESH_TOKEN_ROTATION = env_bool("REFRESH_TOKEN_ROTATION", False)
MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# The admin console's URL prefix (cookiecutter-django's ADMIN_URL): "admin/" unless moved.
# The admin jobs API stays at /admin/jobs whatever this says (spec/api.md).
ADMIN_URL = env_str("ADMIN_URL", "admin/") or "admin/"
if not re.fullmatch(r"(?:[A-Za-z0-9._~-]+/)+", ADMIN_URL):
    fail("ADMIN_URL", f"expected a relative path ending in '/' such as admin/, got {ADMIN_URL!r}")
if ADMIN_URL.startswith("admin/jobs"):
    fail("ADMIN_URL", "must not lie under admin/jobs (the admin jobs API)")
# Staff need a second factor (TOTP) for the admin console; off only for a local demo.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", not DEBUG)

INSTALLED_APPS = [
    # django.contrib.admin with the staff site: the accounts' login service and a second factor.
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_structlog",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "practiceops.core",
    "accounts",
    "teams",
    "practice",
    "tickets",
    "insights",
    "notifications",
    "demo",
    "django_htmx",
    "template_partials",
    "csp",
    "web",
]

# --- Middleware (performance round 2: the per-request floor, README → Performance) -------

MIDDLEWARE = [
    # Outermost: every response, even one for a refused oversized body, carries X-Request-ID;
    # it also writes the request's one log line (it replaces django-structlog's middleware).
    "practiceops.core.middleware.RequestLogMiddleware",
    # Above the body-size limit, which answers early: a refused body still gets nosniff and,
    # for an allowed origin, the CORS headers that let the front end read the 413.
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "practiceops.core.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    # SESSION_SCOPED_MIDDLEWARE, under SESSION_PATH_PREFIXES only.
    "practiceops.core.middleware.SessionScopedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "practiceops.core.middleware.DatabaseUnavailableMiddleware",
]
# Where a session can exist: the admin console and the web app. The API authenticates by
# bearer token, so elsewhere these four are skipped. SessionScopedMiddleware adds
# "/<ADMIN_URL>" itself when that setting exists.
SESSION_PATH_PREFIXES = ["/admin/", "/app/"]
SESSION_SCOPED_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's confirmed second factor (the admin console).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The web app's Content-Security-Policy (CONTENT_SECURITY_POLICY below); JSON answers
    # carry none.
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "practiceops.urls"
WSGI_APPLICATION = "practiceops.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

_database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}") or ""
# Older deployments wrote SQLAlchemy-style URLs; the driver suffix means nothing to Django.
_database_url = _database_url.replace("postgresql+asyncpg://", "postgresql://").replace(
    "postgresql+psycopg://", "postgresql://"
)
try:
    _db = dj_database_url.parse(_database_url)
except Exception as exc:  # noqa: BLE001 - any parse failure is a configuration error
    fail("DATABASE_URL", f"cannot be parsed ({exc.__class__.__name__})")
if not _db.get("ENGINE"):
    fail("DATABASE_URL", "unsupported scheme (use postgres://… or sqlite:///…)")
if _db["ENGINE"] == "django.db.backends.postgresql":
    if not _db.get("NAME"):
        fail("DATABASE_URL", "names no database")
    _pool_size = env_int("DATABASE_POOL_SIZE", 0, minimum=0, maximum=100)
    _db["OPTIONS"] = {
        # A dead or unreachable server fails fast instead of hanging a worker.
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=1),
    }
    if _pool_size:
        # Django's built-in psycopg pool; it requires CONN_MAX_AGE = 0.
        # A sync worker never waits for its own pool's connection, so a wait here means the
        # database is gone: answer 503 quickly rather than hold the request. And give up a
        # failed reconnection at once instead of backing off (1 s, 2 s, 4 s… for minutes):
        # the next request starts a fresh attempt, so service resumes as soon as the
        # database is back.
        _db["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": _pool_size,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 1, minimum=1),
            "reconnect_timeout": 0,
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        # Persistent per-worker connections measured faster than the pool for sync workers;
        # health checks drop a connection that died with a database restart.
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
        _db["CONN_HEALTH_CHECKS"] = True
    # Django's backend with timestamps parsed in C and pooled connections checked as they are
    # handed out (practiceops/core/postgresql/base.py).
    _db["ENGINE"] = "practiceops.core.postgresql"
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
_db["ATOMIC_REQUESTS"] = False
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) ----------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "po"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if "pytest" not in sys.modules:
        warn("REDIS_URL is not set: rate limits are counted per process (local-memory cache)")

RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = True
SILENCED_SYSTEM_CHECKS = [
    # Django's own RedisCache does the atomic increments django-ratelimit needs.
    "django_ratelimit.W001",
    # Without REDIS_URL (the embedded default) limits are per process, with a start-up warning.
    "django_ratelimit.E003",
    # Sessions, CSRF, auth and messages run inside SessionScopedMiddleware, under the admin
    # console's and the web app's prefixes; core.E001/E002 check that instead.
    "admin.E408",
    "admin.E409",
    "admin.E410",
    "security.W003",
]

# --- Auth ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The name authenticator apps show next to the staff console's codes.
OTP_TOTP_ISSUER = "PracticeOps"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=ACCESS_TOKEN_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=REFRESH_TOKEN_DAYS),
    # accounts.services.token_refresh implements both modes (simplejwt's views are not used).
    "ROTATE_REFRESH_TOKENS": REFRESH_TOKEN_ROTATION,
    "BLACKLIST_AFTER_ROTATION": REFRESH_TOKEN_ROTATION,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "type",
    "JTI_CLAIM": "jti",
    "LEEWAY": 0,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["practiceops.core.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "practiceops.core.renderers.ContentNegotiation",
    "EXCEPTION_HANDLER": "practiceops.core.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "practiceops.core.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_PAGINATION_CLASS": None,
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PracticeOps API",
    "DESCRIPTION": "Practice management for musical ensembles.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "practiceops.core.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "AssignmentTypeEnum": "practice.models.AssignmentType",
        "TicketActivityTypeEnum": "tickets.models.TicketActivityType",
        "RoleEnum": "teams.models.Role",
        "PriorityEnum": "practice.models.Priority",
        "JobRunStatusEnum": "notifications.models.JobStatus",
        "EmailStatusEnum": "notifications.models.EmailStatus",
        "HealthCheckEnum": ["ok", "error"],
    },
}

# --- Internationalization -----------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Body size ------------------------------------------------------------------------------

DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

# --- Security (production values whenever DEBUG is off) ----------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health checks from a load balancer come in over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The JSON envelope outside the admin console and /app/, Django's page (or 403_csrf.html) inside.
CSRF_FAILURE_VIEW = "practiceops.core.views.csrf_failure"

# --- The web app at /app/ (spec/web.md) --------------------------------------------------------

# The browser signs in with a session; the JSON API authenticates Bearer tokens only
# (REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES), so this cookie never drives the API.
LOGIN_URL = "/app/login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No inline script or style anywhere in the app; htmx is served from our own static files.
# The Django admin and the API docs (Swagger UI, ReDoc) carry inline scripts of their own.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [f"/{ADMIN_URL}", "/docs", "/redoc"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- E-mail ---------------------------------------------------------------------------------

SMTP_HOST = env_str("SMTP_HOST")
DEFAULT_FROM_EMAIL = env_str("SMTP_FROM", "noreply@practiceops.app")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_PORT = env_int("SMTP_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("SMTP_USER", "") or ""
    EMAIL_HOST_PASSWORD = env_str("SMTP_PASS", "") or ""
    EMAIL_USE_TLS = env_bool("SMTP_USE_TLS", True)
else:
    EMAIL_BACKEND = "notifications.backends.ConsoleLogEmailBackend"
# The API's public base URL: List-Unsubscribe one-click POSTs go straight to it.
PUBLIC_API_URL = (env_str("PUBLIC_API_URL", "http://localhost:8000") or "").rstrip("/")
# The outbox: rows per send task, attempts before a row is failed, and the first retry delay
# (doubling each time: 5, 10, 20, 40 min, so an SMTP outage of an hour loses nothing).
EMAIL_BATCH_SIZE = env_int("EMAIL_BATCH_SIZE", 100, minimum=1, maximum=1000)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
EMAIL_RETRY_BACKOFF_SECONDS = env_int("EMAIL_RETRY_BACKOFF_SECONDS", 300, minimum=0)
# How long a sender owns the rows it claimed; a worker that dies loses them after this.
EMAIL_CLAIM_SECONDS = env_int("EMAIL_CLAIM_SECONDS", 900, minimum=60)

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A dead broker must not hang a web request (PITFALLS.md): fail fast, answer 503.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# --- Logging --------------------------------------------------------------------------------

LOG_LEVEL = (env_str("LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    fail("LOG_LEVEL", f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}")
LOG_FORMAT = (env_str("LOG_FORMAT", "console" if DEBUG else "json") or "json").lower()
if LOG_FORMAT not in {"json", "console"}:
    fail("LOG_FORMAT", f"expected json or console, got {LOG_FORMAT!r}")
LOG_FILE = env_str("LOG_FILE")
# One line per request (request_finished); true adds request_started as each one arrives.
LOG_REQUEST_STARTED = env_bool("LOG_REQUEST_STARTED", True)

from practiceops.core.logging import build_logging_config, configure_structlog  # noqa: E402

LOGGING = build_logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT, log_file=LOG_FILE)
configure_structlog()
