"""Outages short of a cache in front: the database or the page cache going away."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from desk.admin import EventAdmin

pytestmark = pytest.mark.django_db


def test_the_health_check_says_ok_while_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_says_503_when_the_database_does_not(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken)
    assert client.get(reverse("healthz")).status_code == 503


def test_the_admin_says_the_database_is_unavailable_instead_of_a_trace(
    client, superuser, monkeypatch
):
    client.force_login(superuser)

    def broken(self, request):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(EventAdmin, "get_queryset", broken)
    response = client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "暂时无法连接数据库" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_with_the_page_cache_gone_pages_render_from_the_database(tiny_crisis, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "crisis_tracker.cache.SharedRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    for name in ("crisis", "timeline"):
        response = client.get(reverse(f"events:{name}", args=["tiny"]))
        assert response.status_code == 200
        assert "Tiny crisis" in response.content.decode()
