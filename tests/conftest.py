"""Shared fixtures. Integration tests run on the engine given by --engine (sqlite or postgres);
`make test` runs them on both. Every test starts from empty tables and a fixed clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pytest

#: the payload examples the suite sends: the demo's own copies, the one set in the repository
FIXTURES = Path(__file__).resolve().parent.parent / "orderhub" / "demo" / "fixtures"
#: the project's shared originals beside the checkout; absent in a plain clone (only the drift check reads them)
SHARED_FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BASE_URL = "http://testserver.local"
NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)  # 12:00 in Tokyo, 22:00 the day before in New York


def pytest_addoption(parser):
    parser.addoption("--engine", default="sqlite", choices=["sqlite", "postgres"],
                     help="database engine for the integration tests")


def pytest_collection_modifyitems(config, items):
    """Tests marked `pg` need PostgreSQL itself (several processes on one database): the SQLite pass
    leaves them out, and says so; the PostgreSQL pass of `make test` runs them."""
    if config.getoption("--engine") == "postgres":
        return
    pg_only = [item for item in items if item.get_closest_marker("pg")]
    if pg_only:
        items[:] = [item for item in items if not item.get_closest_marker("pg")]
        config.hook.pytest_deselected(items=pg_only)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    engine = request.config.getoption("--engine")
    if engine == "postgres":
        from tests import pg

        cluster = pg.start()
        request.addfinalizer(cluster.stop)
        url = cluster.url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db')}/orderhub.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["ORDERHUB_SECRET_KEY"] = SECRET
    os.environ["ORDERHUB_BASE_URL"] = BASE_URL
    os.environ["ORDERHUB_SECURE_COOKIES"] = "0"
    os.environ["ORDERHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="orderhub-var-")
    from orderhub.cli import migrate
    from orderhub.settings import Settings

    asyncio.run(migrate(Settings.from_env()))
    return url


@pytest.fixture
def settings(database_url):
    from orderhub.settings import Settings

    return Settings.from_env()


@pytest.fixture
def clock():
    return Clock()


async def _truncate() -> None:
    from orderhub.db import engine as db_engine
    from orderhub.db.piccolo_conf import APP_REGISTRY

    tables = [t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes]
    db = db_engine.current_engine()
    if db.engine_type == "postgres":
        await _empty_postgres(db, tables)
    else:
        async with db_engine.write():
            for table in reversed(tables):
                await table.delete(force=True)


async def _empty_postgres(db, tables: list) -> None:
    """Deletes the rows of the tables that have any (children first) and restarts every sequence,
    in one round trip after one probe: a TRUNCATE of all the tables took ~250 ms, most of them
    empty after a test."""
    names = [t._meta.tablename for t in tables]
    probe = " UNION ALL ".join(f"SELECT '{name}' AS name WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names)
    async with db.pool.acquire() as connection:
        filled = {row["name"] for row in await connection.fetch(probe)}
        deletes = "".join(f'DELETE FROM "{name}";' for name in reversed(names) if name in filled)
        await connection.execute(deletes + "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                                           " FROM pg_sequences WHERE schemaname = current_schema();")


@pytest.fixture
async def db(settings):
    """A bound, started engine with empty tables."""
    from orderhub.db import engine as db_engine

    engine = db_engine.engine_for(settings)
    db_engine.bind(engine)
    await db_engine.start(engine, settings)
    await _truncate()
    yield engine
    await db_engine.stop(engine)


#: the apps built in this test process, one per settings: building one registers every route
#: (about 0.4 s) and compiles templates on first use; each test gets a used one with fresh state
_APPS: dict = {}


@pytest.fixture
def app(db, settings, clock):
    from litestar.datastructures import State

    from orderhub.site.app import app_state, create_app

    application = _APPS.get(settings)
    if application is None:
        application = _APPS[settings] = create_app(settings, clock=clock)
    else:  # the live updates' plugin is part of the app (its plugins), the rest starts afresh
        application.state = State({**app_state(settings, clock), "live": application.state.live})
    from orderhub.db import engine as db_engine

    db_engine.bind(db)  # create_app made its own engine; the test keeps the started one
    return application


@pytest.fixture
async def client(app):
    """An httpx client on the app, in the test's own event loop."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, follow_redirects=False) as c:
        yield c


@pytest.fixture
async def merchants(db, clock):
    """Both fixture merchants with their stores and catalog: {slug: (Merchant, api_key)}."""
    from orderhub.db import engine as db_engine
    from orderhub.db.branding import services as branding
    from orderhub.db.demo_context import with_texts
    from orderhub.db.merchants import services
    from orderhub.db.merchants.tables import Merchant
    from orderhub.db.orders import services as orders

    out = {}
    stores = fixture("stores.json") | fixture("acme_stores.json")
    catalogs = {"yamakaze": fixture("catalog/yamakaze_products.json"), "acme": fixture("acme_products.json")}
    for entry in fixture("merchants.json"):
        created = await services.create_merchant(entry["slug"], entry["name"], locale=entry["locale"],
                                                 currency=entry["currency"], timezone=entry["timezone"], now=clock())
        await branding.update_merchant_settings(
            created.id, {k: v for k, v in with_texts("merchants", entry["slug"], entry).items() if k != "slug"})
        async with db_engine.read():
            merchant = await Merchant.objects().output(load_json=True).where(Merchant.id == created.id).first()
        for store in stores.get(entry["slug"], []):
            await services.upsert_store(created.id, store["code"],
                                        with_texts("stores", f"{entry['slug']}:{store['code']}", store), now=clock())
        for product in catalogs[entry["slug"]]:
            await orders.upsert_product(merchant, product["id"],
                                        with_texts("products", f"{entry['slug']}:{product['id']}", product), now=clock())
        out[entry["slug"]] = (merchant, created.api_key, created.webhook_secret)
    return out


@pytest.fixture
async def orders(merchants, settings, clock):
    """The three fixture orders: {name: OrderRef} (jp_ship, jp_pickup for yamakaze; us_ship for acme)."""
    from orderhub.db.orders import services

    key = settings.key_for("hub-token")
    refs = {}
    for name, slug in (("jp_ship", "yamakaze"), ("jp_pickup", "yamakaze"), ("us_ship", "acme")):
        refs[name] = await services.upsert_order(merchants[slug][0], name, fixture(f"orders/{name}.json"),
                                                 token_key=key, now=clock())
    return refs


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
