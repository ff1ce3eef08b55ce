"""Fuzz the API from its own OpenAPI schema (schemathesis): user input never gives a 500."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from tests.fakes_assistant import fake_app  # noqa: E402

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_asgi("/openapi.json", fake_app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
