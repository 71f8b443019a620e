"""The email outbox: written in the caller's transaction, sent once, re-sent with the same
Message-ID after a crash, retried with backoff into a dead letter the merchant sees and retries,
good manners (throttling, quiet hours) and the merchant's choice of webhooks only."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from orderhub.db import engine
from orderhub.db.emails import queries, rules
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.merchants.tables import Merchant
from orderhub.db.outbox import queries as outbox_queries
from orderhub.db.outbox import services as outbox
from orderhub.db.shipping.jobs import arriving_tomorrow
from orderhub.emails.jobs import send_due
from tests.conftest import bearer
from tests.emails_support import mail_settings, smtp_server  # noqa: F401 (fixtures)


async def _rows(order_id: int | None = None) -> list[dict]:
    async with engine.read():
        q = EmailMessage.select().order_by(EmailMessage.id)
        if order_id is not None:
            q = q.where(EmailMessage.order_id == order_id)
        return await q


async def _set_emails(merchant_id: int, **values) -> None:
    async with engine.write():
        await Merchant.update({Merchant.settings: {"emails": values}}).where(Merchant.id == merchant_id)


async def test_order_confirmation_is_sent_once(merchants, orders, mail_settings, smtp_server, clock):
    rows = await _rows()
    assert sorted(r["kind"] for r in rows) == ["order_confirmed"] * 3
    assert {r["recipient"] for r in rows} == {"hanako.yamada@example.jp", "ken.sato@example.jp", "jordan.lee@example.com"}
    assert await send_due(mail_settings, clock) == {"sent": 3, "retry": 0, "dead": 0, "skipped": 0}
    assert await send_due(mail_settings, clock) == {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    assert len(smtp_server.wait_for(3)) == 3
    assert {r["state"] for r in await _rows()} == {"sent"}


async def test_same_state_change_twice_mails_once(merchants, orders, clock):
    yamakaze = merchants["yamakaze"][0]
    payload = {"shipment_id": "S-9", "carrier": "yamato", "tracking_number": "123456789012", "status": "delivered"}
    for _ in range(2):
        await outbox.notify(yamakaze.id, "shipment.delivered", payload, order_id=orders["jp_ship"].id, now=clock())
    assert [r["kind"] for r in await _rows(orders["jp_ship"].id)] == ["order_confirmed", "delivered"]


async def test_rollback_writes_nothing(merchants, orders, clock):
    acme = merchants["acme"][0]
    with pytest.raises(RuntimeError):
        async with engine.write():
            await outbox.notify(acme.id, "shipment.delivered", {"shipment_id": "S-1", "status": "delivered"},
                                order_id=orders["us_ship"].id, now=clock())
            assert len(await _rows(orders["us_ship"].id)) == 2  # visible inside the transaction
            raise RuntimeError("the change failed")
    assert [r["kind"] for r in await _rows(orders["us_ship"].id)] == ["order_confirmed"]


async def test_a_crash_between_send_and_record_resends_with_the_same_message_id(merchants, orders, mail_settings,
                                                                             smtp_server, clock):
    async def crash(row):
        raise SystemExit("the worker died after the SMTP server took the message")

    with pytest.raises(SystemExit):
        await send_due(mail_settings, clock, after_send=crash)
    first = smtp_server.wait_for(1)[0]
    stuck = [r for r in await _rows() if r["state"] == "sending"]
    assert len(stuck) == 3 and {r["attempts"] for r in stuck} == {1}  # the claimed batch
    # a restarted worker leaves the claimed messages alone while their lease runs...
    assert (await send_due(mail_settings, clock))["sent"] == 0
    assert len(smtp_server.messages) == 1
    # ...then sends them, the one the SMTP server already took once more with the same Message-ID
    clock.advance(seconds=rules.LEASE_SECONDS + 1)
    assert (await send_due(mail_settings, clock))["sent"] == 3
    received = smtp_server.wait_for(4)
    assert len(received) == 4
    again = [m for m in received if m["Message-ID"] == first["Message-ID"]]
    assert len(again) == 2 and again[0]["Subject"] == again[1]["Subject"]
    assert len({m["Message-ID"] for m in received}) == 3
    assert {(r["state"], r["attempts"]) for r in await _rows()} == {("sent", 2)}


async def test_failures_back_off_then_die_and_the_merchant_retries(client, merchants, orders, mail_settings,
                                                                  smtp_server, clock):
    acme_key = merchants["acme"][1]
    smtp_server.answer = "451 4.3.0 try again later"
    attempts_at = []
    while True:
        counts = await send_due(mail_settings, clock)
        attempts_at.append(clock())
        if counts["dead"]:
            break
        assert counts["retry"] == 3
        row = (await _rows(orders["us_ship"].id))[0]
        assert row["state"] == "pending" and "451" in row["last_error"]
        clock.now = row["next_attempt_at"]
    assert len(attempts_at) == rules.MAX_ATTEMPTS
    gaps = [(b - a).total_seconds() for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] == rules.FIRST_RETRY_SECONDS and max(gaps) <= rules.MAX_RETRY_SECONDS

    listed = await client.get("/api/v1/emails?state=dead", headers=bearer(acme_key))
    assert listed.status_code == 200
    dead = listed.json()["emails"]
    assert [e["order_number"] for e in dead] == [orders["us_ship"].number]
    assert dead[0]["state"] == "dead" and dead[0]["attempts"] == rules.MAX_ATTEMPTS and "451" in dead[0]["last_error"]
    assert re.fullmatch(r"<[0-9a-f]{32}@testserver\.local>", dead[0]["message_id"])  # the app sets no From

    # keyed, merchant-scoped, and hostile ids are a plain 404
    assert (await client.post(f"/api/v1/emails/{dead[0]['id']}/retry")).status_code == 401
    assert (await client.post(f"/api/v1/emails/{dead[0]['id']}/retry", headers=bearer("ohk_wrong"))).status_code == 401
    other = await client.post(f"/api/v1/emails/{dead[0]['id']}/retry", headers=bearer(merchants["yamakaze"][1]))
    assert other.status_code == 404
    theirs = (await client.get("/api/v1/emails?state=dead", headers=bearer(merchants["yamakaze"][1]))).json()["emails"]
    assert orders["us_ship"].number not in [e["order_number"] for e in theirs]
    for bad in ("abc", "99999999999999999999999", "-1"):
        assert (await client.post(f"/api/v1/emails/{bad}/retry", headers=bearer(acme_key))).status_code == 404
    assert (await client.get("/api/v1/emails?state=<b>", headers=bearer(acme_key))).status_code == 422

    smtp_server.answer = "250 OK"
    retried = await client.post(f"/api/v1/emails/{dead[0]['id']}/retry", headers=bearer(acme_key))
    assert retried.status_code == 200 and retried.json()["state"] == "pending" and retried.json()["attempts"] == 0
    again = await client.post(f"/api/v1/emails/{dead[0]['id']}/retry", headers=bearer(acme_key))
    assert again.status_code == 409
    assert (await send_due(mail_settings, clock))["sent"] == 1
    assert any(orders["us_ship"].number in m["Subject"] for m in smtp_server.wait_for(1))
    sent = (await client.get("/api/v1/emails?state=sent", headers=bearer(acme_key))).json()["emails"]
    assert [e["id"] for e in sent] == [dead[0]["id"]]


async def test_a_permanent_refusal_is_dead_at_once(merchants, orders, mail_settings, smtp_server, clock):
    smtp_server.answer = "550 5.1.1 no such mailbox"
    counts = await send_due(mail_settings, clock)
    assert counts == {"sent": 0, "retry": 0, "dead": 3, "skipped": 0}
    assert {r["attempts"] for r in await _rows()} == {1}


async def test_without_smtp_messages_wait_then_go_stale(merchants, orders, settings, mail_settings, smtp_server, clock):
    assert settings.smtp_url is None
    assert (await send_due(settings, clock))["sent"] == 0
    assert {r["state"] for r in await _rows()} == {"pending"}
    clock.advance(days=4)
    assert await send_due(mail_settings, clock) == {"sent": 0, "retry": 0, "dead": 0, "skipped": 3}
    assert smtp_server.messages == []


async def test_webhooks_only_writes_no_email_but_the_webhook_goes(merchants, orders, clock):
    yamakaze = merchants["yamakaze"][0]
    await outbox.add_endpoint(yamakaze.id, "https://hooks.yamakaze.example/in", now=clock())
    await _set_emails(yamakaze.id, send=False)
    await outbox.notify(yamakaze.id, "shipment.delivered", {"shipment_id": "S-1", "status": "delivered"},
                        order_id=orders["jp_ship"].id, now=clock())
    assert [r["kind"] for r in await _rows(orders["jp_ship"].id)] == ["order_confirmed"]
    assert [d.event for d in await outbox_queries.deliveries(yamakaze.id)] == ["shipment.delivered"]


async def test_in_transit_updates_are_throttled_per_shipment(merchants, orders, clock):
    acme = merchants["acme"][0]
    await _set_emails(acme.id, transit_every_hours=12)
    order_id = orders["us_ship"].id

    async def tell(event, shipment="S-1", **extra):
        await outbox.notify(acme.id, event, {"shipment_id": shipment, "status": event.split(".")[1], **extra},
                            order_id=order_id, now=clock())

    await tell("shipment.delayed", estimated_delivery="2026-11-25")
    clock.advance(hours=3)
    await tell("shipment.delayed", estimated_delivery="2026-11-26")   # suppressed: 3 h after the last
    await tell("shipment.delayed", "S-2", estimated_delivery="2026-11-26")  # another parcel: goes
    await tell("shipment.exception", substatus="damaged")             # exceptions always go
    clock.advance(hours=10)
    await tell("shipment.out_for_delivery")                           # 13 h after the first: goes
    await tell("shipment.delivered")                                  # deliveries always go
    rows = [(r["kind"], r["shipment"], r["state"]) for r in await _rows(order_id) if r["kind"] != "order_confirmed"]
    assert rows == [("delayed", "S-1", "pending"), ("delayed", "S-1", "suppressed"), ("delayed", "S-2", "pending"),
                    ("exception", "S-1", "pending"), ("arriving_today", "S-1", "pending"),
                    ("delivered", "S-1", "pending")]


async def test_quiet_hours_hold_non_urgent_messages_in_the_shoppers_time_zone(merchants, orders, mail_settings,
                                                                               smtp_server, clock):
    acme = merchants["acme"][0]  # us_ship: a US address; acme's zone America/New_York
    clock.now = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)  # 22:30 in New York
    await outbox.notify(acme.id, "return.approved", {"return_id": 0, "number": "R-1"}, order_id=orders["us_ship"].id,
                        now=clock())
    await outbox.notify(acme.id, "shipment.exception", {"shipment_id": "S-1", "status": "exception"},
                        order_id=orders["us_ship"].id, now=clock())
    rows = {r["kind"]: r for r in await _rows(orders["us_ship"].id)}
    assert rows["exception"]["next_attempt_at"] == clock()
    assert rows["return_approved"]["next_attempt_at"] == dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)
    counts = await send_due(mail_settings, clock)
    assert counts["sent"] == 4  # three confirmations and the exception; the approval waits for 08:00
    clock.now = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)
    assert (await send_due(mail_settings, clock))["sent"] == 1


async def test_arriving_tomorrow_is_told_once_per_estimate(client, merchants, orders, clock):
    yamakaze, key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    await outbox.add_endpoint(yamakaze.id, "https://hooks.yamakaze.example/in", now=clock())
    answer = await client.put("/api/v1/orders/jp_ship/shipments/S-1", headers=bearer(key), json={
        "carrier": "yamato", "tracking_number": "4012-3456-7890", "lines": [{"line_id": "L1", "quantity": 1}],
        "shipped_at": "2026-11-21T09:00:00+09:00", "estimated_delivery": "2026-11-23"})
    assert answer.status_code == 201, answer.text
    assert "shipped" in [r["kind"] for r in await _rows(orders["jp_ship"].id)]
    # 2026-11-22 12:00 in Tokyo: the estimate (the 23rd) is tomorrow
    assert await arriving_tomorrow(None, clock) == 1
    assert await arriving_tomorrow(None, clock) == 0
    kinds = [r["kind"] for r in await _rows(orders["jp_ship"].id)]
    assert kinds.count("arriving_tomorrow") == 1
    events = [d.event for d in await outbox_queries.deliveries(yamakaze.id)]
    assert events.count("shipment.arriving_tomorrow") == 1
    # with emails off, the webhook alone still records it once
    await _set_emails(yamakaze.id, send=False)
    assert await arriving_tomorrow(None, clock) == 0


async def test_outbox_list_is_merchant_scoped(merchants, orders):
    acme_rows = await queries.messages(merchants["acme"][0].id)
    assert [r.order_number for r in acme_rows] == [orders["us_ship"].number]
    assert await queries.message(merchants["yamakaze"][0].id, acme_rows[0].id) is None
    assert (await queries.message(merchants["acme"][0].id, acme_rows[0].id)).kind == "order_confirmed"
