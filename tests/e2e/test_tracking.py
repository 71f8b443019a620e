"""The tracking section in a real browser: live update without reload (SSE), accessible in both
languages on phone and desktop, and the same live update across two worker processes on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.e2e.conftest import start_server, stop_server


def post_event(server, slug: str, tracking_number: str, carrier: str, event_id: str, status: str, location: str,
               **extra) -> httpx.Response:
    event = {"id": event_id, "status": status, "location": location, "message": f"Scan at {location}",
             "occurred_at": dt.datetime.now(dt.UTC).isoformat(), **extra}
    return httpx.post(f"{server.url}/api/v1/tracking-events", timeout=10,
                      headers={"Authorization": f"Bearer {server.api_key(slug)}"},
                      json={"carrier": carrier, "tracking_number": tracking_number, "events": [event]})


def wait_live(page) -> None:
    """The EventSource is subscribed (the server sent `ready`): an event published now is not lost."""
    page.wait_for_selector('#tracking-live[data-live="open"]', timeout=10_000)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tracking_page_renders_accessibly(open_page, server, check_axe, shoot, viewport, lang):
    page = open_page(f"/o/{server.token('acme', 'delayed')}/tracking", viewport=viewport, lang=lang)
    assert page.locator(".shipment").count() == 1
    assert "1Z999AA10123456784" in page.inner_text(".shipment__carrier")
    check_axe(page)
    assert page.console_errors == [], page.console_errors
    shoot(page, f"tracking-acme-{lang}-{viewport}")
    jp = open_page(f"/o/{server.token('yamakaze', 'delivered')}/tracking", viewport=viewport, lang=lang)
    assert "4012-3456-7890" in jp.inner_text(".shipment__carrier")
    check_axe(jp)
    shoot(jp, f"tracking-yamakaze-delivered-{lang}-{viewport}")


def test_event_posted_while_open_updates_the_timeline_without_reload(open_page, server):
    page = open_page(f"/o/{server.token('yamakaze', 'shipped')}/tracking", lang="en", viewport="desktop")
    page.evaluate("window.__marker = 'same page'")
    wait_live(page)
    number = page.inner_text(".shipment__carrier a").split("(")[0].strip()
    r = post_event(server, "yamakaze", number, "yamato", "e2e-live-1", "out_for_delivery", "Live Depot E2E")
    assert r.status_code == 202, r.text
    page.wait_for_selector("text=Live Depot E2E", timeout=5_000)
    assert page.evaluate("window.__marker") == "same page"  # no reload
    assert "Out for delivery" in page.inner_text(".shipment .badge")
    assert page.console_errors == [], page.console_errors


async def _open_streams(url: str, token: str, want_pids: int = 2, most: int = 30):
    """SSE streams (one connection each) until `want_pids` worker processes hold at least one."""
    streams = []
    pids = set()
    for _ in range(most):
        client = httpx.AsyncClient(base_url=url, timeout=10)
        cm = client.stream("GET", f"/o/{token}/tracking/events")
        response = await cm.__aenter__()
        lines = response.aiter_lines()
        event = data = ""
        async for line in lines:
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data = line.split(":", 1)[1].strip()
            elif line == "" and event:
                break
        assert event == "ready"
        pids.add(data)
        streams.append((client, cm, lines, data))
        if len(pids) >= want_pids and len(streams) >= 4:
            break
    return streams, pids


async def _next_event(lines) -> str:
    async for line in lines:
        if line.startswith("event:"):
            return line.split(":", 1)[1].strip()
    return ""


def test_two_workers_on_postgres_both_deliver_live_updates(browser):
    import asyncio
    import concurrent.futures

    from tests import pg

    cluster = pg.start()
    server = None
    try:
        server = start_server(workers=2, database_url=cluster.url)
        token = server.token("acme", "delayed")

        async def scenario():
            streams, pids = await _open_streams(server.url, token)
            assert len(pids) == 2, f"all streams landed on one worker: {pids}"
            async with httpx.AsyncClient(timeout=10) as http:
                event = {"id": "e2e-pg-1", "status": "in_transit", "location": "Two Worker Hub",
                         "occurred_at": dt.datetime.now(dt.UTC).isoformat()}
                r = await http.post(f"{server.url}/api/v1/tracking-events",
                                    headers={"Authorization": f"Bearer {server.api_key('acme')}"},
                                    json={"carrier": "ups", "tracking_number": "1Z999AA10123456784", "events": [event]})
                assert r.status_code == 202, r.text
            got = await asyncio.gather(*(asyncio.wait_for(_next_event(lines), 5) for _, _, lines, _ in streams))
            assert got == ["update"] * len(streams)
            for client, cm, _, _ in streams:
                await cm.__aexit__(None, None, None)
                await client.aclose()

        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright's loop owns this thread
            pool.submit(asyncio.run, scenario()).result()
        # and a browser on that deployment sees it without reload
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.goto(f"{server.url}/o/{token}/tracking?lang=en")
        wait_live(page)
        r = post_event(server, "acme", "1Z999AA10123456784", "ups", "e2e-pg-2", "out_for_delivery", "Second Worker Depot")
        assert r.status_code == 202, r.text
        page.wait_for_selector("text=Second Worker Depot", timeout=5_000)
        context.close()
    finally:
        if server:
            stop_server(server)
        cluster.stop()
