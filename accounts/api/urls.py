from accounts.api import views
from practiceops.core.viewsets import api_router

router = api_router()
router.register("auth", views.AuthViewSet, basename="auth")

urlpatterns = router.urls
