import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import crisis_tracker.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_it_starts_with_debug_on_and_no_other_configuration():
    assert load_settings(DJANGO_DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DJANGO_DEBUG": "1", "DATABASE_URL": "mysql://nobody@localhost/x"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "1", "DATABASE_URL": "not a url at all"}, "DATABASE_URL"),
        (
            {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432"},
            "DATABASE_URL",
        ),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "1", "REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DJANGO_DEBUG": "1", "PAGE_CACHE_SECONDS": "soon"}, "PAGE_CACHE_SECONDS"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, variable):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_postgres_urls_get_health_checks():
    code = (
        "import crisis_tracker.settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['CONN_HEALTH_CHECKS'])"
    )
    environment = {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ct"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "ct", "True"]
