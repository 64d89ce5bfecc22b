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
        (
            {"DJANGO_DEBUG": "1", "MAP_TILE_URL": "ftp://tiles.example.org/{z}/{x}/{y}.png"},
            "MAP_TILE_URL",
        ),
        (
            {"DJANGO_DEBUG": "1", "MAP_TILE_URL": "https://tiles.example.org/map.png"},
            "MAP_TILE_URL",
        ),
        (
            {"DJANGO_DEBUG": "1", "MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"},
            "MAP_TILE_ATTRIBUTION",
        ),
        ({"DJANGO_DEBUG": "1", "GAZETTEER_MIN_POPULATION": "7"}, "GAZETTEER_MIN_POPULATION"),
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


def content_security_policy(**env: str) -> str:
    code = "import crisis_tracker.settings as s; print(s.CONTENT_SECURITY_POLICY)"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MAP_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_tile_server_adds_its_host_and_nothing_else_to_the_policy():
    offline = content_security_policy()
    tiles = content_security_policy(
        MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© OpenStreetMap contributors",
    )
    assert "img-src 'self' data:;" in offline
    assert tiles == offline.replace(
        "img-src 'self' data:;", "img-src 'self' data: https://tiles.example.org;"
    )
