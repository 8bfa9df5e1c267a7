from django.urls import path

from bench.baseline.views import B1View, b0
from practiceops.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/b0", b0, name="bench-b0"),
    path("bench/b1", B1View.as_view(), name="bench-b1"),
    *project_urlpatterns,
]
