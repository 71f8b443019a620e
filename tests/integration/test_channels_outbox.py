"""LINE and SMS beside email: one outbox row per channel message written with the change, sent once
to the local fake providers, retried on 429/5xx/timeouts without a second copy, dead letters, the
merchant's "send again", consent, invalid numbers, revoked LINE links, credentials sealed at rest."""

from __future__ import annotations

import base64

import pytest

from orderhub.channels.jobs import send_due
from orderhub.db import engine
from orderhub.db.channels import rules, services
from orderhub.db.channels.tables import ChannelAccount, ChannelConsent, ChannelRecipient
from orderhub.db.errors import Conflict
from orderhub.db.outbox import services as outbox
from orderhub.db.validation import ValidationFailed
from tests.channels_support import (
    LINE_SECRET,
    LINE_TOKEN,
    SMS_SENDER,
    SMS_SID,
    SMS_TOKEN,
    FakeProviders,
    line_on,
    link_line,
    messages,
    sms_on,
)

DELIVERED = {"shipment_id": "S-1", "carrier": "yamato", "tracking_number": "123456789012", "status": "delivered"}


async def _deliver(merchant_id: int, order_id: int, clock, payload=DELIVERED) -> None:
    await outbox.notify(merchant_id, "shipment.delivered", payload, order_id=order_id, now=clock())


async def test_line_push_in_the_shoppers_language_with_the_hub_link(merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    await link_line(yamakaze.id, orders["jp_ship"].id, "U4af4980629", clock())
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock)
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock)  # the same change twice: one message
    assert [(m["channel"], m["recipient"], m["state"]) for m in await messages()] == [
        ("line", "U4af4980629", "pending")]
    fake = FakeProviders()
    async with fake.client() as client:
        assert (await send_due(settings, clock, client=client))["sent"] == 1
        assert (await send_due(settings, clock, client=client))["sent"] == 0
    [push] = fake.sent("/v2/bot/message/push")
    assert str(push.url) == "https://api.line.me/v2/bot/message/push"
    assert push.headers["authorization"] == f"Bearer {LINE_TOKEN}"
    body = fake.json(push)
    assert body["to"] == "U4af4980629"
    text = body["messages"][0]["text"]
    assert text.startswith("【山風アウトドア】ご注文 YK-100234 の配達が完了しました。")
    assert f"{settings.base_url}/o/{orders['jp_ship'].token}/tracking" in text
    [row] = await messages()
    assert row["state"] == "sent" and row["rendered_text"] == text and row["provider_id"] == "req-1"


async def test_nothing_for_a_channel_that_is_off_or_an_order_without_link(merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await link_line(yamakaze.id, orders["jp_ship"].id, "U1", clock())
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock)  # LINE not turned on
    await line_on(yamakaze.id, settings, clock())
    await _deliver(yamakaze.id, orders["jp_pickup"].id, clock)  # no LINE user linked to this order
    assert await messages() == []


async def test_sms_goes_only_with_consent_to_the_orders_phone(merchants, orders, settings, clock):
    acme = merchants["acme"][0]
    await sms_on(acme.id, settings, clock())
    await _deliver(acme.id, orders["us_ship"].id, clock)
    assert await messages() == []  # no consent, no text message
    number = await services.sms_consent(acme.id, orders["us_ship"].id, source="hub", now=clock())
    assert number == "+12125550143"
    await _deliver(acme.id, orders["us_ship"].id, clock, {**DELIVERED, "shipment_id": "S-2"})
    fake = FakeProviders()
    async with fake.client() as client:
        assert (await send_due(settings, clock, client=client))["sent"] == 1
    [sms] = fake.sent("/Messages.json")
    assert str(sms.url) == f"https://api.twilio.com/2010-04-01/Accounts/{SMS_SID}/Messages.json"
    assert sms.headers["authorization"] == "Basic " + base64.b64encode(f"{SMS_SID}:{SMS_TOKEN}".encode()).decode()
    form = fake.form(sms)
    assert form["To"] == "+12125550143" and form["From"] == SMS_SENDER
    assert form["Body"].startswith("[Acme Outfitters] Your order") and "was delivered" in form["Body"]
    # the withdrawal stops the next one; both are in the consent log with time and source
    await services.withdraw(acme.id, orders["us_ship"].id, "sms", source="hub", now=clock())
    await _deliver(acme.id, orders["us_ship"].id, clock, {**DELIVERED, "shipment_id": "S-3"})
    assert len(await messages()) == 1
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.action, ChannelConsent.source, ChannelConsent.at)
    assert [(c["action"], c["source"], c["at"]) for c in log] == [("consent", "hub", clock()),
                                                                  ("withdrawal", "hub", clock())]


async def test_an_invalid_phone_number_is_refused_with_a_clear_message(merchants, orders, settings, clock, client):
    acme = merchants["acme"][0]
    async with engine.write():
        from orderhub.db.orders.tables import Order

        await Order.update({Order.customer: {"name": "J", "email": "j@example.com", "phone": "12345"}}).where(
            Order.id == orders["us_ship"].id)
    with pytest.raises(ValidationFailed) as refused:
        await services.sms_consent(acme.id, orders["us_ship"].id, source="hub", now=clock())
    assert refused.value.errors[0]["field"] == "phone"
    assert "not a valid number" in refused.value.errors[0]["message"]


