"""ADMIN_URL moves the console; the admin jobs API stays at /admin/jobs (spec/api.md)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from practiceops.testing import live_server

MOVED = "ops-console-7f3a/"


def _get(url: str) -> tuple[int, dict, str]:
    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_admin_url_from_the_environment_moves_the_console_not_the_jobs_api():
    # DEBUG only so that the login page renders without collectstatic's manifest.
    with live_server(ADMIN_URL=MOVED, DEBUG="true", REDIS_URL=None) as base:
        login = _get(f"{base}/{MOVED}login/")
        index = _get(f"{base}/{MOVED}")
        old = _get(f"{base}/admin/login/")
        old_index = _get(f"{base}/admin/")
        jobs = _get(f"{base}/admin/jobs")
    assert login[0] == 200 and "PracticeOps administration" in login[2]
    assert f'action="/{MOVED}login/"' in login[2]
    assert index[0] == 302 and index[1]["Location"].startswith(f"/{MOVED}login/?next=")
    for status, headers, body in (old, old_index):
        assert status == 404 and headers["Content-Type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "NOT_FOUND"
    assert jobs[0] == 401 and json.loads(jobs[2])["error"]["code"] == "UNAUTHORIZED"
