"""The dashboard's read model: exact figures from seeded events, returns and pickups, in the
merchant's time zone and date range."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderhub.db.analytics import rules
from orderhub.db.analytics.dashboard import dashboard
from tests.admin_ops_support import make_return, record

UTC = dt.UTC


async def test_figures_from_seeded_events(merchants, orders, clock):
    yk = merchants["yamakaze"][0].id
    acme = merchants["acme"][0].id
    # Tokyo is UTC+9: 2026-11-20 15:30Z is already the 21st there
    await record(yk, "hub_view", dt.datetime(2026, 11, 20, 15, 30, tzinfo=UTC), times=3)
    await record(yk, "hub_view", dt.datetime(2026, 11, 21, 2, 0, tzinfo=UTC), times=2, section="tracking")
    await record(yk, "hub_view", dt.datetime(2026, 11, 22, 1, 0, tzinfo=UTC), section="returns")
    await record(yk, "hub_view", dt.datetime(2026, 11, 20, 14, 59, tzinfo=UTC))  # the 20th in Tokyo: outside
    await record(yk, "crosssell_impression", dt.datetime(2026, 11, 21, 3, 0, tzinfo=UTC), times=4,
                 product_ids=["p1", "p2"])
    await record(yk, "crosssell_click", dt.datetime(2026, 11, 21, 4, 0, tzinfo=UTC), product_ids=["p2"], times=2)
    await record(yk, "crosssell_click", dt.datetime(2026, 11, 21, 5, 0, tzinfo=UTC), product_ids=["p1"])
    await record(acme, "hub_view", dt.datetime(2026, 11, 21, 3, 0, tzinfo=UTC), times=7)  # another merchant
    await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other")
    await make_return(orders["jp_ship"].id, {"L2": 1}, now=clock(), reason="too_small", resolution="store_credit")
    await make_return(orders["us_ship"].id, {"1": 1}, now=clock(), reason="changed_mind")

    view = await dashboard(yk, rules.DateRange(dt.date(2026, 11, 21), dt.date(2026, 11, 22)), now=clock())
    assert view.timezone == "Asia/Tokyo"
    assert view.visits_total == 6
    assert view.visits_by_section == [("confirmation", 3), ("tracking", 2), ("returns", 1)]
    assert view.visits_by_day == [(dt.date(2026, 11, 21), 5), (dt.date(2026, 11, 22), 1)]
    assert (view.impressions, view.clicks) == (8, 3)
    assert view.ctr == Decimal("0.375")
    assert view.top_clicked == [("p2", 2), ("p1", 1)]
    assert view.returns_total == 2 and view.returns_open >= 1
    assert sorted(view.returns_by_reason) == [("other", 1), ("too_small", 1)]
    assert sorted(view.returns_by_resolution) == [("refund", 1), ("store_credit", 1)]

    earlier = await dashboard(yk, rules.DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 20)), now=clock())
    assert earlier.visits_total == 1 and earlier.ctr is None and earlier.returns_total == 0
    assert len(earlier.visits_by_day) == 20

    us = await dashboard(acme, rules.DateRange(dt.date(2026, 11, 20), dt.date(2026, 11, 20)), now=clock())
    # New York is UTC-5: 2026-11-21 03:00Z is still the 20th there
    assert us.visits_total == 7 and us.returns_total == 0  # the return was made on the 21st NY time
    assert us.visits_by_section == [("confirmation", 7)]


async def test_section_visits_are_counted_from_hub_pages(app, client, orders, merchants, clock):
    token = orders["jp_ship"].token
    assert (await client.get(f"/o/{token}")).status_code == 200
    assert (await client.get(f"/o/{token}/tracking")).status_code == 200
    assert (await client.get(f"/o/{token}/returns")).status_code == 200
    # a poll or an htmx swap is not a visit
    await client.get(f"/o/{token}/tracking", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    await app.state.analytics.flush()
    today = clock().astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    view = await dashboard(merchants["yamakaze"][0].id, rules.DateRange(today, today), now=clock())
    assert view.visits_by_section == [("confirmation", 1), ("tracking", 1), ("returns", 1)]


async def test_pickups_today(merchants, orders, clock):
    from orderhub.db.pickup import services as pickup
    from orderhub.db.pickup.rules import Clerk

    yk = merchants["yamakaze"][0]
    # ready, held until the end of today in Tokyo (2026-11-22 14:59Z = 23:59 JST)
    await pickup.merchant_update(yk.id, "jp_pickup", {"status": "ready", "pickup_deadline": "2026-11-22T14:59:00Z"},
                                 now=clock())
    view = await dashboard(yk.id, rules.default_range(dt.date(2026, 11, 22)), now=clock())
    assert (view.pickups_waiting, view.pickups_due_today, view.pickups_done_today) == (1, 1, 0)
    row = await pickup.ensure(orders["jp_pickup"].id, now=clock())
    clerk = Clerk(merchant_id=yk.id, store_code=row.store_code, email="clerk@example.jp")
    await pickup.hand_over(clerk, row.id, now=clock())
    view = await dashboard(yk.id, rules.default_range(dt.date(2026, 11, 22)), now=clock())
    assert (view.pickups_waiting, view.pickups_due_today, view.pickups_done_today) == (0, 0, 1)
    clock.advance(hours=13)  # the next day in Tokyo
    view = await dashboard(yk.id, rules.default_range(dt.date(2026, 11, 23)), now=clock())
    assert view.pickups_done_today == 0


async def test_returned_items_are_counted_under_their_own_reasons(merchants, orders, clock):
    """Each returned line counts under its own reason, weighted by the units sent back; a return
    without per-item rows (made before per-item reasons) counts every unit under its one reason."""
    from orderhub.db.returns.reason_tables import ReturnItemReason
    from orderhub.db.returns.services import submit
    from tests.returns_support import fulfil

    yk = merchants["yamakaze"][0].id
    await fulfil(orders["jp_ship"].id)
    mixed = await submit(orders["jp_ship"].id, {
        "items": {"L1": 1, "L2": 2}, "reason": "too_small", "reasons": {"L2": "changed_mind"},
        "resolution": "refund", "method": "drop_off"}, idempotency_key="per-item-reasons", now=clock())
    older = await make_return(orders["us_ship"].id, {"2": 2}, now=clock(), reason="too_large")
    await ReturnItemReason.delete().where(ReturnItemReason.request == older)  # as before per-item reasons
    assert await ReturnItemReason.count().where(ReturnItemReason.request == mixed) == 2

    view = await dashboard(yk, rules.DateRange(dt.date(2026, 11, 21), dt.date(2026, 11, 22)), now=clock())
    assert view.returns_total == 1
    assert sorted(view.returns_by_reason) == [("changed_mind", 2), ("too_small", 1)]
    acme = await dashboard(merchants["acme"][0].id, rules.DateRange(dt.date(2026, 11, 20), dt.date(2026, 11, 22)),
                           now=clock())
    assert acme.returns_total == 1 and acme.returns_by_reason == [("too_large", 2)]



async def test_page_views_are_stored_as_counts_per_hour_and_clicks_per_order(merchants, orders, clock):
    from orderhub.db import engine
    from orderhub.db.analytics.services import Buffer
    from orderhub.db.analytics.tables import AnalyticsEvent

    yk = merchants["yamakaze"][0].id
    at = dt.datetime(2026, 11, 21, 3, 10, tzinfo=UTC)
    buffer = Buffer()
    for i, name in enumerate(("jp_ship", "jp_pickup", "jp_ship", "jp_ship", "jp_pickup")):
        buffer.add(yk, rules.VISIT, now=at + dt.timedelta(minutes=i * 10), order_id=orders[name].id, section="tracking")
    buffer.add(yk, rules.VISIT, now=at + dt.timedelta(hours=1), order_id=orders["jp_ship"].id, section="tracking")
    buffer.add(yk, rules.IMPRESSION, now=at, order_id=orders["jp_ship"].id, section="confirmation",
               product_ids=["p1", "p2"])
    buffer.add(yk, rules.IMPRESSION, now=at, order_id=orders["jp_pickup"].id, section="confirmation",
               product_ids=["p1"])
    for name in ("jp_ship", "jp_pickup"):
        buffer.add(yk, rules.CLICK, now=at, order_id=orders[name].id, section="confirmation", product_ids=["p1"])
    assert await buffer.flush() == 11  # every view, impression and click recorded
    async with engine.read():
        rows = await AnalyticsEvent.select(AnalyticsEvent.kind, AnalyticsEvent.product_id, AnalyticsEvent.count,
                                           AnalyticsEvent.order, AnalyticsEvent.occurred_at).order_by(AnalyticsEvent.id)
    stored = [(r["kind"], r["product_id"], r["count"], r["order"]) for r in rows]
    assert stored == [
        (rules.VISIT, "", 5, None),  # 03:10 to 03:50, three shoppers' views: one count, no order
        (rules.VISIT, "", 1, None),  # the next hour
        (rules.IMPRESSION, "p1", 2, None), (rules.IMPRESSION, "p2", 1, None),
        (rules.CLICK, "p1", 1, orders["jp_ship"].id), (rules.CLICK, "p1", 1, orders["jp_pickup"].id),
    ]
    assert rows[0]["occurred_at"] == at
    view = await dashboard(yk, rules.DateRange(dt.date(2026, 11, 21), dt.date(2026, 11, 21)), now=clock())
    assert view.visits_total == 6 and view.visits_by_section == [("tracking", 6)]
    assert (view.impressions, view.clicks) == (3, 2)
