from django.urls import path

from bench.baseline.views import b00

urlpatterns = [path("bench/b00", b00, name="bench-b00")]
