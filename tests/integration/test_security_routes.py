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


async def test_a_service_that_finds_nothing_answers_like_every_domain_error(app, client):
    """NotFound raised anywhere: the API gets its code (`exc.as_json()`), people the 404 page with the
    code's message in their language (or the generic one when the code has no message)."""
    from litestar import get

    from orderhub.db.errors import Conflict, NotFound
    from orderhub.site.hub.context import page_language

    @get(["/api/v1/test-refusal/{kind:str}", "/test-refusal/{kind:str}"], sync_to_thread=False)
    def refuse(request: object, kind: str) -> None:
        page_language(request)
        if kind == "conflict":
            raise Conflict("order.test", "test conflict")
        raise NotFound(None if kind == "bare" else "order.not_found", "no such order", field="external_id")

    app.register(refuse)
    api = await client.get("/api/v1/test-refusal/order")
    assert api.status_code == 404
    assert api.json() == {"errors": [{"field": "external_id", "code": "order.not_found", "message": "no such order"}]}
    assert (await client.get("/api/v1/test-refusal/bare")).json()["errors"][0]["code"] == "not_found"
    assert (await client.get("/api/v1/test-refusal/conflict")).status_code == 409
    ja = await client.get("/test-refusal/order?lang=ja")
    assert ja.status_code == 404 and "ご注文が見つかりませんでした。" in ja.text and "no such order" not in ja.text
    en = await client.get("/test-refusal/bare?lang=en")
    assert en.status_code == 404 and "It may have expired or been replaced by a newer one." in en.text
