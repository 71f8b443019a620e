"""Tracking tells the outbox (emails, merchant webhooks) about what a shopper or merchant should hear:
shipped, out for delivery, delivered, exceptions and failed attempts, and estimates moved later."""

from __future__ import annotations

import pytest

from tests.tracking_support import events_body, post_events, put_shipment


@pytest.fixture
def outbox(monkeypatch):
    """Records notify() calls (a stand-in with the outbox's documented signature)."""
    calls = []

    async def notify(merchant_id, event, payload, *, order_id, now):
        calls.append((merchant_id, event, payload, order_id))

    from orderhub.db.outbox import services

    monkeypatch.setattr(services, "notify", notify)
    return calls


async def test_notifications_on_every_state_a_shopper_should_hear_about(client, merchants, orders, outbox):
    merchant, key, _ = merchants["acme"]
    await put_shipment(client, key, order="us_ship", name="tracking/ups_delayed.json")
    assert [c[1] for c in outbox] == ["shipment.shipped"]
    await put_shipment(client, key, order="us_ship", name="tracking/ups_delayed.json")  # a repeat: nothing new
    assert len(outbox) == 1
    await post_events(client, key, events_body("tracking/ups_delayed.json", ids=["u-1", "u-2"]))
    assert len(outbox) == 1  # label and in transit: nothing to say
    await post_events(client, key, events_body("tracking/ups_delayed.json", ids=["u-3"]))
    assert [c[1] for c in outbox[1:]] == ["shipment.exception", "shipment.delayed"]
    assert outbox[-1][2]["estimated_delivery"] == "2026-11-19" and outbox[-1][2]["first_estimate"] == "2026-11-17"
    await post_events(client, key, events_body("tracking/ups_delayed.json", ids=["u-4", "u-5", "u-6"]))
    assert outbox[-1][1] == "shipment.failed_attempt"
    assert outbox[-1][2]["substatus"] == "recipient_unavailable"
    await post_events(client, key, {"carrier": "ups", "tracking_number": "1Z999AA10123456784", "events": [
        {"id": "u-7", "status": "delivered", "occurred_at": "2026-11-20T12:00:00-05:00"}]})
    assert outbox[-1][1] == "shipment.delivered"
    assert all(c[0] == merchant.id and c[3] == orders["us_ship"].id for c in outbox)
    # the same events again: nothing more
    before = len(outbox)
    await post_events(client, key, events_body("tracking/ups_delayed.json"))
    assert len(outbox) == before
