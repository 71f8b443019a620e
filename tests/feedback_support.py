"""Helpers for the feedback tests: deliver an order through the real API, CSRF, forms, pictures."""

from __future__ import annotations

import copy
import re

from tests.admin_ops_support import csrf_of
from tests.conftest import bearer, fixture

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def deliver(client, api_key: str, external_id: str = "jp_ship", base: str | None = None) -> None:
    """The parcel arrives: a shipment with every line and its delivered scan, through the API
    (yamato_delivered.json: delivered 2026-11-19T04:05Z). `base` is the order fixture's name."""
    data = fixture("tracking/yamato_delivered.json")
    order = fixture(f"orders/{base or external_id}.json")
    shipment = copy.deepcopy(data["shipment"])
    shipment.pop("id")
    shipment["lines"] = [{"line_id": ln["id"], "quantity": ln["quantity"]} for ln in order["lines"]]
    shipment.update(carrier="yamato" if (base or external_id).startswith("jp") else "ups",
                    tracking_number="FB-" + "".join(c for c in external_id if c.isalnum()))
    r = await client.put(f"/api/v1/orders/{external_id}/shipments/S1", json=shipment, headers=bearer(api_key))
    assert r.status_code in (200, 201), r.text
    events = [dict(e, id=f"{external_id}-{e['id']}") for e in data["events"]]
    r = await client.post("/api/v1/tracking-events", headers=bearer(api_key), json={
        "carrier": shipment["carrier"], "tracking_number": shipment["tracking_number"], "events": events})
    assert r.status_code == 202, r.text


async def form_post(client, page_url: str, action: str, data: dict, *, headers: dict | None = None, files=None):
    page = await client.get(page_url)
    assert page.status_code == 200, page.text[:300]
    return await client.post(action, data={"_csrf_token": csrf_of(page.text), **data}, headers=headers or {},
                             files=files)


async def second_order(merchant, settings, clock, external_id: str = "jp_ship_2", base: str = "jp_ship",
                       **changes):
    """Another order of the same shopper (same email) at the same merchant."""
    from orderhub.db.orders import services as order_services

    body = fixture(f"orders/{base}.json") | {"number": "YK-200" + external_id[-1]} | changes
    return await order_services.upsert_order(merchant, external_id, body, token_key=settings.key_for("hub-token"),
                                             now=clock())


async def hook(merchant_id: int, clock) -> None:
    """A webhook endpoint so that notify writes deliveries we can look at."""
    from orderhub.db.outbox.services import add_endpoint

    await add_endpoint(merchant_id, "https://hooks.example.com/orderhub", now=clock())


async def deliveries(event: str) -> list[dict]:
    from orderhub.db import engine
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        return await WebhookDelivery.select().where(WebhookDelivery.event == event).output(load_json=True)


def png(size=(40, 30), color=(200, 30, 30), exif_gps: bool = False, fmt: str = "PNG") -> bytes:
    from tests.returns_support import png as make

    return make(size, color, exif_gps, fmt)
