"""A property-based fuzzer (schemathesis) against the live OpenAPI schema: generated requests to
every operation, checking that none gets a 5xx and every response matches the schema."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings


def live_schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/v1/schema/ serves, generated the same way, with the app to call."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    loaded.app = get_wsgi_application()
    return loaded


schema = live_schema()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connection_kept():
    """The app is called as WSGI, outside Django's test client, so keep it from closing the
    test's database connection at the end of each request (as the test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_breaks_the_api_or_its_schema(case, seed):
    # Every check schemathesis has: no 5xx, every answer (errors too) matches the schema in
    # status, type and body, and the API is exactly as strict as the schema says: what it
    # allows is accepted, what it does not is refused with a 4xx.
    case.call_and_validate(headers={"Host": "testserver"})
