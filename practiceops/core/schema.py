"""OpenAPI post-processing: document the error envelope and the common error responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_doc, is_list_serializer


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, without its ViewSet guess that a ``list`` action answers a bare
    array: our lists answer ``{items, next_cursor}`` (or an object), and the serializer each
    action declares says so. Operation ids stay ``…_retrieve`` for reads, as they were."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:
            serializer = {str(code): s for code, s in serializer.items()}
            serializer = serializer[min(serializer)]
        return is_list_serializer(serializer)

    def get_description(self) -> str:  # type: ignore[override]
        # An operation's description is its action's docstring; a ViewSet's docstring speaks of
        # the whole resource to the code's readers, not of one operation.
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return get_doc(action)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field", "request_id"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": [
                        "VALIDATION_ERROR",
                        "UNAUTHORIZED",
                        "FORBIDDEN",
                        "NOT_FOUND",
                        "METHOD_NOT_ALLOWED",
                        "PAYLOAD_TOO_LARGE",
                        "UNSUPPORTED_MEDIA_TYPE",
                        "CONFLICT",
                        "RATE_LIMITED",
                        "SERVICE_UNAVAILABLE",
                        "INTERNAL",
                    ],
                },
                "message": {"type": "string"},
                "field": {"type": "string", "nullable": True},
                "request_id": {"type": "string", "nullable": True},
            },
        }
    },
}

_DESCRIPTIONS = {
    "401": "Missing, malformed, expired or wrong-type token",
    "403": "Authenticated but not allowed",
    "404": "Unknown id or route",
    "405": "Known route, wrong method",
    "409": "Duplicate or lost race",
    "413": "Body over the size limit",
    "415": "Body is not application/json",
    "422": "Validation error",
    "429": "Rate limited (see Retry-After)",
    "500": "Unexpected error",
    "503": "Database unavailable",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = ["404", "405", "422", "500", "503"]
            # A public operation takes no bearer token: no 401/403 unless it declares them.
            if operation.get("security"):
                codes += ["401", "403"]
            if method in {"post", "put", "patch"}:
                codes += ["409", "413", "415"]
            codes.append("429")
            for code in codes:
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            # Every error answer, declared by the view or added here, carries the envelope.
            for code, response in responses.items():
                if code[:1] in {"4", "5"}:
                    response.setdefault("content", {"application/json": {"schema": ref}})
    return result
