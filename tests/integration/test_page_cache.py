"""The hub pages' cache: repeated views are served from it, any change to what a page shows is seen
at once (also by another app process on the same database), per-request parts stay per request,
and visits are still counted."""

from __future__ import annotations

import re

import httpx
import pytest
from piccolo.columns import ForeignKey

from orderhub.db import engine
from orderhub.db.analytics import rules as analytics_rules
from orderhub.db.analytics.tables import AnalyticsEvent
from orderhub.db.orders import versions
from orderhub.db.orders.tables import Order
from orderhub.db.piccolo_conf import APP_REGISTRY
from orderhub.db.shipping.tables import TrackingView
from tests.conftest import BASE_URL, fixture
from tests.feedback_support import csrf_of, deliver
from tests.tracking_support import events_body, post_events, put_shipment

CSRF = re.compile(r"\b[0-9a-f]{128}\b")  # Litestar's CSRF tokens, in forms and in hx-headers


def csrf_tokens(html: str) -> set[str]:
    return set(CSRF.findall(html))


async def hub_version(order_id: int) -> int:
    async with engine.read():
        row = await Order.select(Order.hub_version).where(Order.id == order_id).first()
    assert row is not None
    return int(row["hub_version"])


async def test_a_repeat_view_is_served_from_the_cache_with_its_own_csrf_token(app, client, orders):
    token = orders["jp_pickup"].token
    cache = app.state.page_cache
    first = await client.get(f"/o/{token}/pickup?lang=en")
    assert first.status_code == 200 and cache.misses == 1 and cache.hits == 0
    second = await client.get(f"/o/{token}/pickup?lang=en")
    assert second.status_code == 200 and cache.hits == 1
    assert second.text == first.text  # the same browser (cookie): the same token
    assert csrf_tokens(first.text) and "csrfslot" not in first.text
    # another browser gets the cached page with its own token, matching its own cookie
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as other:
        third = await other.get(f"/o/{token}/pickup?lang=en")
        assert cache.hits == 2
        assert csrf_tokens(third.text) == {other.cookies["csrftoken"]}
        assert csrf_tokens(third.text) != csrf_tokens(first.text)
        assert CSRF.sub("", third.text) == CSRF.sub("", first.text)


async def test_each_language_and_each_query_is_its_own_page(app, client, orders):
    token = orders["jp_ship"].token
    for _ in range(2):
        ja = await client.get(f"/o/{token}?lang=ja")
        en = await client.get(f"/o/{token}?lang=en")
        assert 'lang="ja"' in ja.text and 'lang="en"' in en.text
        assert "このページはお客さま専用です" in ja.text and "This page is private to you" in en.text
    # no lang in the URL: Accept-Language decides after the order's own language
    plain = await client.get(f"/o/{token}", headers={"Accept-Language": "en-US"})
    assert 'lang="ja"' in plain.text  # the order was placed in Japanese
    partial = await client.get(f"/o/{token}/tracking?lang=en", headers={"HX-Request": "true",
                                                                         "HX-Request-Type": "partial"})
    full = await client.get(f"/o/{token}/tracking?lang=en")
    assert "<html" not in partial.text and "<html" in full.text


async def test_a_tracking_event_changes_the_cached_tracking_and_hub_pages(app, client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    token, order_id = orders["jp_ship"].token, orders["jp_ship"].id
    before = await hub_version(order_id)
    empty = await client.get(f"/o/{token}/tracking?lang=en")
    assert "Not shipped yet" in empty.text
    assert "Not shipped yet" in (await client.get(f"/o/{token}/tracking?lang=en")).text  # a hit
    await put_shipment(client, key)
    await post_events(client, key, events_body(ids=["ev-1", "ev-2", "ev-3", "ev-4"]))
    assert await hub_version(order_id) > before
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert "Not shipped yet" not in page.text and "Out for delivery" in page.text
    hub = await client.get(f"/o/{token}?lang=en")
    assert "Out for delivery" in hub.text


async def test_an_order_update_and_a_survey_answer_change_the_pages(app, client, merchants, orders, settings, clock):
    from orderhub.db.orders import services

    merchant, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    assert (await client.get(f"/o/{token}?lang=en")).status_code == 200
    body = fixture("orders/jp_ship.json")
    body["customer"]["name"] = "Hanako Suzuki"
    await services.upsert_order(merchant, "jp_ship", body, token_key=settings.key_for("hub-token"), now=clock())
    assert "Hanako" in (await client.get(f"/o/{token}?lang=en")).text
    await deliver(client, key)  # through the carrier API: the survey opens
    hub = await client.get(f"/o/{token}?lang=en")
    assert "How likely are you to recommend us" in hub.text
    answered = await client.post(f"/o/{token}/feedback/nps?lang=en", data={
        "nps": "9", "origin": "confirmation", "_csrf_token": csrf_of(hub.text)})
    assert answered.status_code == 303
    assert "You gave us 9 out of 10." in (await client.get(f"/o/{token}?lang=en")).text


async def test_another_process_sees_a_change_made_by_this_one(app, client, db, settings, clock, merchants, orders):
    """Two apps, each with its own cache, on one database: what one changes, the other shows."""
    from orderhub.site.app import create_app

    other_app = create_app(settings, clock=clock)
    engine.bind(db)
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app), base_url=BASE_URL) as other:
        assert "Not shipped yet" in (await other.get(f"/o/{token}/tracking?lang=en")).text
        assert "Not shipped yet" in (await other.get(f"/o/{token}/tracking?lang=en")).text
        assert other_app.state.page_cache.hits == 1
        await put_shipment(client, key)  # through the first app
        await post_events(client, key, events_body(ids=["ev-1", "ev-2"]))
        assert "Not shipped yet" not in (await other.get(f"/o/{token}/tracking?lang=en")).text


