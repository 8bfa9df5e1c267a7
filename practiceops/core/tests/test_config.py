"""Start-up refuses bad configuration with one line naming the variable."""

import os
import subprocess
import sys

import pytest

from practiceops.testing import BASE_DIR

GOOD = {
    "DEBUG": "false",
    "JWT_SECRET_KEY": "j" * 40,
    "DJANGO_SECRET_KEY": "d" * 60,
    "DATABASE_URL": "sqlite:///:memory:",
}


def _start(**env):
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and not k.startswith(("SMTP_", "REDIS", "CELERY", "AUTH_", "LOG_"))
    }
    full.update(GOOD)
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    full["DJANGO_SETTINGS_MODULE"] = "practiceops.settings.base"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_configuration_starts():
    result = _start()
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"JWT_SECRET_KEY": None}, "JWT_SECRET_KEY"),
        ({"JWT_SECRET_KEY": "too-short"}, "JWT_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DATABASE_URL": "mysqlx://what"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host:notaport/db"}, "DATABASE_URL"),
        ({"AUTH_RATE_LIMIT": "ten per minute"}, "AUTH_RATE_LIMIT"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"ACCESS_TOKEN_MINUTES": "soon"}, "ACCESS_TOKEN_MINUTES"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"ADMIN_URL": "/admin"}, "ADMIN_URL"),
        ({"ADMIN_URL": "admin/jobs/"}, "ADMIN_URL"),
        ({"ADMIN_REQUIRE_2FA": "sometimes"}, "ADMIN_REQUIRE_2FA"),
    ],
)
def test_bad_configuration_stops_with_one_line(env, variable):
    result = _start(**env)
    assert result.returncode != 0
    lines = [
        line
        for line in result.stderr.strip().splitlines()
        if line and not line.startswith("Warning: ")
    ]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}:"), lines[0]


def test_debug_without_keys_starts_with_a_warning():
    result = _start(DEBUG="true", JWT_SECRET_KEY=None, DJANGO_SECRET_KEY=None)
    assert result.returncode == 0, result.stderr
    assert "JWT_SECRET_KEY is not set" in result.stderr


def test_older_asyncpg_database_urls_are_accepted():
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['PORT'])",
        ],
        cwd=BASE_DIR,
        env={
            **os.environ,
            **GOOD,
            "DATABASE_URL": "postgresql+asyncpg://u:p@db:5433/practiceops",
            "DJANGO_SETTINGS_MODULE": "practiceops.settings.base",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["practiceops.core.postgresql", "practiceops", "5433"], (
        result.stderr
    )


def test_check_deploy_with_production_settings_is_clean():
    env = {k: v for k, v in os.environ.items() if k != "SECURE_SSL_REDIRECT"}
    env.update(GOOD)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "practiceops.settings.base",
            "ALLOWED_HOSTS": "api.example.com",
            "DJANGO_SECRET_KEY": "k7#Qz1!vB9@xL2$mN8%pR4^tW6&yU3*eI5(oA0)sD-fG=hJ+cV",
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