async def test_storefront_consent_in_the_order_body(merchants, orders, settings, clock, client):
    from tests.conftest import bearer, fixture

    acme, key, _ = merchants["acme"]
    body = fixture("orders/us_ship.json")
    body["customer"]["sms_consent"] = True
    answer = await client.put("/api/v1/orders/us_ship", json=body, headers=bearer(key))
    assert answer.status_code == 200
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == ["+12125550143"]
    body["customer"]["phone"] = "555-0000"
    answer = await client.put("/api/v1/orders/us_ship", json=body, headers=bearer(key))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "customer.phone"
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.source)
    assert [c["source"] for c in log] == ["storefront"]


async def test_429_then_success_sends_one_message(merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    await link_line(yamakaze.id, orders["jp_ship"].id, "U1", clock())
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock)
    fake = FakeProviders()
    fake.answers = [429]
    async with fake.client() as client:
        assert (await send_due(settings, clock, client=client))["retry"] == 1
        assert (await send_due(settings, clock, client=client))["sent"] == 0  # backing off
        clock.advance(seconds=61)
        assert (await send_due(settings, clock, client=client))["sent"] == 1
    pushes = fake.sent("/v2/bot/message/push")
    assert len(pushes) == 2  # one refused, one accepted: the shopper got one message
    assert pushes[0].headers["x-line-retry-key"] == pushes[1].headers["x-line-retry-key"]
    [row] = await messages()
    assert row["state"] == "sent" and row["attempts"] == 2


async def test_5xx_and_timeouts_back_off_then_dead_letter_and_send_again(merchants, orders, settings, clock):
    acme = merchants["acme"][0]
    await sms_on(acme.id, settings, clock())
    await services.sms_consent(acme.id, orders["us_ship"].id, source="hub", now=clock())
    await _deliver(acme.id, orders["us_ship"].id, clock)
    fake = FakeProviders()
    fake.answers = [503] * (rules.MAX_ATTEMPTS - 1)
    fake.timeouts = 0
    waits = []
    async with fake.client() as client:
        for _ in range(rules.MAX_ATTEMPTS - 1):
            assert (await send_due(settings, clock, client=client))["retry"] == 1
            [row] = await messages()
            waits.append((row["next_attempt_at"] - clock()).total_seconds())
            clock.advance(seconds=3600)
        fake.timeouts = 1
        assert (await send_due(settings, clock, client=client))["dead"] == 1
    assert waits[:4] == [60, 120, 240, 480]  # exponential backoff
    [row] = await messages()
    assert row["state"] == "dead" and row["last_error"] == "the provider could not be reached"
    # the merchant sends it again from the log: it goes out once
    await services.send_again(acme.id, row["id"], now=clock())
    with pytest.raises(Conflict):  # already waiting to go out
        await services.send_again(acme.id, row["id"], now=clock())
    async with fake.client() as client:
        assert (await send_due(settings, clock, client=client))["sent"] == 1
    assert (await messages())[0]["state"] == "sent"


async def test_a_revoked_line_link_is_removed_and_the_message_fails(merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    await link_line(yamakaze.id, orders["jp_ship"].id, "Ugone", clock())
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock)
    fake = FakeProviders()
    fake.answers = [404]
    async with fake.client() as client:
        assert (await send_due(settings, clock, client=client))["failed"] == 1
    assert await services.linked("line", yamakaze.id, orders["jp_ship"].id) == []
    await _deliver(yamakaze.id, orders["jp_ship"].id, clock, {**DELIVERED, "shipment_id": "S-2"})
    assert len(await messages()) == 1  # nobody to send the next one to


async def test_credentials_are_encrypted_at_rest_and_never_shown_in_full(merchants, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    async with engine.read():
        raw = await ChannelAccount.select().where(ChannelAccount.merchant == yamakaze.id).output(load_json=True).first()
    stored = str(raw)
    assert LINE_TOKEN not in stored and LINE_SECRET not in stored
    assert raw["hints"] == {"access_token": "…mnop", "channel_secret": "…6789"}
    creds = await services.credentials(yamakaze.id, "line", secret_key=settings.secret_key)
    assert creds.get("access_token") == LINE_TOKEN
    # another secret key opens nothing
    assert (await services.credentials(yamakaze.id, "line", secret_key="x" * 40)).values == {}
    # saving again without retyping keeps them; turning SMS on without credentials is refused
    await services.save_account(yamakaze.id, "line", {"enabled": True, "events": ["pickup.ready"]},
                                secret_key=settings.secret_key, now=clock())
    assert (await services.credentials(yamakaze.id, "line", secret_key=settings.secret_key)).get(
        "access_token") == LINE_TOKEN
    with pytest.raises(ValidationFailed):
        await services.save_account(yamakaze.id, "sms", {"enabled": True}, secret_key=settings.secret_key,
                                    now=clock())


async def test_line_link_needs_the_nonce_it_was_given(merchants, orders, clock):
    yamakaze, acme = merchants["yamakaze"][0], merchants["acme"][0]
    nonce = await services.line_link_started(yamakaze.id, orders["jp_ship"].id, now=clock())
    assert not await services.line_link_done(yamakaze.id, "not-the-nonce", "U1", now=clock())
    assert not await services.line_link_done(acme.id, nonce, "U1", now=clock())  # another merchant's webhook
    assert await services.line_link_done(yamakaze.id, nonce, "U1", now=clock())
    assert not await services.line_link_done(yamakaze.id, nonce, "U2", now=clock())  # used once
    async with engine.read():
        rows = await ChannelRecipient.select(ChannelRecipient.recipient, ChannelRecipient.active)
    assert rows == [{"recipient": "U1", "active": True}]
