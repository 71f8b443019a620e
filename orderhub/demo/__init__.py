"""`orderhub demo`: the fixture merchants, stores, catalog and orders in every state.

The base data goes in through the same services the API uses. Each area that can move an order
into a state (tracking, pickup, returns, ...) has a step in its db/<area>/demo.py that does it
through its own services; STEPS below lists them in order. The demo prints one hub URL per order,
with the state it is in.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Awaitable, Callable

from orderhub.db import engine
from orderhub.db.analytics import demo as analytics_demo
from orderhub.db.branding import services as branding
from orderhub.db.demo_context import DemoContext, DemoOrder, fixture, with_texts
from orderhub.db.feedback import demo as feedback_demo
from orderhub.db.merchants import demo as merchants_demo
from orderhub.db.merchants import services as merchants
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import services as orders
from orderhub.db.pickup import demo as pickup_demo
from orderhub.db.returns import demo as returns_demo
from orderhub.db.returns import dropoff_demo
from orderhub.db.shipping import demo as shipping_demo
from orderhub.db.worklists import demo as worklists_demo
from orderhub.settings import Settings

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
#: how long before the demo runs each order was placed, by the state it shows (and for the orders
#: whose fixture timelines are moved to end at a set time, by order): always before its first
#: carrier event (db/shipping/demo.py) or pickup step (db/pickup/demo.py), so that every state looks
#: as it would on the day the demo runs
PLACED_AGO: dict[str, dt.timedelta] = {
    "ready_for_pickup": 1 * D + 3 * H, "shipped": 2 * D + 6 * H, "out_for_delivery": 3 * D,
    "delivered": 6 * D, "returned": 13 * D,
    "jp-1001": 5 * D,  # yamato_delivered.json: delivered two days ago
    "us-1042": 7 * D,  # ups_delayed.json: its last scan three hours ago, after a week on the way
}


def placed_at(demo: DemoOrder, now: dt.datetime, offset: dt.timedelta) -> dt.datetime:
    """When a demo order was placed, in its shop's time (UTC offset): a placed order earlier today."""
    here = now.astimezone(dt.timezone(offset))
    if demo.state == "placed":
        since_midnight = here - here.replace(hour=0, minute=0, second=0, microsecond=0)
        return here - min(2 * H, since_midnight / 2)
    return here - PLACED_AGO.get(demo.external_id, PLACED_AGO.get(demo.state, 1 * D))


def dated(body: dict, demo: DemoOrder, now: dt.datetime) -> dict:
    """The order body placed relative to `now`; its promised date moves with it (whole days)."""
    fixture_placed = dt.datetime.fromisoformat(body["placed_at"])
    offset = fixture_placed.utcoffset() or dt.timedelta(0)
    placed = placed_at(demo, now, offset)
    body["placed_at"] = placed.isoformat(timespec="seconds")
    promised = (body.get("fulfillment") or {}).get("promised_date")
    if promised:
        days = placed.date() - fixture_placed.date()
        body["fulfillment"]["promised_date"] = (dt.date.fromisoformat(promised) + days).isoformat()
    return body


DEMO_ORDERS: list[DemoOrder] = [
    DemoOrder("yamakaze", "jp-1001", "jp_ship", "delivered", tracking="yamato_delivered"),
    DemoOrder("yamakaze", "jp-1002", "jp_pickup", "ready_for_pickup"),
    DemoOrder("yamakaze", "jp-1003", "jp_ship", "placed", {"number": "YK-100240"}),
    DemoOrder("yamakaze", "jp-1004", "jp_ship", "shipped", {"number": "YK-100241"}),
    DemoOrder(
        "yamakaze", "jp-1005", "jp_ship", "out_for_delivery", {"number": "YK-100242"}
    ),
    DemoOrder("yamakaze", "jp-1006", "jp_ship", "returned", {"number": "YK-100228"}),
    DemoOrder("acme", "us-1042", "us_ship", "delayed", tracking="ups_delayed"),
    DemoOrder("acme", "us-1043", "us_ship", "placed", {"number": "1043"}),
    DemoOrder("acme", "us-1044", "us_ship", "delivered", {"number": "1044"}),
    # delivered orders of other shoppers whose returns wait in the merchant's queue (db/worklists/demo.py)
    DemoOrder(
        "yamakaze",
        "jp-1000",
        "jp_ship",
        "delivered",
        {
            "number": "YK-100219",
            "customer": {"name": "鈴木 一郎", "email": "ichiro.suzuki@example.jp", "phone": "+819087654321", "tags": []},
        },
    ),
    DemoOrder(
        "acme",
        "us-1040",
        "us_ship",
        "delivered",
        {
            "number": "1040",
            "customer": {"name": "Sam Rivera", "email": "sam.rivera@example.com", "phone": "+12125550199", "tags": []},
        },
    ),
]

