"""What the hub's fast path must never change for a shopper: a kept page is served until the first
moment its clock-dependent words change (a deadline, local midnight), and never after; a merchant
edit shows at once, whichever process made it; Japanese and English pages rendered one after the
other in one process never borrow each other's words."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest

from orderhub.db import engine
from orderhub.db.merchants import services as merchant_services
from orderhub.db.merchants.tables import Merchant
from tests.conftest import BASE_URL

PLACED = dt.datetime(2026, 11, 16, 1, 15, tzinfo=dt.UTC)  # jp_ship: 10:15 in Tokyo, one hour to cancel


@pytest.fixture
def long_lived_app(db, settings, clock):
    """The app with kept pages allowed to live a day, so that only their own expiry ends them."""
    from orderhub.site.app import create_app

    application = create_app(dataclasses.replace(settings, page_cache_max_age_seconds=86400), clock=clock)
    engine.bind(db)
    return application


@pytest.fixture
async def long_client(long_lived_app):
    transport = httpx.ASGITransport(app=long_lived_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def test_a_kept_page_changes_exactly_when_the_cancellation_window_closes(long_lived_app, long_client, orders,
                                                                               clock):
    cache = long_lived_app.state.page_cache
    url = f"/o/{orders['jp_ship'].token}?lang=en"
    clock.now = PLACED + dt.timedelta(minutes=10)
    first = await long_client.get(url)
    assert "You can cancel until" in first.text
    clock.now = PLACED + dt.timedelta(minutes=59, seconds=59)  # minutes later: still the same page
    assert "You can cancel until" in (await long_client.get(url)).text
    assert cache.hits == 1
    clock.now = PLACED + dt.timedelta(hours=1)  # the deadline itself
    closed = await long_client.get(url)
    assert "The cancellation period ended" in closed.text and "You can cancel until" not in closed.text
    assert cache.hits == 1 and cache.misses == 2


async def test_a_kept_page_lasts_until_local_midnight_not_the_next_minute(long_lived_app, long_client, orders, clock):
    cache = long_lived_app.state.page_cache
    url = f"/o/{orders['jp_ship'].token}?lang=en"
    tokyo = ZoneInfo("Asia/Tokyo")
    clock.now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=tokyo).astimezone(dt.UTC)
    await long_client.get(url)
    for later in (dt.timedelta(minutes=1), dt.timedelta(hours=5), dt.timedelta(hours=11, minutes=59, seconds=59)):
        clock.now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=tokyo).astimezone(dt.UTC) + later
        await long_client.get(url)
    assert cache.hits == 3 and cache.misses == 1
    clock.now = dt.datetime(2026, 11, 23, 0, 0, tzinfo=tokyo).astimezone(dt.UTC)  # a new day in Tokyo
    await long_client.get(url)
    assert cache.misses == 2


async def test_a_clock_set_back_never_gets_a_page_rendered_later(app, client, orders, clock):
    url = f"/o/{orders['jp_ship'].token}?lang=en"
    clock.now = PLACED + dt.timedelta(hours=2)
    assert "The cancellation period ended" in (await client.get(url)).text
    clock.now = PLACED + dt.timedelta(minutes=5)
    assert "You can cancel until" in (await client.get(url)).text


async def _support_email(client, url: str) -> str:
    return (await client.get(url)).text


async def test_a_merchant_edit_shows_at_once(app, client, orders, merchants):
    """The merchant and brand are kept per merchants.version: an edit through the service shows on
    the next view (page cache and merchant kept alike)."""
    merchant = merchants["yamakaze"][0]
    url = f"/o/{orders['jp_ship'].token}?lang=en"
    assert "help-desk@example.com" not in (await client.get(url)).text
    assert "help-desk@example.com" not in (await client.get(url)).text  # kept
    support = {**dict(merchant.support or {}), "email": "help-desk@example.com"}
    assert await merchant_services.update_merchant(merchant.id, columns={"support": support})
    assert "help-desk@example.com" in (await client.get(url)).text


async def test_a_merchant_edit_made_by_another_process_shows_at_once(app, client, orders, merchants, db, settings,
                                                                     clock):
    """Another process changes the merchant row in the database (name and version, as its service
    does): this process's kept merchant and kept pages give way on the next view. On PostgreSQL the
    second app below has its own caches on the same database."""
    from orderhub.site.app import create_app

    other_app = create_app(settings, clock=clock)
    engine.bind(db)
    merchant = merchants["yamakaze"][0]
    url = f"/o/{orders['jp_ship'].token}?lang=en"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app), base_url=BASE_URL) as other:
        for c in (client, other, client, other):
            assert "Yamakaze Renamed" not in (await c.get(url)).text
        # what another process's update_merchant writes, straight into the database
        async with engine.write():
            await Merchant.update({Merchant.name: "Yamakaze Renamed", Merchant.version: Merchant.version + 1}).where(
                Merchant.id == merchant.id)
        assert "Yamakaze Renamed" in (await client.get(url)).text
        assert "Yamakaze Renamed" in (await other.get(url)).text


@pytest.mark.parametrize("cached", [True, False])
async def test_japanese_and_english_pages_alternately_never_mix(app, client, orders, cached):
    if not cached:
        app.state.page_cache.max_entries = 0
    token = orders["jp_ship"].token
    for _ in range(3):
        for section in ("", "/tracking", "/returns"):
            ja = (await client.get(f"/o/{token}{section}?lang=ja")).text
            en = (await client.get(f"/o/{token}{section}?lang=en")).text
            assert 'lang="ja"' in ja and 'lang="en"' in en
            assert "このページはお客さま専用です" in ja and "This page is private to you" not in ja
            assert "This page is private to you" in en and "このページはお客さま専用です" not in en
            # the navigation (a translated literal) and the footer follow each page's language
            assert ">Tracking<" in en and ">Tracking<" not in ja
        ja = (await client.get(f"/o/{token}/receipt?lang=ja")).text
        en = (await client.get(f"/o/{token}/receipt?lang=en")).text
        assert "<title>領収書" in ja and "<title>Receipt" in en and "<title>Receipt" not in ja
