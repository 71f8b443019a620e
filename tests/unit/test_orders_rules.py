"""Reading orders from storefronts: totals recomputed in minor units, every mistake at its path."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderhub import money
from orderhub.db.orders import rules

FIXTURES = Path(__file__).resolve().parents[2] / "orderhub" / "demo" / "fixtures" / "orders"


def order(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fields(errors):
    return {e["field"] for e in errors}


@pytest.mark.parametrize("name", ["jp_ship", "jp_pickup", "us_ship"])
def test_fixture_orders_add_up(name):
    parsed, errors = rules.read_order(order(name), {"shibuya"})
    assert errors == []
    assert parsed["total_minor"] == money.parse(order(name)["totals"]["total"], parsed["currency"])


def _set(body, path, value):
    target = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value


@pytest.mark.parametrize(
    ("name", "path", "value", "field"),
    [
        ("us_ship", "lines.0.quantity", 0, "lines[0].quantity"),
        ("us_ship", "lines.0.quantity", -1, "lines[0].quantity"),
        ("us_ship", "lines.0.quantity", "1", "lines[0].quantity"),
        ("us_ship", "lines.0.quantity", True, "lines[0].quantity"),
        ("us_ship", "lines.0.unit_price", 120.0, "lines[0].unit_price"),
        ("us_ship", "lines.0.unit_price", "120.001", "lines[0].unit_price"),
        ("jp_ship", "lines.0.unit_price", "13200.5", "lines[0].unit_price"),
        ("us_ship", "currency", "XYZ", "currency"),
        ("us_ship", "currency", KeyError, "currency"),
        ("us_ship", "lines", [], "lines"),
        ("us_ship", "totals.subtotal", "151.00", "totals.subtotal"),
        ("us_ship", "totals.total", "155.65", "totals.total"),
        ("us_ship", "totals.shipping", "0.00", "totals.shipping"),
        ("us_ship", "totals.discount", "14.00", "totals.discount"),
        ("us_ship", "totals.tax", "20.00", "totals.tax"),
        ("jp_ship", "totals.total", "17561", "totals.total"),
        ("jp_ship", "placed_at", "2026-11-16", "placed_at"),
        ("jp_ship", "customer.email", "not-an-email", "customer.email"),
        ("jp_ship", "lines.0.tax_rate", "1.5", "lines[0].tax_rate"),
        ("jp_ship", "lines.0.image_url", "javascript:alert(1)", "lines[0].image_url"),
        ("jp_ship", "payment.last4", 4242, "payment.last4"),
        ("jp_ship", "fulfillment.type", "teleport", "fulfillment.type"),
        ("jp_pickup", "fulfillment.store_code", "osaka", "fulfillment.store_code"),
        ("jp_ship", "shipping_address", KeyError, "shipping_address"),
    ],
)
def test_bad_orders_are_refused_at_the_field(name, path, value, field):
    body = copy.deepcopy(order(name))
    _set(body, path, value)
    _, errors = rules.read_order(body, {"shibuya"})
    assert field in fields(errors), errors


def test_duplicate_line_ids_and_discount_above_price():
    body = order("us_ship")
    body["lines"][1]["id"] = body["lines"][0]["id"]
    body["lines"][0]["discount"] = "500.00"
    _, errors = rules.read_order(body, set())
    assert {"lines[1].id", "lines[0].discount"} <= fields(errors)


def test_not_an_object():
    _, errors = rules.read_order([1, 2], set())
    assert errors and errors[0]["field"] == "body"


def test_order_level_discount_is_prorated_into_tax():
    body = order("us_ship")
    for line in body["lines"]:
        line["discount"] = "0.00"
    # TRAIL10 as an order-level discount of 15.00 on a 150.00 order: same totals
    parsed, errors = rules.read_order(body, set())
    assert errors == []
    assert parsed["order_discount_minor"] == 1500


def test_tax_per_rate_japan_inclusive():
    items = [rules.TaxLine(13200, Decimal("0.10")), rules.TaxLine(2160, Decimal("0.08")), rules.TaxLine(2200, Decimal("0.10"))]
    assert rules.tax_by_rate(items, True) == {Decimal("0.10"): (15400, 1400), Decimal("0.08"): (2160, 160)}


def test_tax_per_rate_us_exclusive_rounds_once_per_rate():
    items = [
        rules.TaxLine(10800, Decimal("0.08875")),
        rules.TaxLine(2700, Decimal("0.08875")),
        rules.TaxLine(795, Decimal("0.08875")),
    ]
    assert rules.tax_by_rate(items, False) == {Decimal("0.08875"): (14295, 1269)}


@given(st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30))
def test_prorate_always_adds_up(amount, weights):
    shares = money.prorate(amount, weights)
    if sum(weights) == 0:
        assert shares == [0] * len(weights)
    else:
        assert sum(shares) == amount
        assert all(s >= 0 for s in shares)


@pytest.mark.parametrize(
    ("email", "masked"), [("hanako.yamada@example.jp", "h***@example.jp"), ("j@x.com", "j***@x.com"), ("bad", "***")]
)
def test_mask_email(email, masked):
    assert rules.mask_email(email) == masked


def test_masked_address_has_no_street():
    masked = rules.masked_address(order("jp_ship")["shipping_address"])
    assert masked == {"postal_code": "150-****", "region": "東京都", "city": "渋谷区", "country": "JP"}


@pytest.mark.parametrize(
    ("kind", "fstatus", "shipments", "pickup", "expected"),
    [
        ("ship", "unfulfilled", [], None, "processing"),
        ("ship", "shipped", ["in_transit"], None, "shipped"),
        ("ship", "shipped", ["out_for_delivery"], None, "out_for_delivery"),
        ("ship", "shipped", ["delivered", "in_transit"], None, "partially_delivered"),
        ("ship", "delivered", ["delivered", "delivered"], None, "delivered"),
        ("ship", "shipped", ["exception"], None, "attention"),
        ("ship", "returned", ["delivered"], None, "returned"),
        ("ship", "cancelled", [], None, "cancelled"),
        ("pickup", "unfulfilled", [], None, "processing"),
        ("pickup", "unfulfilled", [], "preparing", "preparing"),
        ("pickup", "ready_for_pickup", [], "ready", "ready_for_pickup"),
        ("pickup", "ready_for_pickup", [], "arrived", "ready_for_pickup"),
        ("pickup", "picked_up", [], "picked_up", "picked_up"),
        ("pickup", "unfulfilled", [], "expired", "pickup_expired"),
    ],
)
def test_status_summary(kind, fstatus, shipments, pickup, expected):
    assert (
        rules.status_key(
            cancelled=False, fulfillment_type=kind, fulfillment_status=fstatus, shipment_statuses=shipments, pickup_state=pickup
        )
        == expected
    )


# --- the order's status vocabulary: keys, tones and what follows from them --------------------------


def test_expired_shipment_needs_attention_like_every_shipment_in_trouble():
    for trouble in ("exception", "failed_attempt", "returned_to_sender", "expired"):
        assert (
            rules.status_key(
                cancelled=False,
                fulfillment_type="ship",
                fulfillment_status="shipped",
                shipment_statuses=["in_transit", trouble],
                pickup_state=None,
            )
            == "attention"
        )


def test_cancelled_wins_over_everything():
    assert (
        rules.status_key(
            cancelled=True,
            fulfillment_type="pickup",
            fulfillment_status="ready_for_pickup",
            shipment_statuses=[],
            pickup_state="ready",
        )
        == "cancelled"
    )
    assert rules.is_cancelled(None, "cancelled") and not rules.is_cancelled(None, "shipped")


@pytest.mark.parametrize(
    ("key", "tone", "on_its_way", "delivered", "ready", "picked_up"),
    [
        ("processing", "info", False, False, False, False),
        ("shipped", "info", True, False, False, False),
        ("out_for_delivery", "info", True, False, False, False),
        ("attention", "warn", True, False, False, False),
        ("partially_delivered", "info", True, False, False, False),
        ("delivered", "good", True, True, False, False),
        ("preparing", "info", False, False, False, False),
        ("ready_for_pickup", "good", False, False, True, False),
        ("picked_up", "good", False, False, True, True),
        ("pickup_expired", "warn", False, False, False, False),
        ("cancelled", "muted", False, False, False, False),
        ("returned", "muted", False, False, False, False),
    ],
)
def test_order_status(key, tone, on_its_way, delivered, ready, picked_up):
    status = rules.OrderStatus(key)
    assert (status.tone, status.on_its_way, status.delivered, status.ready_for_pickup, status.picked_up) == (
        tone,
        on_its_way,
        delivered,
        ready,
        picked_up,
    )


def test_every_status_the_summary_gives_has_a_tone_and_a_label():
    """The badge macro words every key of STATUS_TONES (and status_key gives no other)."""
    template = (Path(__file__).resolve().parents[2] / "orderhub" / "components" / "status_badge.html.jinja").read_text()
    keys = set(rules.STATUS_TONES)
    given = {
        rules.status_key(cancelled=False, fulfillment_type=kind, fulfillment_status=f, shipment_statuses=s, pickup_state=p,
                         awaiting_payment=unpaid)
        for kind in ("ship", "pickup")
        for unpaid in (False, True)
        for f in ("unfulfilled", "shipped", "returned", "cancelled")
        for s in ([], ["delivered"], ["in_transit"], ["delivered", "in_transit"], ["out_for_delivery"], ["exception"])
        for p in (None, "placed", "preparing", "ready", "on_the_way", "arrived", "picked_up", "expired", "cancelled")
    }
    assert given == keys
    assert all(f'"{key}": _(' in template for key in keys)


def test_an_unpaid_konbini_order_awaits_payment_until_the_shop_hands_something_over():
    """A pending konbini / bank payment says so instead of "processing"; once anything left the shop
    (a shipment, a pickup made ready) that state shows, and cancelled stays cancelled."""
    def key(**facts):
        base = {"cancelled": False, "fulfillment_type": "ship", "fulfillment_status": "unfulfilled",
                "shipment_statuses": [], "pickup_state": None, "awaiting_payment": True}
        return rules.status_key(**{**base, **facts})

    assert key() == "awaiting_payment"
    assert key(awaiting_payment=False) == "processing"
    assert key(shipment_statuses=["in_transit"]) == "shipped"
    assert key(cancelled=True) == "cancelled"
    assert key(fulfillment_type="pickup", pickup_state="preparing") == "awaiting_payment"
    assert key(fulfillment_type="pickup", pickup_state="ready") == "ready_for_pickup"
    assert rules.OrderStatus("awaiting_payment").tone == "warn"


def test_cancel_window():
    import datetime as dt

    until = dt.datetime(2026, 11, 12, 21, 0, tzinfo=dt.UTC)
    assert rules.can_cancel(False, until, until - dt.timedelta(minutes=1))
    assert not rules.can_cancel(False, until, until)
    assert not rules.can_cancel(True, until, until - dt.timedelta(hours=1))


@pytest.mark.parametrize(("typed", "country", "key"), [
    ("150-0041", "JP", "1500041"), ("1500041", "JP", "1500041"), ("１５０－００４１", "JP", "1500041"),
    ("〒150-0041", "JP", "1500041"), ("〒 150 0041", "JP", "1500041"), ("150ー0041", "JP", "1500041"),
    ("150‐0041", "JP", "1500041"), ("10013", "US", "10013"), ("10013-4521", "US", "10013"),
    ("１００１３", "US", "10013"), ("sw1a 1aa", "GB", "SW1A1AA"), ("", "JP", ""), ("〒", "JP", ""),
])
def test_postal_codes_are_compared_as_shoppers_type_them(typed, country, key):
    assert rules.normalize_postal_code(typed, country) == key


@pytest.mark.parametrize(("stored", "typed", "country", "same"), [
    ("150-0041", "1500041", "JP", True), ("150-0041", "150-0042", "JP", False), ("10013", "10013-0001", "US", True),
    ("10013", "1001", "US", False), ("150-0041", "150", "JP", False), ("", "", "JP", False),
])
def test_postal_code_match(stored, typed, country, same):
    assert rules.postal_codes_match(stored, typed, country) is same


@pytest.mark.parametrize(("typed", "stored"), [
    (" Hanako.Yamada@Example.JP ", "hanako.yamada@example.jp"), ("ｈａｎａｋｏ＠example.jp", "hanako@example.jp"),
    ("\tJORDAN.LEE@EXAMPLE.COM\n", "jordan.lee@example.com"), ("", ""),
])
def test_emails_are_stored_and_compared_in_one_form(typed, stored):
    assert rules.normalize_email(typed) == stored


# --- hub link expiry (issue 18 item 11) ---------------------------------------------------------------

def test_link_expiry_boundary_and_anchors():
    import datetime as dt

    from orderhub.db.orders import rules

    placed = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    delivered = dt.datetime(2026, 11, 5, 4, 30, tzinfo=dt.UTC)
    facts = dict(placed_at=placed, issued_at=None, cancelled_at=None, delivered_at=None, picked_up_at=None)
    after_order = rules.read_link_settings({"expire_days": 30, "after": "order"})
    after_end = rules.read_link_settings({"expire_days": 7})
    assert after_end["after"] == rules.AFTER_FULFILMENT  # the default anchor
    # default: never
    assert rules.link_expires_at(rules.read_link_settings(None), fulfillment_status="delivered",
                                 **{**facts, "delivered_at": delivered}) is None
    # from the order date, exact to the moment
    expires = rules.link_expires_at(after_order, fulfillment_status="unfulfilled", **facts)
    assert expires == placed + dt.timedelta(days=30)
    assert not rules.link_expired(expires, expires - dt.timedelta(microseconds=1))
    assert rules.link_expired(expires, expires)
    assert not rules.link_expired(None, expires + dt.timedelta(days=9999))
    # from the order's end: not before it ends; delivery, pickup, cancellation
    assert rules.link_expires_at(after_end, fulfillment_status="shipped", **facts) is None
    assert rules.link_expires_at(after_end, fulfillment_status="delivered",
                                 **{**facts, "delivered_at": delivered}) == delivered + dt.timedelta(days=7)
    picked = delivered + dt.timedelta(hours=3)
    assert rules.link_expires_at(after_end, fulfillment_status="picked_up",
                                 **{**facts, "picked_up_at": picked}) == picked + dt.timedelta(days=7)
    assert rules.link_expires_at(after_end, fulfillment_status="returned",
                                 **{**facts, "delivered_at": delivered}) == delivered + dt.timedelta(days=7)
    cancelled = placed + dt.timedelta(hours=1)
    assert rules.link_expires_at(after_end, fulfillment_status="cancelled",
                                 **{**facts, "cancelled_at": cancelled}) == cancelled + dt.timedelta(days=7)
    # a link issued later (a revoke, the lookup) gets the whole period from its issue
    issued = placed + dt.timedelta(days=40)
    assert rules.link_expires_at(after_order, fulfillment_status="unfulfilled",
                                 **{**facts, "issued_at": issued}) == issued + dt.timedelta(days=30)


def test_link_settings_are_validated():
    from orderhub.db.orders import rules

    assert rules.validate_link_settings({"expire_days": None, "after": "order"}) == (
        {"expire_days": None, "after": "order"}, [])
    for bad in (0, -1, 3651, "30", True, 1.5):
        _clean, errors = rules.validate_link_settings({"expire_days": bad})
        assert [e["field"] for e in errors] == ["links.expire_days"], bad
    _clean, errors = rules.validate_link_settings({"after": "delivery-ish", "colour": 1})
    assert {e["field"] for e in errors} == {"links.after", "links.colour"}
    # bad stored values fall back to the defaults
    assert rules.read_link_settings({"expire_days": "x", "after": 3}) == rules.LINK_DEFAULTS
