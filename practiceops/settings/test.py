"""Test settings: the environment still chooses PostgreSQL/Redis (CI) or SQLite (quick start)."""

import os

os.environ.setdefault("JWT_SECRET_KEY", "test-jwt-secret-key-0123456789abcdefghijkl")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-django-secret-key-0123456789abcdefghijkl")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

# Hashing cost is measured in bench/, not paid by every test that creates a user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"

if DATABASES["default"]["ENGINE"] == "practiceops.core.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
