"""Demo step: the demo pickup order becomes ready (with a deadline) through this area's services, and
a staff account for the `shibuya` store signs in at /staff with a fixed development password."""

from __future__ import annotations

import datetime as dt

from orderhub.db import demo_context as demo
from orderhub.db import engine
from orderhub.db.errors import Conflict
from orderhub.db.keys import scoped
from orderhub.db.merchants import services as merchants
from orderhub.db.merchants.tables import User
from orderhub.db.pickup import services

#: documented in the README: the demo staff member of yamakaze's Shibuya store
DEMO_STAFF_EMAIL = "staff@yamakaze.example.jp"
DEMO_STAFF_PASSWORD = "pickup-demo-2026"


async def pickup(ctx: demo.DemoContext) -> None:
    now = ctx.now
    for order in ctx.orders:
        if order.state != "ready_for_pickup":
            continue
        merchant = ctx.merchants[order.merchant]
        ready = now - dt.timedelta(hours=2)
        try:
            await services.merchant_update(merchant.id, order.external_id, {"status": "preparing"},
                                           now=now - dt.timedelta(hours=5))
            # no pickup_deadline: the store's hold (end of its day, hold_days later) applies
            await services.merchant_update(merchant.id, order.external_id, {
                "status": "ready", "ready_at": ready.isoformat()}, now=ready)
        except Conflict:  # a second run of the demo: the pickup moved on already
            continue
    if "yamakaze" in ctx.merchants:
        password = getattr(ctx.settings, "demo_password", "") or DEMO_STAFF_PASSWORD
        async with engine.read():
            exists = await User.exists().where(User.key == scoped(ctx.merchants["yamakaze"].id, DEMO_STAFF_EMAIL))
        if not exists:
            try:
                await merchants.create_user("yamakaze", DEMO_STAFF_EMAIL, "staff", password, store_code="shibuya",
                                            now=now)
            except Conflict:  # pragma: no cover - created meanwhile
                pass
        ctx.accounts.append(("/staff", DEMO_STAFF_EMAIL, password))
