"""The order page's shipments (`shipments_summary`: six columns of each shipment, no events) say what
the tracking page says (`order_tracking`: every column and event): each shipment's status, the item
counts of "2 of 3 items delivered", every shipment's delivery promise and the order's, and the same
sentence, for every demo order that ships, in both languages, on the day it was made and weeks on."""

from __future__ import annotations

import datetime as dt

from orderhub import demo
from orderhub.components import i18n
from orderhub.db import engine
from orderhub.db.orders.queries import load_hub
from orderhub.db.shipping import queries
from orderhub.site.tracking.routes import summary_text


async def test_the_order_page_s_shipments_are_the_tracking_page_s(app, settings, clock):
    made = await demo.create(settings, clock())
    compared, ships, kinds = 0, 0, set()
    for order in made.orders:
        hub = await load_hub(order.token, app.state.token_key)
        assert hub is not None
        if not hub.order.ships:
            continue
        ships += 1
        for now in (clock(), clock() + dt.timedelta(days=3), clock() + dt.timedelta(days=40)):
            basis = queries.basis_for(hub.merchant, hub.order, now)
            async with engine.read():
                brief = await queries.shipments_summary(hub.order.id, hub.order.item_count, now=now,
                                                        tz=hub.order.timezone, basis=basis)
                full = await queries.order_tracking(hub.merchant, hub.order, now)
            what = (order.external_id, order.state, now)
            assert [s.status for s in brief.shipments] == [s.status for s in full.shipments], what
            assert [s.item_count for s in brief.shipments] == [s.item_count for s in full.shipments], what
            assert [(s.promise, s.late) for s in brief.shipments] == [(s.promise, s.late) for s in full.shipments], what
            assert (brief.total_items, brief.delivered_items, brief.shipped_items) == (
                full.total_items, full.delivered_items, full.shipped_items), what
            assert brief.promise == full.promise, what
            for lang in ("ja", "en"):
                with i18n.language(lang):
                    assert summary_text(brief) == summary_text(full), what
            compared += 1
            kinds.add(brief.promise.kind if brief.promise else None)
    assert ships >= 5 and compared == 3 * ships  # every demo order that ships, at each moment
    assert {"delivered", "carrier", "predicted"} <= kinds  # delivered parcels and promises still to keep