async def test_visits_are_counted_on_hits_too(app, client, orders):
    token, order_id = orders["jp_ship"].token, orders["jp_ship"].id
    app.state.analytics.rows.clear()
    for _ in range(3):
        assert (await client.get(f"/o/{token}/tracking?lang=en")).status_code == 200
        assert (await client.get(f"/o/{token}?lang=en")).status_code == 200
    assert app.state.page_cache.hits == 4
    visits = [(r.values["section"], r.values["kind"]) for r in app.state.analytics.rows if r.table is AnalyticsEvent]
    assert visits.count(("tracking", analytics_rules.VISIT)) == 3
    assert visits.count(("confirmation", analytics_rules.VISIT)) == 3
    # polls (partials) are not visits
    await client.get(f"/o/{token}/tracking", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert len(app.state.analytics.rows) == 9
    await app.state.analytics.flush()  # the tracking views too: the anxious-shopper signal
    async with engine.read():
        assert await TrackingView.count().where(TrackingView.order == order_id) == 3


async def test_a_kept_page_is_never_older_than_the_max_age(app, client, orders, clock):
    """Store and catalog details no version covers: at most `page_cache_max_age_seconds` old (its own
    expiry per entry, tests/integration/test_hub_speed.py; no longer the minute in the key)."""
    token = orders["jp_ship"].token
    await client.get(f"/o/{token}?lang=en")
    clock.advance(seconds=59)
    await client.get(f"/o/{token}?lang=en")
    assert app.state.page_cache.hits == 1
    clock.advance(seconds=1)
    await client.get(f"/o/{token}?lang=en")
    assert app.state.page_cache.hits == 1 and app.state.page_cache.misses == 2


async def test_bad_tokens_and_wrong_sections_are_never_kept(app, client, orders):
    for _ in range(2):
        assert (await client.get("/o/" + "A" * 32)).status_code == 404
        assert (await client.get(f"/o/{orders['jp_pickup'].token}/tracking")).status_code == 404
    assert len(app.state.page_cache) == 0


def _hangs_off_an_order(table, feeds: set[str]) -> bool:
    for column in table._meta.columns:
        if isinstance(column, ForeignKey):
            target = column._foreign_key_meta.resolved_references._meta.tablename
            if target == "orders" or target in feeds:
                return True
    return False


def test_every_table_hanging_off_an_order_feeds_the_hub_version_or_is_declared_not_shown():
    tables = [t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
    names = {t._meta.tablename for t in tables}
    assert set(versions.FEEDS) <= names and versions.NOT_SHOWN <= names
    known = set(versions.FEEDS) | set(versions.NOT_SHOWN)
    missing = sorted(t._meta.tablename for t in tables
                     if t._meta.tablename != "orders" and _hangs_off_an_order(t, set(versions.FEEDS))
                     and t._meta.tablename not in known)
    assert missing == [], f"add these to versions.FEEDS or versions.NOT_SHOWN: {missing}"


async def test_the_triggers_are_installed_on_every_feeding_table(db):
    if db.engine_type == "sqlite":
        rows = await Order.raw("SELECT tbl_name AS t FROM sqlite_master WHERE type = 'trigger'")
    else:
        rows = await Order.raw("SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                               "WHERE NOT g.tgisinternal")
    assert {r["t"] for r in rows} >= set(versions.FEEDS) | {"orders"}


async def test_a_write_that_pages_do_not_show_keeps_the_version(merchants, orders, clock):
    order_id = orders["jp_ship"].id
    before = await hub_version(order_id)
    async with engine.write():
        await TrackingView.insert(TrackingView(merchant=merchants["yamakaze"][0].id, order=order_id, viewed_at=clock()))
    assert await hub_version(order_id) == before


@pytest.mark.parametrize("path", ["", "/tracking", "/returns", "/feedback"])
async def test_every_cached_section_is_answered_alike_on_hit_and_miss(app, client, orders, path):
    token = orders["jp_ship"].token
    miss = await client.get(f"/o/{token}{path}?lang=ja")
    hit = await client.get(f"/o/{token}{path}?lang=ja")
    assert miss.status_code == hit.status_code == 200
    assert hit.text == miss.text and app.state.page_cache.hits == 1
    assert "csrftoken=" in miss.headers["set-cookie"] and "set-cookie" not in hit.headers  # a new visitor's
    assert {k: v for k, v in hit.headers.items() if k != "date"} == {k: v for k, v in miss.headers.items()
                                                                      if k not in ("date", "set-cookie")}
    assert hit.headers["content-encoding"] == "br"  # compressed like every page (httpx asks for br too)


async def test_visits_are_counted_once_with_the_cache_off_too(app, client, orders):
    token = orders["jp_ship"].token
    app.state.page_cache = None  # ORDERHUB_PAGE_CACHE_ENTRIES=0 makes an empty cache; no cache at all here
    app.state.analytics.rows.clear()
    for path in ("", "/tracking", "/returns"):
        assert (await client.get(f"/o/{token}{path}?lang=en")).status_code == 200
    visits = [r.values["section"] for r in app.state.analytics.rows
              if r.table is AnalyticsEvent and r.values["kind"] == analytics_rules.VISIT]
    assert visits == ["confirmation", "tracking", "returns"]
