from conftest import assert_error


def test_me_for_persona(admin, team):
    response = admin.client.get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == admin.user.email
    assert body["primary_team"] == {"team_id": str(team.id), "role": "ADMIN", "section": None}


def test_unknown_route_envelope(anon):
    assert_error(anon.get("/no/such/route"), 404, "NOT_FOUND", field=None)
