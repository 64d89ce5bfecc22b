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
from schemathesis.specs.openapi import checks


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
    # What is checked: no 5xx, and every answer (errors too) matches the schema in status, type
    # and body. Left out: whether the API is exactly as strict as the schema's types. DRF reads
    # a malformed page_size leniently (the default page), and dates and country codes are
    # checked for meaning ("2025-02-31", "ZZ"), which string types cannot say.
    lenient = [checks.negative_data_rejection, checks.positive_data_acceptance]
    case.call_and_validate(headers={"Host": "testserver"}, excluded_checks=lenient)
