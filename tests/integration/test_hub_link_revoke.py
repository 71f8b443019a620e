"""POST /api/v1/orders/{external_id}/links/revoke (issue 18, item 11): the old link then opens the
same 404 as any bad token, the answer has the shape of GET .../links, only the order's own merchant
may revoke."""

from __future__ import annotations

import secrets

from tests.conftest import bearer


async def test_revoking_a_hub_link(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    before = (await client.get("/api/v1/orders/jp_ship/links", headers=bearer(key))).json()
    old = orders["jp_ship"].token
    assert before["hub"].endswith(f"/o/{old}")
    assert (await client.get(f"/o/{old}?lang=en")).status_code == 200

    r = await client.post("/api/v1/orders/jp_ship/links/revoke", headers=bearer(key))
    assert r.status_code == 200
    after = r.json()
    assert set(after) == set(before) and after["hub"] != before["hub"]
    assert all(old not in url for url in after.values())
    assert (await client.get("/api/v1/orders/jp_ship/links", headers=bearer(key))).json() == after

    gone = await client.get(f"/o/{old}?lang=en")
    guess = secrets.token_urlsafe(24)
    unknown = await client.get(f"/o/{guess}?lang=en")
    assert gone.status_code == unknown.status_code == 404
    assert gone.text.replace(old, "TOKEN") == unknown.text.replace(guess, "TOKEN")
    for section in ("/tracking", "/returns", "/receipt.pdf"):
        assert (await client.get(f"/o/{old}{section}")).status_code == 404, section
    new = after["hub"].rsplit("/o/", 1)[1]
    assert (await client.get(f"/o/{new}?lang=en")).status_code == 200


async def test_only_the_orders_merchant_may_revoke(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    _, acme_key, _ = merchants["acme"]
    assert (await client.post("/api/v1/orders/jp_ship/links/revoke")).status_code == 401
    assert (await client.post("/api/v1/orders/jp_ship/links/revoke", headers=bearer("ohk_wrong"))).status_code == 401
    other = await client.post("/api/v1/orders/jp_ship/links/revoke", headers=bearer(acme_key))
    assert other.status_code == 404
    assert (await client.get(f"/o/{orders['jp_ship'].token}")).status_code == 200  # nothing revoked
    for hostile in ("nope", "x" * 5000, "%00", "..%2f..%2fadmin", "' OR 1=1 --"):
        r = await client.post(f"/api/v1/orders/{hostile}/links/revoke", headers=bearer(key))
        assert 400 <= r.status_code < 500, hostile
    assert (await client.get(f"/o/{orders['jp_ship'].token}")).status_code == 200
