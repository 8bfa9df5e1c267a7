from django.urls import path

from bench.baseline.views import B1View, b0, b00
from practiceops.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    # Served here only for the per-request query count; the load run serves B00 from its own
    # middleware-less server (floor_wsgi).
    path("bench/b00", b00, name="bench-b00"),
    path("bench/b0", b0, name="bench-b0"),
    path("bench/b1", B1View.as_view(), name="bench-b1"),
    *project_urlpatterns,
]
