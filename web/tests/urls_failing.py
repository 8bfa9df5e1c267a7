"""Web app routes that fail on purpose, for the error-page tests."""

from django.db import OperationalError
from django.urls import include, path


def boom(request):
    raise RuntimeError("template variable secret detail")


def db_down(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("app/boom", boom),
    path("app/db-down", db_down),
    path("", include("practiceops.urls")),
]
