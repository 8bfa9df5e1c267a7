from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt

from practiceops.core import errors
from practiceops.core.envelope import error_page_or_response, error_response
from practiceops.core.paths import WEB_APP_PREFIX, is_html_path

CSRF_FAILED = "CSRF verification failed"


# Exempt, and for every method: an unknown route is a 404 in the envelope whatever the method,
# never Django's HTML "CSRF verification failed" page that a POST without a token would get.
@csrf_exempt
def not_found(
    request: HttpRequest, exception: Exception | None = None, **_: object
) -> JsonResponse:
    return error_response(request, errors.NotFound(f"No route for {request.method} {request.path}"))


@csrf_exempt
def web_app_redirect(request: HttpRequest) -> HttpResponse:
    """``/`` (and ``/app``) open the web app (spec/web.md); with any method but GET or HEAD
    they are no route at all, so the API's 404 envelope rather than a redirect."""
    if request.method in ("GET", "HEAD"):
        return HttpResponseRedirect(WEB_APP_PREFIX)
    return not_found(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the envelope (403) for the API; Django's own view for the admin
    console and the web app, which renders their ``403_csrf.html`` template when there is one."""
    if is_html_path(request.path):
        return csrf.csrf_failure(request, reason=reason)
    return error_response(request, errors.Forbidden(CSRF_FAILED))


def server_error(request: HttpRequest) -> HttpResponse:
    # The web app's own page under /app/ (spec/web.md: never Django's default error page).
    return error_page_or_response(request, errors.Internal())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, errors.ValidationFailed("Bad request"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, errors.Forbidden())
