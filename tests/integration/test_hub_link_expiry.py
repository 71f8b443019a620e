"""Hub links that expire when the merchant says so (issue 18 item 11): the boundary to the moment
with the injected clock, the way to the merchant's lookup page with its message in both languages,
the lookup issuing a working link, the page cache never serving an expired page, and the setting's
form (owners only, clear errors)."""

from __future__ import annotations

import datetime as dt
import html
import re

from tests.admin_ops_support import HTMX, csrf_of, signed_in
from tests.tracking_support import events_body, post_events, put_shipment

PLACED = dt.datetime(2026, 11, 16, 1, 15, tzinfo=dt.UTC)  # jp_ship's placed_at (10:15 in Tokyo)
DELIVERED = dt.datetime(2026, 11, 19, 4, 5, tzinfo=dt.UTC)  # yamato_delivered's delivery scan
EXPIRED_EN = "This link has expired. Find your order with its number and your email or postal code."
EXPIRED_JA = "このリンクは有効期限が切れています。注文番号とメールアドレスまたは郵便番号で注文を探してください。"


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def set_links(merchant_id: int, **links) -> None:
    from orderhub.db.merchants import services

    await services.update_merchant(merchant_id, sections={"links": links})


async def test_the_link_opens_until_the_moment_it_expires_then_leads_to_the_lookup(client, merchants, orders, clock):
    await set_links(merchants["yamakaze"][0].id, expire_days=30, after="order")
    token = orders["jp_ship"].token
    expires = PLACED + dt.timedelta(days=30)
    clock.now = expires - dt.timedelta(seconds=1)
    for section in ("", "/tracking", "/returns"):
        assert (await client.get(f"/o/{token}{section}")).status_code == 200, section

    clock.now = expires
    r = await client.get(f"/o/{token}")
    assert r.status_code == 303 and r.headers["cache-control"] == "no-store"
    assert r.headers["location"] == "/lookup?merchant=yamakaze&expired=1&lang=ja"  # the order's language
    assert token not in r.text
    for section in ("/tracking", "/returns", "/receipt.pdf", "/feedback"):
        assert (await client.get(f"/o/{token}{section}")).headers.get("location", "").startswith("/lookup?"), section
    en = await client.get(f"/o/{token}?lang=en")
    assert en.headers["location"] == "/lookup?merchant=yamakaze&expired=1&lang=en"
    # htmx navigates to the lookup instead of swapping it into the page
    partial = await client.get(f"/o/{token}/tracking", headers=HTMX)
    assert partial.status_code == 204 and partial.headers["hx-redirect"].startswith("/lookup?merchant=yamakaze")
    # a POST from a page left open is sent there too, never acted on
    page = await client.get("/lookup")
    post = await client.post(f"/o/{token}/feedback/nps", data={"_csrf_token": csrf_of(page.text), "score": "10"})
    assert post.status_code == 303 and post.headers["location"].startswith("/lookup?merchant=yamakaze")

    ja = await client.get(r.headers["location"])
    assert ja.status_code == 200 and EXPIRED_JA in text(ja)
    assert '<html lang="ja">' in ja.text
    english = await client.get(en.headers["location"])
    assert EXPIRED_EN in text(english) and '<html lang="en">' in english.text
    # the plain lookup says nothing of the kind, and the flag carries no text of its own
    assert EXPIRED_EN not in text(await client.get("/lookup?merchant=yamakaze&lang=en"))
    hostile = await client.get("/lookup?merchant=yamakaze&lang=en&expired=<script>")
    assert EXPIRED_EN not in text(hostile) and "<script>" not in hostile.text


async def test_the_lookup_issues_a_working_link_for_an_expired_one(client, merchants, orders, clock):
    await set_links(merchants["yamakaze"][0].id, expire_days=30, after="order")
    old = orders["jp_ship"].token
    clock.now = PLACED + dt.timedelta(days=45)
    landing = await client.get(f"/o/{old}")
    lookup = await client.get(landing.headers["location"])
    r = await client.post("/lookup?merchant=yamakaze", data={
        "_csrf_token": csrf_of(lookup.text), "number": "YK-100234", "proof": "hanako.yamada@example.jp"})
    assert r.status_code == 303
    new = r.headers["location"].removeprefix("/o/")
    assert new != old and re.fullmatch(r"[A-Za-z0-9_-]{32}", new)
    assert (await client.get(f"/o/{new}")).status_code == 200
    # the expired link is now replaced: the same 404 as any bad token (like a revoked one)
    assert (await client.get(f"/o/{old}")).status_code == 404
    # a second lookup hands out the same new link; it works for the whole period from its issue
    again = await client.post("/lookup", data={"_csrf_token": csrf_of(lookup.text), "number": "YK-100234",
                                               "proof": "150-0041"})
    assert again.headers["location"] == f"/o/{new}"
    clock.advance(days=30, seconds=-1)
    assert (await client.get(f"/o/{new}")).status_code == 200
    clock.advance(seconds=1)
    assert (await client.get(f"/o/{new}")).status_code == 303
    # the API's links answer the link that works
    from tests.conftest import bearer

    links = (await client.get("/api/v1/orders/jp_ship/links", headers=bearer(merchants["yamakaze"][1]))).json()
    assert links["hub"].endswith(f"/o/{new}")


