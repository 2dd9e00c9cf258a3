"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis): with a
dealer's key and a channel's key, every operation gets generated requests — valid and invalid —
and must answer without a server error, with a status code and a body its document declares."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from autodcc.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The app is called in-process: like Django's test client, keep the test's database
    connection (and its transaction) open across requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from autodcc.core import outbox

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    outbox._request.active = outbox._request.kick = False  # the WSGI client never closed the last response


@pytest.fixture(params=["dealer", "channel"])
def api_key(request, net, settings):
    from autodcc.core.actors import SYSTEM
    from autodcc.network.services import api_token_create

    settings.API_RATE_PER_KEY = settings.API_RATE_PER_ADDRESS = settings.API_AUTH_FAILURES = "0"  # fuzz, not limits
    dealer = net.dealer_a if request.param == "dealer" else None
    _token, raw = api_token_create(actor=SYSTEM, name=f"fuzz-{request.param}", dealer=dealer,
                                   channel="" if dealer else "autohome")
    return raw


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_every_generated_request_as_documented(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, checks=CHECKS)
