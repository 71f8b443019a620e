"""Rules that hold for every route, including the ones added later: state changes need CSRF
(except the keyed API and the signed webhooks), and hostile hosts are refused."""

from __future__ import annotations

import re

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT = ("/api/", "/webhooks/")


def concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+:int\}", "1", re.sub(r"\{[^}:]+(:str|:path)?\}", "x" * 32, path))


async def test_every_state_changing_page_route_needs_csrf(app, client):
    checked = []
    for route in app.routes:
        methods = set(getattr(route, "methods", ())) & UNSAFE
        if not methods or route.path.startswith(EXEMPT):
            continue
        for method in methods:
            r = await client.request(method, concrete(route.path), data={"x": "1"})
            assert r.status_code == 403, f"{method} {route.path} answered {r.status_code} without a CSRF token"
            checked.append(f"{method} {route.path}")
    assert "POST /lookup" in checked


async def test_api_routes_need_a_key(app, client):
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for method in set(getattr(route, "methods", ())) - {"OPTIONS", "HEAD"}:
            r = await client.request(method, concrete(route.path), json={})
            assert r.status_code == 401, f"{method} {route.path} answered {r.status_code} without an API key"
            assert r.json()["errors"]


async def test_ids_beyond_64_bits_are_not_found(app, client, merchants):
    from tests.conftest import bearer

    for route in app.routes:
        if "{" not in route.path or ":int}" not in route.path or not route.path.startswith("/api/"):
            continue
        for big in (2**31, 2**63):
            path = concrete(re.sub(r"\{[^}:]+:int\}", str(big), route.path))
            for method in set(getattr(route, "methods", ())) - {"OPTIONS", "HEAD"}:
                r = await client.request(method, path, json={}, headers=bearer(merchants["acme"][1]))
                assert r.status_code == 404, f"{method} {path} -> {r.status_code}"
