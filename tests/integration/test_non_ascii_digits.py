"""Digits `int()` refuses though `str.isdigit()` accepts them ("²", "³", "①"): every number read from
a URL, a form or a JSON body is a plain "not a number" (the page as usual, or a 4xx with a JSON
body), never a 500 (orderhub.db.validation.is_digits)."""

from __future__ import annotations

import pytest

from orderhub.db.validation import is_digits
from tests.admin_ops_support import signed_in
from tests.conftest import bearer
from tests.returns_support import fulfil, step

ODD = ("²", "1²", "①", "٣")


def test_is_digits_is_ascii_only():
    assert is_digits("0") and is_digits("0123456789")
    for text in (*ODD, "", "-1", "1.0", " 1", "１２"):  # the last: full-width digits
        assert not is_digits(text), text


@pytest.mark.parametrize("odd", ODD)
async def test_pagers_and_quantities_refuse_odd_digits(client, orders, merchants, clock, odd):
    key = merchants["yamakaze"][1]
    for path in ("/api/v1/returns", "/api/v1/claims"):
        for param in ("page", "per_page"):
            r = await client.get(f"{path}?{param}={odd}", headers=bearer(key))
            assert r.status_code == 422 and r.json()["errors"][0]["field"] == param, (path, param, r.text)

    await fulfil(orders["jp_ship"].id)
    base = f"/o/{orders['jp_ship'].token}/returns"
    r = await step(client, base, "items", {"qty_L1": odd})
    assert r.status_code in (200, 422) and "<form" in r.text
    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small"})
    await step(client, base, "resolution", {"resolution": "exchange_other"})
    page = await client.get(f"{base}/new/exchange?page={odd}&lang=en")
    assert page.status_code == 200 and "Trail Runner GTX" in page.text
    r = await step(client, base, "exchange", {"product_id": "trail-runner", "sku": "TR-275-BLU", "quantity": odd})
    assert r.status_code in (200, 422) and "<form" in r.text

    await signed_in(client, clock)
    for path in ("/admin/claims", "/admin/returns", "/admin/shipments", "/admin/reviews", "/admin/detractors"):
        r = await client.get(f"{path}?page={odd}")
        assert r.status_code == 200, (path, r.status_code)
