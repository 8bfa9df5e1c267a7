"""``/auth/…``: register, log in, refresh, log out, change the password."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.serializers import (
    AuthOutput,
    LoginInput,
    PasswordChangeInput,
    RefreshInput,
    RegisterInput,
    TokenPairOutput,
    user_data,
)
from practiceops.core.ratelimit import enforce_per_ip
from practiceops.core.viewsets import ApiViewSet

# The public actions take no authentication at all, so a stale bearer token cannot break them.
PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny]}


def auth_body(user, tokens: dict[str, str]) -> dict:  # type: ignore[no-untyped-def]
    return {**tokens, "user": user_data(user)}


class AuthViewSet(ApiViewSet):
    @extend_schema(request=RegisterInput, responses={201: AuthOutput}, auth=[])
    @action(detail=False, methods=["post"], **PUBLIC)
    def register(self, request: Request) -> Response:
        enforce_per_ip(request, group="auth:register")
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(
            email=data.validated_data["email"],
            name=data.validated_data["name"],
            password=data.validated_data["password"],
        )
        return Response(
            auth_body(user, services.token_pair_for_user(user)), status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=LoginInput,
        responses={200: AuthOutput, 401: OpenApiResponse(description=services.INVALID_CREDENTIALS)},
        auth=[],
    )
    @action(detail=False, methods=["post"], **PUBLIC)
    def login(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_login_check(
            request=request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        return Response(auth_body(user, services.token_pair_for_user(user)))

    @extend_schema(
        request=RefreshInput,
        responses={
            200: TokenPairOutput,
            401: OpenApiResponse(description=services.INVALID_REFRESH),
        },
        auth=[],
    )
    @action(detail=False, methods=["post"], **PUBLIC)
    def refresh(self, request: Request) -> Response:
        enforce_per_ip(request, group="auth:refresh")
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.token_refresh(raw_refresh=data.validated_data["refresh_token"]))

    @extend_schema(request=RefreshInput, responses={204: None})
    @action(detail=False, methods=["post"])
    def logout(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.token_logout(user=request.user, raw_refresh=data.validated_data["refresh_token"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PasswordChangeInput, responses={204: None})
    @action(detail=False, methods=["post"])
    def password(self, request: Request) -> Response:
        enforce_per_ip(request, group="auth:password")
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_change(
            user=request.user,
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