async def test_a_link_that_has_not_expired_is_not_replaced_by_the_lookup(client, merchants, orders, clock):
    await set_links(merchants["yamakaze"][0].id, expire_days=30, after="order")
    page = await client.get("/lookup")
    r = await client.post("/lookup", data={"_csrf_token": csrf_of(page.text), "number": "YK-100234",
                                           "proof": "150-0041"})
    assert r.headers["location"] == f"/o/{orders['jp_ship'].token}"


async def test_days_after_delivery(client, merchants, orders, clock):
    _merchant, key, _secret = merchants["yamakaze"]
    await set_links(merchants["yamakaze"][0].id, expire_days=7)  # after delivery or pickup (the default)
    token = orders["jp_ship"].token
    clock.now = PLACED + dt.timedelta(days=300)
    assert (await client.get(f"/o/{token}")).status_code == 200  # not delivered yet: no expiry
    assert (await put_shipment(client, key)).status_code in (200, 201)
    assert (await post_events(client, key, events_body())).status_code == 202
    clock.now = DELIVERED + dt.timedelta(days=7, microseconds=-1)
    assert (await client.get(f"/o/{token}")).status_code == 200
    clock.now = DELIVERED + dt.timedelta(days=7)
    assert (await client.get(f"/o/{token}")).status_code == 303
    # the other merchant's orders follow its own setting (none)
    clock.now = PLACED + dt.timedelta(days=3000)
    assert (await client.get(f"/o/{orders['us_ship'].token}")).status_code == 200


async def test_the_page_cache_never_serves_an_expired_page(app, client, merchants, orders, clock):
    await set_links(merchants["yamakaze"][0].id, expire_days=30, after="order")
    token = orders["jp_ship"].token
    cache = app.state.page_cache
    expires = PLACED + dt.timedelta(days=30)
    clock.now = expires - dt.timedelta(seconds=20)
    assert (await client.get(f"/o/{token}?lang=en")).status_code == 200
    clock.now = expires - dt.timedelta(seconds=10)
    assert (await client.get(f"/o/{token}?lang=en")).status_code == 200
    assert cache.hits == 1  # the page is kept, well within the cache's own minute
    clock.now = expires
    r = await client.get(f"/o/{token}?lang=en")
    assert r.status_code == 303 and r.headers["location"].startswith("/lookup?merchant=yamakaze&expired=1")
    assert cache.hits == 1
    # a merchant who lifts the expiry has the link working again at once
    await set_links(merchants["yamakaze"][0].id, expire_days=None)
    assert (await client.get(f"/o/{token}?lang=en")).status_code == 200


async def test_the_setting_in_the_admin(client, merchants, orders, clock):
    await signed_in(client, clock)
    page = await client.get("/admin/settings/links?lang=en")
    assert page.status_code == 200 and "Links stop working after this many days" in text(page)
    token = csrf_of(page.text)
    bad = await client.post("/admin/settings/links?lang=en", data={"_csrf_token": token, "expire_days": "0",
                                                                   "after": "order"})
    assert bad.status_code == 422 and "from 1 to 3650" in text(bad)
    for hostile in ("12abc", "99999999999", "<b>", "-3"):
        r = await client.post("/admin/settings/links?lang=en", data={"_csrf_token": token, "expire_days": hostile,
                                                                     "after": "order"})
        assert r.status_code == 422, hostile
    r = await client.post("/admin/settings/links?lang=en", data={"_csrf_token": token, "expire_days": "1",
                                                                 "after": "nonsense"})
    assert r.status_code == 422
    assert (await client.post("/admin/settings/links", data={"expire_days": "30", "after": "order"})).status_code == 403
    saved = await client.post("/admin/settings/links", data={"_csrf_token": token, "expire_days": "30",
                                                             "after": "order"})
    assert saved.status_code == 303
    ja = await client.get("/admin/settings/links?lang=ja")
    assert "リンクの有効日数" in text(ja) and 'value="30"' in ja.text
    from orderhub.db.orders.queries import merchant_link_settings

    merchant_id = merchants["yamakaze"][0].id
    assert await merchant_link_settings(merchant_id) == {"expire_days": 30, "after": "order"}
    # cleared: never again
    await client.post("/admin/settings/links", data={"_csrf_token": token, "expire_days": "", "after": "order"})
    assert (await merchant_link_settings(merchant_id))["expire_days"] is None
    clock.now = PLACED + dt.timedelta(days=3000)
    assert (await client.get(f"/o/{orders['jp_ship'].token}")).status_code == 200


async def test_staff_cannot_change_the_setting(client, merchants, clock):
    await signed_in(client, clock, role="staff")
    assert (await client.get("/admin/settings/links")).status_code == 403
    page = await client.get("/admin/returns")
    r = await client.post("/admin/settings/links", data={"_csrf_token": csrf_of(page.text), "expire_days": "1"})
    assert r.status_code == 403