Step = Callable[[DemoContext], Awaitable[None]]
#: every step, in the order it runs: what happens to parcels and pickups first, then what shoppers
#: do with delivered orders (returns), then what is about all of it (feedback, dashboard figures)
STEPS: tuple[Step, ...] = (
    merchants_demo.owners,
    pickup_demo.pickup,
    shipping_demo.tracking,
    returns_demo.returned_orders,
    dropoff_demo.partner_points,
    worklists_demo.queued_returns,
    analytics_demo.dashboard_activity,
    feedback_demo.feedback,
)


async def create(settings: Settings, now: dt.datetime) -> DemoContext:
    token_key = settings.key_for("hub-token")
    stores = fixture("stores.json") | fixture("acme_stores.json")
    catalogs = {"yamakaze": fixture("catalog/yamakaze_products.json"), "acme": fixture("acme_products.json")}
    loaded: dict[str, Merchant] = {}
    for entry in fixture("merchants.json"):
        slug = entry["slug"]
        async with engine.read():
            exists = await Merchant.exists().where(Merchant.slug == slug)
        if not exists:
            await merchants.create_merchant(
                slug, entry["name"], locale=entry["locale"], currency=entry["currency"], timezone=entry["timezone"], now=now
            )
        async with engine.read():
            merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == slug).first()
        assert merchant is not None  # created above when it did not exist
        settings_body = {k: v for k, v in with_texts("merchants", slug, entry).items() if k != "slug"}
        settings_body.setdefault("storefront_url", f"https://{slug}.example.{'jp' if entry['currency'] == 'JPY' else 'com'}/")
        if slug == "yamakaze":
            settings_body.setdefault("legal_name", "山風アウトドア株式会社")
            settings_body.setdefault(
                "address",
                {"postal_code": "150-0042", "region": "東京都", "city": "渋谷区", "line1": "宇田川町 10-1", "country": "JP"},
            )
        else:
            settings_body.setdefault("legal_name", "Acme Outfitters, Inc.")
            settings_body.setdefault(
                "address", {"postal_code": "10012", "region": "NY", "city": "New York", "line1": "120 Prince St", "country": "US"}
            )
        await branding.update_merchant_settings(merchant.id, settings_body)
        for store in stores.get(slug, []):
            await merchants.upsert_store(merchant.id, store["code"], with_texts("stores", f"{slug}:{store['code']}", store),
                                         now=now)
        for product in catalogs.get(slug, []):
            await orders.upsert_product(merchant, product["id"], with_texts("products", f"{slug}:{product['id']}", product),
                                        now=now)
        async with engine.read():
            reloaded = await Merchant.objects().output(load_json=True).where(Merchant.id == merchant.id).first()
        assert reloaded is not None
        loaded[slug] = reloaded
    for demo in DEMO_ORDERS:
        base = fixture(f"orders/{demo.fixture}.json")
        body = dated({**copy.deepcopy(base), **copy.deepcopy(demo.changes)}, demo, now)
        ref = await orders.upsert_order(loaded[demo.merchant], demo.external_id, body, token_key=token_key, now=now)
        demo.token, demo.order_id = ref.token, ref.id
    ctx = DemoContext(settings, now, loaded, DEMO_ORDERS)
    for slug, merchant in loaded.items():
        ctx.api_keys[slug] = await merchants.issue_api_key(merchant.id, "demo", now=now)
    for fn in STEPS:
        await fn(ctx)
    return ctx
