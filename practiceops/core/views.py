from django.http import HttpRequest, JsonResponse

from practiceops.core import errors
from practiceops.core.envelope import error_response


def not_found(
    request: HttpRequest, exception: Exception | None = None, **_: object
) -> JsonResponse:
    return error_response(request, errors.NotFound(f"No route for {request.method} {request.path}"))


def server_error(request: HttpRequest) -> JsonResponse:
    return error_response(request, errors.Internal())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, errors.ValidationFailed("Bad request"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, errors.Forbidden())
