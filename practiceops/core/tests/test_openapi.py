"""The OpenAPI schema, Swagger UI and ReDoc, served without an external CDN."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_documents_endpoints_and_error_envelope(anon):
    response = anon.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/auth/register",
        "/auth/login",
        "/auth/refresh",
        "/auth/logout",
        "/auth/password",
        "/me",
        "/me/teams",
    ):
        assert path in schema["paths"], path
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]["error"]["properties"]) == {
        "code",
        "message",
        "field",
        "request_id",
    }
    me = schema["paths"]["/me"]["get"]["responses"]
    for code in ("401", "403", "422"):
        assert me[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_use_local_assets(anon, path):
    response = anon.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
