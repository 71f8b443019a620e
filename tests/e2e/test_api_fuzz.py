"""Schemathesis against the served OpenAPI document, on a live server with a real API key:
whatever it sends, no server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings


def test_api_never_answers_with_a_server_error(server):
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    headers = {"Authorization": f"Bearer {server.api_key('acme')}"}
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

        call()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "PUT /api/v1/orders/{external_id}" in checked
