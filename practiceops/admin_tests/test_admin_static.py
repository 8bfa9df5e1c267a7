"""The admin's CSS is served by whitenoise with DEBUG off, after collectstatic."""

from __future__ import annotations

import re

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

from practiceops.admin_tests.conftest import ADMIN


def test_admin_css_is_collected_and_served_with_debug_off(tmp_path, settings, db):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # The API docs' bundles (large) are not what this test is about.
    call_command(
        "collectstatic", interactive=False, verbosity=0, ignore_patterns=["drf_spectacular_sidecar"]
    )

    url = staticfiles_storage.url("admin/css/base.css")
    assert re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", url), url
    assert (tmp_path / "static" / url.removeprefix("/static/")).is_file()

    # A new client builds a new middleware stack, so whitenoise scans the new STATIC_ROOT.
    client = Client()
    login = client.get(f"{ADMIN}login/")
    assert login.status_code == 200
    assert url in login.content.decode()

    css = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    assert css["Content-Encoding"] == "gzip"
    # Hashed names never change content, so they may be cached for good.
    assert "immutable" in css["Cache-Control"]
