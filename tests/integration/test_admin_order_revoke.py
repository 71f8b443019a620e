"""Replacing a shopper's hub link from the admin (issue 18 item 11): the order page found by number,
the confirmation step, the POST with CSRF, the new link shown once, the old link's 404, another
merchant's order, signed-out visitors and hostile ids."""

from __future__ import annotations

import html
import re
import secrets

from tests.admin_ops_support import csrf_of, signed_in
from tests.conftest import bearer


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def test_find_confirm_and_replace_the_link(client, merchants, orders, clock):
    old = orders["jp_ship"].token
    await signed_in(client, clock)
    found = await client.get("/admin/orders?number=YK-100234&lang=en")
    assert found.status_code == 303 and found.headers["location"] == "/admin/orders/jp_ship?lang=en"
    page = await client.get(found.headers["location"])
    assert page.status_code == 200
    assert "Order YK-100234" in text(page) and "The link does not expire." in text(page)
    assert old not in page.text  # the current link is not shown
    assert 'action="/admin/orders/jp_ship/revoke' not in page.text  # only after the confirmation step
    confirm = await client.get("/admin/orders/jp_ship/revoke?lang=en")
    assert confirm.status_code == 200 and "Replace the shopper's link?" in text(confirm)
    assert (await client.get(f"/o/{old}")).status_code == 200  # looking at the confirmation changes nothing

    done = await client.post("/admin/orders/jp_ship/revoke?lang=en", data={"_csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    shown = re.search(r'id="order-new-link">([^<]+)<', done.text).group(1)
    new = shown.rsplit("/o/", 1)[1]
    assert shown == f"http://testserver.local/o/{new}" and new != old
    assert "it is shown only this once" in text(done)
    assert (await client.get(f"/o/{new}")).status_code == 200
    gone, guess = await client.get(f"/o/{old}?lang=en"), secrets.token_urlsafe(24)
    unknown = await client.get(f"/o/{guess}?lang=en")
    assert gone.status_code == unknown.status_code == 404
    assert gone.text.replace(old, "T") == unknown.text.replace(guess, "T")
    # the API answers the same new link; the page afterwards does not show it again
    links = (await client.get("/api/v1/orders/jp_ship/links", headers=bearer(merchants["yamakaze"][1]))).json()
    assert links["hub"] == shown
    again = await client.get("/admin/orders/jp_ship?lang=en")
    assert new not in again.text and "The current link was issued on Nov 22, 2026" in text(again)
    ja = await client.get("/admin/orders/jp_ship/revoke?lang=ja")
    assert "お客様用リンクを再発行しますか？" in text(ja) and "リンクを再発行する" in text(ja)


async def test_staff_may_replace_a_link_of_their_own_shop(client, merchants, orders, clock):
    await signed_in(client, clock, role="staff")
    confirm = await client.get("/admin/orders/jp_pickup/revoke")
    assert confirm.status_code == 200
    done = await client.post("/admin/orders/jp_pickup/revoke", data={"_csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 200
    assert (await client.get(f"/o/{orders['jp_pickup'].token}")).status_code == 404


async def test_another_merchants_order_missing_csrf_and_signed_out(client, merchants, orders, clock):
    acme_link = f"/o/{orders['us_ship'].token}"
    # signed out: to the sign-in page, nothing revoked
    r = await client.get("/admin/orders/us_ship")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    page = await client.get("/admin/sign-in")
    r = await client.post("/admin/orders/jp_ship/revoke", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    await signed_in(client, clock)  # yamakaze's owner
    page = await client.get("/admin/orders/jp_ship")
    token = csrf_of(page.text)
    for path in ("/admin/orders/us_ship", "/admin/orders/us_ship/revoke"):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.post("/admin/orders/us_ship/revoke", data={"_csrf_token": token})).status_code == 404
    assert (await client.get(acme_link)).status_code == 200
    found = await client.get("/admin/orders?number=1042&lang=en")  # acme's order number
    assert found.status_code == 200 and "No order has the number “1042”." in text(found)
    # no CSRF token, or a wrong one: refused, nothing revoked
    assert (await client.post("/admin/orders/jp_ship/revoke")).status_code == 403
    assert (await client.post("/admin/orders/jp_ship/revoke", data={"_csrf_token": "x" * 40})).status_code == 403
    assert (await client.get(f"/o/{orders['jp_ship'].token}")).status_code == 200
    # hostile ids and numbers: 4xx or an empty search, never a 500, escaped
    for hostile in ("nope", "x" * 5000, "%00", "..%2f..%2fadmin", "' OR 1=1 --", "<script>"):
        assert 400 <= (await client.get(f"/admin/orders/{hostile}")).status_code < 500, hostile
        r = await client.post(f"/admin/orders/{hostile}/revoke", data={"_csrf_token": token})
        assert 400 <= r.status_code < 500, hostile
    for number in ("<script>alert(1)</script>", "\x00", "x" * 5000, "ＹＫ－１００２３４"):
        r = await client.get("/admin/orders", params={"number": number, "lang": "en"})
        assert r.status_code in (200, 303), number
        assert "<script>alert" not in r.text
    assert (await client.get(f"/o/{orders['jp_ship'].token}")).status_code == 200


async def test_the_order_page_states_the_links_expiry(client, merchants, orders, clock):
    from orderhub.db.merchants import services

    await services.update_merchant(merchants["yamakaze"][0].id, sections={"links": {"expire_days": 30, "after": "order"}})
    await signed_in(client, clock)
    page = await client.get("/admin/orders/jp_ship?lang=en")
    assert "The link opens the order page until Dec 16, 2026, 10:15 AM." in text(page)
    ja = await client.get("/admin/orders/jp_ship?lang=ja")
    assert "このリンクで注文ページを開けるのは2026年12月16日 10:15までです。" in text(ja)
    # shipments and returns lists lead to the order by its number
    assert (await client.get("/admin/orders?number=YK-100234")).headers["location"] == "/admin/orders/jp_ship"
