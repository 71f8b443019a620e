"""The shopper's tracking section, the hub summary, signals, and the live stream (real server)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import httpx
import pytest

from orderhub.db.shipping import queries
from tests.tracking_support import events_body, post_events, put_shipment

PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def test_tracking_page_before_and_after_shipping(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    empty = await client.get(f"/o/{token}/tracking?lang=en")
    assert empty.status_code == 200 and "Not shipped yet" in empty.text
    assert 'data-live-connect="/o/' in empty.text  # listens for the first shipment
    await put_shipment(client, key)
    await post_events(client, key, events_body(ids=["ev-1", "ev-2", "ev-3", "ev-4"]))
    page = await client.get(f"/o/{token}/tracking?lang=ja")
    assert page.status_code == 200
    assert "ヤマト運輸" in page.text
    assert "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=401234567890" in page.text
    assert "配達中" in page.text and "渋谷センター" in page.text  # the carrier's own words and place
    assert "2026年11月19日 8:40" in page.text  # local time (Tokyo)
    en = await client.get(f"/o/{token}/tracking?lang=en")
    assert "Out for delivery" in en.text and "Nov 19, 2026, 8:40 AM" in en.text
    # the navigation shows the section for a shipped order
    hub = await client.get(f"/o/{token}?lang=en")
    assert f'href="/o/{token}/tracking?lang=en"' in hub.text


async def test_partial_refresh_and_final(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await put_shipment(client, key)
    part = await client.get(f"/o/{token}/tracking", headers=PARTIAL)
    assert part.status_code == 200 and part.text.lstrip().startswith('<div id="tracking-shipments"')
    assert "<html" not in part.text and 'hx-trigger="update from:#tracking-live' in part.text
    assert "HX-Request" in part.headers["vary"]
    await post_events(client, key, events_body())
    final = await client.get(f"/o/{token}/tracking", headers=PARTIAL)
    assert final.status_code == 286  # polling stops
    assert "hx-trigger" not in final.text and "hx-get" not in final.text
    full = await client.get(f"/o/{token}/tracking")
    assert full.status_code == 200 and "data-live-connect" not in full.text


async def test_bad_tokens_and_pickup_orders_are_404(client, merchants, orders):
    for path in ("/o/nope/tracking", "/o/" + "A" * 32 + "/tracking", "/o/nope/tracking/events"):
        assert (await client.get(path)).status_code == 404
    assert (await client.get(f"/o/{orders['jp_pickup'].token}/tracking")).status_code == 404


async def test_stalled_late_and_anxious_shopper(app, client, merchants, orders, clock):
    merchant, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await put_shipment(client, key)
    await post_events(client, key, events_body(ids=["ev-1", "ev-2"]))  # last scan Tue 17 Nov
    clock.now = dt.datetime(2026, 11, 19, 3, 0, tzinfo=dt.UTC)  # Thu: 2 business days
    assert await queries.stalled_shipments(merchant.id, clock()) == []
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert "No news from the carrier" not in page.text
    clock.now = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)  # Fri: 3 business days, estimate passed
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert "No news from the carrier for a while" in page.text and "Running late" in page.text
    stalled = await queries.stalled_shipments(merchant.id, clock())
    assert [(s.order_number, s.business_days_quiet) for s in stalled] == [("YK-100234", 3)]
    await app.state.analytics.flush()  # tracking views are written with the analytics, once a second
    assert await queries.anxious_shoppers(merchant.id, clock()) == []  # two views so far
    await client.get(f"/o/{token}/tracking")
    await app.state.analytics.flush()
    anxious = await queries.anxious_shoppers(merchant.id, clock())
    assert [(a.order_number, a.views_24h, a.stalled, a.late) for a in anxious] == [("YK-100234", 3, True, True)]
    # the merchant sees the same flags through the API; another merchant sees none of them
    flags = (await client.get("/api/v1/shipments/attention", headers={"Authorization": f"Bearer {key}"})).json()
    assert [(s["order_number"], s["business_days_quiet"], s["late"]) for s in flags["stalled"]] == [("YK-100234", 3, True)]
    assert [(a["order_number"], a["tracking_views_24h"]) for a in flags["anxious_shoppers"]] == [("YK-100234", 3)]
    other = (await client.get("/api/v1/shipments/attention",
                              headers={"Authorization": f"Bearer {merchants['acme'][1]}"})).json()
    unshipped = other.pop("unshipped_late")  # acme's own order, unshipped past its processing days
    assert other == {"stalled": [], "late": [], "anxious_shoppers": []}
    assert unshipped and not [o for o in unshipped if o["order_number"].startswith("YK-")]
    assert (await client.get("/api/v1/shipments/attention")).status_code == 401
    # polls (partial refreshes) are not views; another merchant sees nothing
    await client.get(f"/o/{token}/tracking", headers=PARTIAL)
    assert (await queries.anxious_shoppers(merchant.id, clock()))[0].views_24h == 3
    assert await queries.anxious_shoppers(merchants["acme"][0].id, clock()) == []
    # a day later the views have aged out
    clock.advance(hours=25)
    assert await queries.anxious_shoppers(merchant.id, clock()) == []


async def test_confirmation_badge_reflects_shipments(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await put_shipment(client, key)
    await post_events(client, key, events_body())
    hub = await client.get(f"/o/{token}?lang=en")
    assert "Delivered" in hub.text


# --- live: a real server, an SSE client, an event posted while it listens ------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def live_server(app):
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def next_event(lines) -> str:
    async for line in lines:
        if line.startswith("event:"):
            return line.split(":", 1)[1].strip()
    return ""


async def test_sse_stream_delivers_updates_then_final(live_server, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    headers = {"Host": "testserver.local"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=10) as http:
        await put_shipment(http, key)
        async with http.stream("GET", f"/o/{orders['jp_ship'].token}/tracking/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await asyncio.wait_for(next_event(lines), 5) == "ready"
            await post_events(http, key, events_body(ids=["ev-1"]))
            assert await asyncio.wait_for(next_event(lines), 1) == "update"
            await post_events(http, key, events_body())
            assert await asyncio.wait_for(next_event(lines), 1) == "final"
            rest = [line async for line in lines]  # the server ends the stream after final
            assert not any(line.startswith("event:") for line in rest)
