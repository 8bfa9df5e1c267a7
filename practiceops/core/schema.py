"""OpenAPI post-processing: document the error envelope and the common error responses."""

from __future__ import annotations

from typing import Any

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
