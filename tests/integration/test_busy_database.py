"""A database busy past its timeout (issue 18, item 3): another connection holds the write lock
(SQLite: BEGIN IMMEDIATE; PostgreSQL: EXCLUSIVE table locks, which still let readers through).
Writes answer 503 with Retry-After, JSON for the API and a page for people, never 500; every page a
shopper opens still answers (no GET writes in the request); a failed analytics flush keeps its batch."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sqlite3

import pytest

from tests.conftest import BASE_URL, bearer, fixture
from tests.feedback_support import csrf_of

BUSY_MS = 300


@pytest.fixture
async def busy_app(db, merchants, settings, clock):
    """The app with a short busy timeout, so a held lock turns into an answer quickly."""
    from orderhub.db import engine as db_engine
    from orderhub.site.app import create_app

    quick = dataclasses.replace(settings, db_busy_timeout_ms=BUSY_MS)
    engine = db_engine.engine_for(quick)
    application = create_app(quick, clock=clock)
    db_engine.bind(engine)
    await db_engine.start(engine, quick)
    yield application
    await db_engine.stop(engine)


@pytest.fixture
async def busy_client(busy_app):
    import httpx

    transport = httpx.ASGITransport(app=busy_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


@contextlib.asynccontextmanager
async def write_lock(settings):
    """Another connection holds the database's write lock until the block ends."""
    from orderhub.db.piccolo_conf import APP_REGISTRY

    if settings.is_postgres:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        tables = ", ".join(f'"{t._meta.tablename}"' for app in APP_REGISTRY.app_configs.values()
                           for t in app.table_classes)
        tx = conn.transaction()
        await tx.start()
        await conn.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            await tx.rollback()
            await conn.close()
    else:
        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()


def _shopper_pages(app, token: str) -> list[str]:
    """Every GET route of a hub link that needs nothing but the token."""
    paths = []
    for route in app.routes:
        if "GET" in getattr(route, "methods", ()) and route.path.startswith("/o/{token:str}"):
            rest = route.path.removeprefix("/o/{token:str}")
            if "{" not in rest and not rest.endswith("/events"):
                paths.append(f"/o/{token}{rest}")
    return paths


async def test_writes_answer_503_with_retry_after_and_pages_still_open(busy_app, busy_client, settings, merchants,
                                                                     orders):
    key = merchants["yamakaze"][1]
    token = orders["jp_ship"].token
    form_page = await busy_client.get(f"/o/{token}?lang=en")
    csrf = csrf_of(form_page.text)
    # the one GET that writes, once: a receipt's gapless number is taken on its first view
    for ref in orders.values():
        assert (await busy_client.get(f"/o/{ref.token}/receipt")).status_code == 200
    pages = _shopper_pages(busy_app, token) + _shopper_pages(busy_app, orders["jp_pickup"].token)
    assert f"/o/{token}/tracking" in pages and f"/o/{token}" in pages
    async with write_lock(settings):
        changed = fixture("orders/jp_ship.json")
        changed["customer"]["name"] = "山田 花"
        api = await busy_client.put("/api/v1/orders/jp_ship", json=changed, headers=bearer(key))
        assert api.status_code == 503, api.text
        assert api.headers["retry-after"].isdigit()
        assert api.json()["errors"][0]["code"] == "busy"
        # a person's form that writes (the lookup counts the attempt)
        person = await busy_client.post("/lookup?lang=en", data={"number": "YK-100234", "proof": "x@example.com",
                                                                "_csrf_token": csrf})
        assert person.status_code in (503,), person.text[:300]
        assert person.headers["retry-after"].isdigit()
        assert "text/html" in person.headers["content-type"]
        assert "try again in a moment" in person.text
        opened = {}
        for path in pages:  # viewing never waits for the lock: nothing is written in the request
            r = await busy_client.get(path + "?lang=en")
            assert r.status_code < 500, f"GET {path} answered {r.status_code} under a held write lock"
            opened[path] = r.status_code
        # the sections each order has open as usual (a shipped order has no pickup page, and so on)
        assert opened[f"/o/{token}"] == opened[f"/o/{token}/tracking"] == opened[f"/o/{token}/receipt"] == 200
        assert opened[f"/o/{orders['jp_pickup'].token}/pickup"] == 200
    again = await busy_client.put("/api/v1/orders/jp_ship", json=changed, headers=bearer(key))
    assert again.status_code == 200


async def test_a_failed_analytics_flush_keeps_its_batch_and_tries_again(busy_app, settings, merchants, orders, clock):
    from orderhub.db import engine
    from orderhub.db.analytics.tables import AnalyticsEvent

    buffer = busy_app.state.analytics
    merchant = merchants["yamakaze"][0]
    for _ in range(3):
        buffer.add(merchant.id, "view", now=clock(), order_id=orders["jp_ship"].id, section="hub")
    async with write_lock(settings):
        with pytest.raises(Exception) as failed:
            await buffer.flush()
        assert engine.is_busy(failed.value)
    assert len(buffer.rows) == 3
    assert await buffer.flush() == 3
    async with engine.read():
        assert len(await AnalyticsEvent.select(AnalyticsEvent.id).where(AnalyticsEvent.section == "hub")) >= 3


async def test_a_batch_that_never_goes_in_is_given_up_after_its_attempts(busy_app, settings, merchants, orders, clock):
    from orderhub.db import engine

    buffer = busy_app.state.analytics
    buffer.max_attempts = 2
    buffer.add(merchants["yamakaze"][0].id, "view", now=clock(), order_id=orders["jp_ship"].id, section="hub")
    async with write_lock(settings):
        for _ in range(2):
            with pytest.raises(Exception) as failed:
                await buffer.flush()
            assert engine.is_busy(failed.value)
    assert buffer.rows == [] and buffer.dropped == 1


def test_the_busy_page_is_in_both_languages():
    from orderhub.components import i18n

    for text in ("We're a little busy", "Too many people are doing this at once. Please try again in a moment."):
        ja = i18n.translations("ja").gettext(text)
        assert ja != text and not re.search(r"[A-Za-z]{3}", ja)
