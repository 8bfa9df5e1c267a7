from typing import Any

from rest_framework import serializers

from practiceops.core.fields import StrictCharField, StrictEmailField


class UserOutput(serializers.Serializer):
    """The user's public JSON (for the schema; ``user_data`` builds it)."""

    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField(source="display_name")


def user_data(user: Any) -> dict[str, Any]:
    """``UserOutput`` without a serializer's per-call cost (it is in every auth answer and /me)."""
    return {"id": user.pk, "email": user.email, "name": user.display_name}


class RegisterInput(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    name = StrictCharField(min_length=1, max_length=100)
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)


class LoginInput(serializers.Serializer):
    email = StrictCharField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class AuthOutput(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    user = UserOutput()


class RefreshInput(serializers.Serializer):
    refresh_token = StrictCharField(max_length=4096)


class TokenPairOutput(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()


class PasswordChangeInput(serializers.Serializer):
    current_password = StrictCharField(max_length=128, trim_whitespace=False)
    new_password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)
