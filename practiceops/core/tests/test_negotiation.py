"""The API's content negotiation: the usual Accept headers answered without parsing, the rest
by DRF's own rules."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/*", "text/html, */*;q=0.8"]
)
def test_json_for_every_accept_that_allows_it(admin, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = admin.client.get("/me", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_an_accept_json_cannot_satisfy_is_refused_as_before(admin):
    # DRF's NotAcceptable, in the envelope the exception handler gives it.
    response = admin.client.get("/me", HTTP_ACCEPT="text/html")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
