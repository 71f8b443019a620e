"""Demo step: shipments and carrier events for the demo orders that are shipped, out for delivery,
delivered, delayed (or returned, which needs a delivery first), through this area's services.

Fixture timelines (demo/fixtures/tracking/*.json) are moved in time so that they end just before
the demo runs; the other orders get made-up but realistic timelines.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from orderhub.db import demo_context as demo
from orderhub.db import engine
from orderhub.db.orders.tables import OrderLine
from orderhub.db.shipping import services

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def _iso(at: dt.datetime) -> str:
    return at.isoformat()


def _shifted(data: dict[str, Any], end: dt.datetime) -> dict[str, Any]:
    """The fixture with every time moved so that its last event happened at `end`."""
    data = copy.deepcopy(data)
    last = max(dt.datetime.fromisoformat(e["occurred_at"]) for e in data["events"])
    delta = end - last
    days = dt.timedelta(days=round(delta / D))
    for e in data["events"]:
        e["occurred_at"] = _iso(dt.datetime.fromisoformat(e["occurred_at"]) + delta)
        if e.get("estimated_delivery"):
            e["estimated_delivery"] = (dt.date.fromisoformat(e["estimated_delivery"]) + days).isoformat()
    ship = data["shipment"]
    if ship.get("shipped_at"):
        ship["shipped_at"] = _iso(dt.datetime.fromisoformat(ship["shipped_at"]) + delta)
    if ship.get("estimated_delivery"):
        ship["estimated_delivery"] = (dt.date.fromisoformat(ship["estimated_delivery"]) + days).isoformat()
    return data


def _made_up(state: str, carrier: str, number: str, lines: list[dict[str, Any]], now: dt.datetime, jp: bool) -> dict[str, Any]:
    """A realistic timeline ending in `state`."""
    tz = dt.timezone(dt.timedelta(hours=9)) if jp else dt.timezone(dt.timedelta(hours=-5))
    here = now.astimezone(tz)
    if state == "shipped":
        start = here - 1 * D - 8 * H  # the last scan two hours ago
    elif state == "out_for_delivery":
        start = here - 2 * D - 2 * H
    elif state == "returned":  # delivered well before its return went through (db/returns/demo.py)
        start = here - 12 * D
    else:  # delivered (a few days ago, so returns are open)
        start = here - 5 * D
    places = (["", "羽田クロノゲートベース", "厚木ゲートウェイ", "渋谷センター", "渋谷区"] if jp else
              ["", "Secaucus, NJ", "Edison, NJ", "Brooklyn, NY", "Brooklyn, NY"])
    words = (["伝票番号情報を受け付けました", "荷物受付", "輸送中", "配達店に到着", "配達中", "配達完了"] if jp else
             ["Shipper created a label", "Picked up", "Departed from facility", "Arrived at facility",
              "Out for delivery", "Delivered, front door"])
    plan = [("info_received", 0, places[0], words[0]), ("in_transit", 7, places[1], words[1]),
            ("in_transit", 19, places[2], words[2]), ("in_transit", 30, places[3], words[3])]
    if state in ("out_for_delivery", "delivered", "returned"):
        plan.append(("out_for_delivery", 47, places[3], words[4]))
    if state in ("delivered", "returned"):
        plan.append(("delivered", 52, places[4], words[5]))
    events = [{"id": f"demo-{number}-{i}", "status": s, "occurred_at": _iso(start + h * H), "location": loc,
               "message": msg} for i, (s, h, loc, msg) in enumerate(plan)]
    return {
        "shipment": {"carrier": carrier, "tracking_number": number, "lines": lines, "shipped_at": _iso(start),
                     "estimated_delivery": (start + 2 * D).date().isoformat()},
        "events": events,
    }


async def tracking(ctx: demo.DemoContext) -> None:
    now = ctx.now
    for n, order in enumerate(ctx.orders):
        state = order.state
        if state not in ("shipped", "out_for_delivery", "delivered", "delayed", "returned"):
            continue
        merchant = ctx.merchants[order.merchant]
        jp = merchant.currency == "JPY"
        async with engine.read():
            lines = [{"line_id": r["line_id"], "quantity": r["quantity"]} for r in await OrderLine.select(
                OrderLine.line_id, OrderLine.quantity).where(OrderLine.order == order.order_id).order_by(OrderLine.position)]
        if order.tracking:
            data = _shifted(demo.fixture(f"tracking/{order.tracking}.json"),
                            now - (3 * H if state == "delayed" else 2 * D))
        else:
            carrier = ("yamato", "sagawa", "japan_post")[n % 3] if jp else ("usps", "fedex", "ups")[n % 3]
            number = f"{4100 + n:04d}-{order.order_id:04d}-{7000 + n:04d}" if jp else f"9400{order.order_id:06d}{n:08d}"
            data = _made_up(state, carrier, number, lines, now, jp)
        body = dict(data["shipment"])
        body.pop("id", None)
        await services.upsert_shipment(merchant, order.external_id, "S1", body, now=now)
        await services.ingest_events(merchant.id, {"carrier": body["carrier"], "tracking_number": body["tracking_number"],
                                                   "events": data["events"]}, source="demo", now=now)
