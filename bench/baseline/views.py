from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import BearerAuthentication


def b00(request: HttpRequest) -> HttpResponse:
    """B00: bare Django (served without middleware or logging), ``SELECT 1``, a small body."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


def b0(request: HttpRequest) -> JsonResponse:
    """B0: plain Django, one round trip to PostgreSQL, a small JSON body."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


class B1View(APIView):
    """B1: DRF with the project's real JWT authentication (decode + user lookup), ``{}``."""

    authentication_classes = [BearerAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({})
