"""The integration API (docs/api.md): idempotent writes, 4xx with field paths, nothing stored
on bad input, one merchant never sees another's data."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from tests.conftest import BASE_URL, FIXTURES, SHARED_FIXTURES, bearer, fixture


async def count(table) -> int:
    from orderhub.db import engine

    async with engine.read():
        return await table.count()


async def test_put_order_creates_then_is_idempotent(client, merchants):
    from orderhub.db.orders.tables import Order, OrderLine

    key = merchants["acme"][1]
    body = fixture("orders/us_ship.json")
    first = await client.put("/api/v1/orders/shop-1042", json=body, headers=bearer(key))
    assert first.status_code == 201
    answer = first.json()
    assert answer["number"] == "1042" and answer["hub_url"].startswith(f"{BASE_URL}/o/")
    again = await client.put("/api/v1/orders/shop-1042", json=body, headers=bearer(key))
    assert again.status_code == 200 and again.json() == answer
    assert await count(Order) == 1 and await count(OrderLine) == 2
    hub = await client.get(answer["hub_url"].removeprefix(BASE_URL))
    assert hub.status_code == 200 and "$155.64" in hub.text


async def test_update_changes_the_order_and_keeps_the_link(client, merchants):
    key = merchants["acme"][1]
    body = fixture("orders/us_ship.json")
    first = (await client.put("/api/v1/orders/o1", json=body, headers=bearer(key))).json()
    changed = copy.deepcopy(body)
    changed["customer"]["name"] = "Jordan Q. Lee"
    second = await client.put("/api/v1/orders/o1", json=changed, headers=bearer(key))
    assert second.status_code == 200 and second.json()["hub_url"] == first["hub_url"]
    page = await client.get(first["hub_url"].removeprefix(BASE_URL))
    assert "Jordan" in page.text


async def test_bad_orders_get_422_with_paths_and_store_nothing(client, merchants):
    from orderhub.db.orders.tables import Order, OrderLine

    key = merchants["acme"][1]
    body = fixture("orders/us_ship.json")
    body["lines"][0]["quantity"] = -2
    body["lines"][1]["unit_price"] = 15.0
    body["totals"]["total"] = "999.00"
    r = await client.put("/api/v1/orders/bad", json=body, headers=bearer(key))
    assert r.status_code == 422
    paths = {e["field"] for e in r.json()["errors"]}
    assert {"lines[0].quantity", "lines[1].unit_price"} <= paths
    for raw in (b"{not json", b"", b"[]", b'{"number": NaN}'):
        r = await client.put("/api/v1/orders/bad", content=raw, headers=bearer(key) | {"content-type": "application/json"})
        assert r.status_code == 422, raw
        assert r.json()["errors"][0]["field"] in ("body", "currency")
    assert await count(Order) == 0 and await count(OrderLine) == 0


async def test_totals_that_do_not_add_up(client, merchants):
    key = merchants["yamakaze"][1]
    body = fixture("orders/jp_ship.json")
    body["totals"]["subtotal"] = "17000"
    r = await client.put("/api/v1/orders/x", json=body, headers=bearer(key))
    assert r.status_code == 422
    assert any(e["field"] == "totals.subtotal" and "17560" in e["message"] for e in r.json()["errors"])


async def test_missing_wrong_and_other_merchants_keys(client, merchants, orders):
    assert (await client.get("/api/v1/orders/jp_ship/links")).status_code == 401
    r = await client.get("/api/v1/orders/jp_ship/links", headers=bearer("ohk_wrong"))
    assert r.status_code == 401 and r.json()["errors"]
    # acme asks for yamakaze's order: it does not exist for acme
    r = await client.get("/api/v1/orders/jp_ship/links", headers=bearer(merchants["acme"][1]))
    assert r.status_code == 404
    assert r.json() == {"errors": [{"field": "external_id", "code": "order.not_found", "message": "no such order"}]}
    r = await client.get("/api/v1/orders/jp_ship/links", headers=bearer(merchants["yamakaze"][1]))
    assert r.status_code == 200
    links = r.json()
    assert set(links) == {"hub", "tracking", "pickup", "returns", "feedback", "receipt", "lookup"}  # lookup: added
    assert links["hub"] == f"{BASE_URL}/o/{orders['jp_ship'].token}"
    assert links["receipt"].endswith("/receipt.pdf")


async def test_body_over_the_limit_is_413(client, merchants):
    r = await client.put("/api/v1/orders/huge", content=b"{" + b" " * 400_000 + b"}",
                         headers=bearer(merchants["acme"][1]) | {"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["errors"]


async def test_put_merchant_store_product(client, merchants):
    key = merchants["acme"][1]
    entry = {k: v for k, v in fixture("merchants.json")[1].items() if k != "slug"}
    entry["support"]["email"] = "care@acme.example.com"
    r = await client.put("/api/v1/merchant", json=entry, headers=bearer(key))
    assert r.status_code == 200 and r.json()["support"]["email"] == "care@acme.example.com"
    entry["brand"]["primary_color"] = "red;}*{display:none"
    r = await client.put("/api/v1/merchant", json=entry, headers=bearer(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "brand.primary_color"
    store = fixture("acme_stores.json")["acme"][0]
    assert (await client.put("/api/v1/stores/midtown", json=store | {"code": "midtown"}, headers=bearer(key))).status_code == 201
    assert (await client.put("/api/v1/stores/midtown", json=store | {"code": "midtown"}, headers=bearer(key))).status_code == 200
    bad = store | {"code": "midtown", "hours": [{"days": "mon-fri", "open": "25:00", "close": "10:00"}]}
    r = await client.put("/api/v1/stores/midtown", json=bad, headers=bearer(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hours[0].open"
    # the browser suite's fuzzer found a 500 here: days given as a list (a set of names can't hold one)
    fuzzed = {"address": {}, "name": "", "timezone": "", "hours": [{"days": []}]}
    r = await client.put("/api/v1/stores/0", json=fuzzed, headers=bearer(key))
    assert r.status_code == 422 and "hours[0].days" in [e["field"] for e in r.json()["errors"]]
    product = fixture("acme_products.json")[0] | {"id": "new-shoe"}
    assert (await client.put("/api/v1/products/new-shoe", json=product, headers=bearer(key))).status_code == 201
    assert (await client.put("/api/v1/products/new-shoe", json=product, headers=bearer(key))).status_code == 200
    r = await client.put("/api/v1/products/new-shoe", json=product | {"url": "javascript:alert(1)"}, headers=bearer(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "url"


async def test_openapi_document_lists_the_contract(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/merchant", "/api/v1/stores/{code}", "/api/v1/products/{product_id}",
                 "/api/v1/orders/{external_id}", "/api/v1/orders/{external_id}/links"):
        assert path in paths, path


def test_cli_merchant_and_user_create(database_url):
    run = lambda *args, input=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "orderhub.cli", *args], input=input, capture_output=True, text=True)
    r = run("merchant", "create", "--slug", "kumo", "--name", "雲ストア", "--locale", "ja-JP", "--currency", "JPY",
            "--timezone", "Asia/Tokyo")
    assert r.returncode == 0, r.stderr
    created = json.loads(r.stdout)
    assert created["slug"] == "kumo" and created["api_key"].startswith("ohk_") and created["webhook_secret"]
    assert run("merchant", "create", "--slug", "kumo", "--name", "again").returncode == 1
    bad = run("merchant", "create", "--slug", "Bad Slug", "--name", "x")
    assert bad.returncode == 2 and "slug" in bad.stderr
    r = run("user", "create", "--merchant", "kumo", "--email", "owner@kumo.example", "--role", "owner",
            input="correct horse battery\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["role"] == "owner"
    short = run("user", "create", "--merchant", "kumo", "--email", "b@kumo.example", "--role", "owner", input="short\n")
    assert short.returncode == 2


async def test_parallel_duplicate_puts_store_one_order(client, merchants):
    import asyncio

    from orderhub.db.orders.tables import Order, OrderLine

    key = merchants["yamakaze"][1]
    body = fixture("orders/jp_ship.json")
    answers = await asyncio.gather(*(client.put("/api/v1/orders/race", json=body, headers=bearer(key)) for _ in range(20)))
    codes = sorted(r.status_code for r in answers)
    assert codes.count(201) == 1 and codes.count(200) == 19, codes
    assert len({r.json()["hub_url"] for r in answers}) == 1
    assert await count(Order) == 1 and await count(OrderLine) == 3


#: the shared originals found beside the checkout. A plain clone has no ../shared/fixtures: then the
#: drift check below is not even defined, so nothing is collected and nothing is reported as skipped.
SHARED_COPIES = sorted(p.relative_to(SHARED_FIXTURES).as_posix()
                       for p in SHARED_FIXTURES.rglob("*.json")) if SHARED_FIXTURES.is_dir() else []

if SHARED_COPIES:
    @pytest.mark.parametrize("name", SHARED_COPIES)
    def test_demo_fixtures_are_the_shared_ones(name):
        """The demo ships copies of the shared fixtures (the suite reads only those); they must not drift."""
        ours = FIXTURES / name
        assert ours.is_file(), f"{name} is in {SHARED_FIXTURES} but not in {FIXTURES}"
        assert ours.read_text() == (SHARED_FIXTURES / name).read_text(), f"{name} drifted from {SHARED_FIXTURES}"
