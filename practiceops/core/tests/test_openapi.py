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


def test_schema_documents_reopen_catch_up_and_outcomes(anon):
    schema = anon.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    def ref(name):
        return {"$ref": f"#/components/schemas/{name}"}

    def props(name):
        return set(components[name]["properties"])

    reopen = schema["paths"]["/tickets/{ticket_id}/reopen"]["post"]
    assert reopen["requestBody"]["content"]["application/json"]["schema"] == ref(
        "TicketReopenInputRequest"
    )
    reason = components["TicketReopenInputRequest"]["properties"]["reason"]
    assert (reason["minLength"], reason["maxLength"]) == (1, 2000)
    assert reopen["responses"]["200"]["content"]["application/json"]["schema"] == ref(
        "TicketEnvelope"
    )

    catch_up = schema["paths"]["/teams/{team_id}/catch-up"]["get"]
    assert [p["name"] for p in catch_up["parameters"] if p["in"] == "query"] == ["since"]
    assert catch_up["responses"]["200"]["content"]["application/json"]["schema"] == ref(
        "CatchUpOutput"
    )
    assert props("CatchUpOutput") == {
        "since",
        "until",
        "new_tickets",
        "my_ticket_updates",
        "new_assignments",
        "practise_next",
        "section",
    }
    assert props("PractiseNextOutput") == {"kind", "id", "title", "priority", "due_at"}

    outcomes = schema["paths"]["/teams/{team_id}/dashboards/leader/outcomes"]["get"]
    assert {p["name"] for p in outcomes["parameters"] if p["in"] == "query"} == {"from", "to"}
    assert outcomes["responses"]["200"]["content"]["application/json"]["schema"] == ref(
        "OutcomesOutput"
    )
    assert props("OutcomesOutput") == {"from", "to", "team", "sections", "songs"}
    outcome = {
        "opened",
        "verified",
        "reopened",
        "median_hours_to_verify",
        "p90_hours_to_verify",
        "open_now",
        "stale_claims_released",
        "practice_minutes_linked",
    }
    assert props("OutcomeOutput") == outcome
    assert props("SectionOutcomeOutput") == outcome | {"section"}
    assert props("SongOutcomeOutput") == outcome | {"song_ref"}
    for path in (
        "/teams/{team_id}/catch-up",
        "/teams/{team_id}/dashboards/leader/outcomes",
    ):
        responses = schema["paths"][path]["get"]["responses"]
        assert responses["422"]["content"]["application/json"]["schema"] == ref("Error")
