"""Orders unshipped past their processing promise (issue 19 item 5): the merchant's "unshipped and
late" list and the job that tells the shopper and the storefront (`order.delayed`, email and signed
webhook) once per expected ship date.

The decisions are `rules.shipping_delay` and `rules.delay_is_news`; the processing promise is the
shipping rules' `ships_on` with the merchant's delivery settings, the same the hub's delivery
promise counts from. Two job processes never both announce: the announcement is a conditional
UPDATE of `orders.delay_announced_for` in the transaction that writes the notification, and only
the process whose UPDATE changed the row notifies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.orders import rules
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.outbox.services import notify
from orderhub.db.payments import rules as payment_rules
from orderhub.db.shipping import rules as shipping_rules

#: fulfilment states with units still to ship
OPEN = ("unfulfilled", "partially_shipped")
DELAYED_EVENT = "order.delayed"


@dataclass(frozen=True)
class LateOrder:
    """An order unshipped past its processing promise, as the attention list and the job see it."""

    order_id: int
    merchant_id: int
    external_id: str
    number: str
    placed_at: dt.datetime
    unshipped_units: int
    delay: rules.Delay
    #: the expected date the shopper was last told (None: not told yet)
    announced_for: dt.date | None
    #: line id -> the line's backorder, for lines with units waiting for stock
    backorders: dict[str, rules.Backorder]

    @property
    def announced(self) -> bool:
        return self.announced_for is not None

    def api(self) -> dict[str, Any]:
        """A row of the API's attention list (`unshipped_late`)."""
        return {
            "order_number": self.number, "external_id": self.external_id, "placed_at": self.placed_at.isoformat(),
            "promised_ship_date": self.delay.promised_ship_date.isoformat(),
            "expected_ship_date": self.delay.expected_ship_date.isoformat(),
            "expected_from": "storefront" if self.delay.from_storefront else "estimate",
            "unshipped_units": self.unshipped_units,
            "announced_for": self.announced_for.isoformat() if self.announced_for else None,
        }

    def payload(self) -> dict[str, Any]:
        """The `order.delayed` webhook's body (the email reads the same date from it)."""
        return {
            **{k: v for k, v in self.api().items() if k != "announced_for"},
            "backordered": [{"line_id": line_id, "quantity": b.quantity,
                             "expected_ship_date": b.expected_ship_date.isoformat() if b.expected_ship_date else None}
                            for line_id, b in self.backorders.items()],
        }


_COLUMNS = (
    Order.id, Order.merchant, Order.external_id, Order.number, Order.placed_at, Order.delay_announced_for,
    Order.merchant.timezone.as_alias("timezone"), Order.merchant.settings.as_alias("msettings"),
    Order.merchant.address.as_alias("maddress"), Order.payment, Order.payment_status, Order.paid_at,
)


def _late(row: dict[str, Any], lines: list[dict[str, Any]], now: dt.datetime) -> LateOrder | None:
    tz = row["timezone"]
    address = row["maddress"] if isinstance(row["maddress"], dict) else {}
    settings = shipping_rules.read_delivery_settings(
        (row["msettings"] if isinstance(row["msettings"], dict) else {}).get("delivery"),
        shipping_rules.calendar_country(str(address.get("country") or ""), tz))
    cal = shipping_rules.Calendar(settings["calendar"])
    # units cancelled before shipment are not to ship (orders/cancellation.py)
    unshipped = sum(max(ln["quantity"] - ln["cancelled_quantity"] - ln["fulfilled_quantity"], 0) for ln in lines)
    backorders = {ln["line_id"]: b for ln in lines if (b := rules.line_backorder(
        ln["quantity"] - ln["cancelled_quantity"], ln["fulfilled_quantity"], ln["backordered_quantity"],
        ln["expected_ship_date"])) is not None}
    method = str((row["payment"] if isinstance(row["payment"], dict) else {}).get("method") or "")
    if payment_rules.awaiting_payment(method, row["payment_status"]):  # nothing is prepared before payment
        return None
    start = payment_rules.processing_from(row["placed_at"], method, row["payment_status"], row["paid_at"], now)
    delay = rules.shipping_delay(
        unshipped=unshipped > 0, promised_ship_date=shipping_rules.ships_on(start, tz, cal, settings),
        ships_from=rules.backorder_ship_date(list(backorders.values())),
        today=shipping_rules.local_date(now, tz), next_ship_date=shipping_rules.ships_on(now, tz, cal, settings))
    if delay is None:
        return None
    return LateOrder(row["id"], row["merchant"], row["external_id"], row["number"], row["placed_at"], unshipped,
                     delay, row["delay_announced_for"], backorders)


async def late_orders(now: dt.datetime, *, merchant_id: int | None = None,
                      order_id: int | None = None) -> list[LateOrder]:
    """Carrier orders, not cancelled, with units still to ship after their processing promise (oldest
    first). Call inside the caller's scope or none (it opens a read)."""
    where = (Order.fulfillment_type == rules.SHIP) & Order.fulfillment_status.is_in(list(OPEN)) \
        & Order.cancelled_at.is_null() & (Order.placed_at < now)
    if merchant_id is not None:
        where = where & (Order.merchant == merchant_id)
    if order_id is not None:
        where = where & (Order.id == order_id)
    async with engine.read():
        rows = await Order.select(*_COLUMNS).where(where).output(load_json=True).order_by(Order.placed_at)
        ids = [r["id"] for r in rows]
        lines = await OrderLine.select(
            OrderLine.order, OrderLine.line_id, OrderLine.quantity, OrderLine.fulfilled_quantity,
            OrderLine.cancelled_quantity, OrderLine.backordered_quantity, OrderLine.expected_ship_date,
        ).where(OrderLine.order.is_in(ids)).order_by(OrderLine.position) if ids else []
    by_order: dict[int, list[dict[str, Any]]] = {}
    for ln in lines:
        by_order.setdefault(ln["order"], []).append(ln)
    found = (_late(r, by_order.get(r["id"], []), now) for r in rows)
    return [late for late in found if late is not None]


async def announce_delays(now: dt.datetime) -> list[int]:
    """The job: `order.delayed` for every late order whose delay is news (rules.delay_is_news), each in
    its own transaction with the conditional UPDATE that claims it. -> the orders announced now."""
    done = []
    for candidate in await late_orders(now):
        if not rules.delay_is_news(candidate.delay, candidate.announced_for):
            continue
        async with engine.write():
            # read again inside the write: the order may have shipped or been announced meanwhile
            fresh = await late_orders(now, order_id=candidate.order_id)
            late = fresh[0] if fresh else None
            if late is None or not rules.delay_is_news(late.delay, late.announced_for):
                continue
            expected = late.delay.expected_ship_date
            claimed = await Order.update({Order.delay_announced_for: expected}).where(
                (Order.id == late.order_id)
                & (Order.delay_announced_for.is_null() | (Order.delay_announced_for < expected))
            ).returning(Order.id)
            if not claimed:  # another job process announced it first
                continue
            await notify(late.merchant_id, DELAYED_EVENT, late.payload(), order_id=late.order_id, now=now)
        done.append(late.order_id)
    return done
