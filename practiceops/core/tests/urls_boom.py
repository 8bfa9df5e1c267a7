"""Routes that fail on purpose, for the error-envelope tests."""

from django.db import OperationalError
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class Boom(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("psycopg secret stack detail")


class DbDown(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise OperationalError("connection refused")


def plain_boom(request):
    raise ValueError("plain view failure")


urlpatterns = [
    path("boom", Boom.as_view()),
    path("db-down", DbDown.as_view()),
    path("plain-boom", plain_boom),
    # Under the admin prefix the exception escapes to Django's own handler (admin pages).
    path("admin/boom", plain_boom),
    path("", include("practiceops.urls")),
]
