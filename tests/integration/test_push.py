"""Browser notifications: the VAPID key, the service worker, subscribing from the hub (and all the
ways that must be refused), one-tap withdrawal, and the signed, encrypted request to a push service."""

from __future__ import annotations

import base64
import datetime as dt

import httpx
import pytest

from orderhub.channels.jobs import send_due
from orderhub.db import engine
from orderhub.db.channels import push, rules
from orderhub.db.channels import services as channels
from orderhub.db.channels.push_tables import PushKey, PushSubscription
from orderhub.db.channels.tables import ChannelConsent, ChannelOutboxMessage
from orderhub.db.outbox import services as outbox
from tests.pickup_support import csrf_of
from tests.push_support import Browser, subscribe, vapid_claims

ENDPOINT = "https://push.example.net/wpush/v2/abc123"


@pytest.fixture
async def push_on(merchants, settings, clock):
    """Both merchants send browser notifications for every event (the channel settings' form)."""
    for merchant, *_ in merchants.values():
        await channels.save_account(merchant.id, "push", {"enabled": True, "events": list(rules.EVENTS)},
                                    secret_key=settings.secret_key, now=clock())


async def _rows():
    async with engine.read():
        return await PushSubscription.select(PushSubscription.order, PushSubscription.endpoint,
                                             PushSubscription.source, PushSubscription.locale,
                                             PushSubscription.created_at).order_by(PushSubscription.id)


async def test_the_vapid_key_is_made_once_and_kept(client, db, clock):
    first = await client.get("/push/vapid-public-key")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/plain")
    raw = base64.urlsafe_b64decode(first.text + "=" * (-len(first.text) % 4))
    assert len(raw) == 65 and raw[0] == 4 and "=" not in first.text
    push._KEYS.clear()  # another process (or a restart) reads the same key from the database
    again = await client.get("/push/vapid-public-key")
    assert again.text == first.text
    async with engine.read():
        row = await PushKey.select().first()
        assert await PushKey.count() == 1
    assert "PRIVATE KEY" not in row["private_key"]  # encrypted at rest


async def test_the_service_worker_is_served_from_the_root(client, db):
    answer = await client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    assert 'addEventListener("push"' in answer.text and "openWindow" in answer.text


async def test_subscribe_shows_on_the_panel_and_one_tap_turns_it_off(client, orders, clock, push_on):
    token = orders["jp_ship"].token
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert "How should we tell you?" in page.text and "Browser notifications" in page.text
    assert 'data-channel="push" data-on="false"' in page.text
    browser = Browser(ENDPOINT)
    answer = await subscribe(client, token, browser.subscription())
    assert answer.status_code == 201 and answer.json() == {"subscribed": True}
    again = await subscribe(client, token, browser.subscription())  # the same browser twice: stored once
    assert again.status_code == 201
    rows = await _rows()
    assert [(r["order"], r["endpoint"], r["source"]) for r in rows] == [(orders["jp_ship"].id, ENDPOINT, "hub")]
    assert rows[0]["created_at"] == clock()

    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert "On · in 1 browser" in page.text and 'data-channel="push" data-on="true"' in page.text
    ja = await client.get(f"/o/{token}/tracking?lang=ja")
    assert "お知らせの受け取り方" in ja.text and "ブラウザ通知" in ja.text

    off = await client.post(f"/o/{token}/notify/off/push",
                            data={"endpoint": ENDPOINT, "return_to": "tracking", "_csrf_token": csrf_of(page.text)})
    assert off.status_code == 303 and off.headers["location"] == f"/o/{token}/tracking"
    assert await _rows() == []
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.channel, ChannelConsent.action, ChannelConsent.source,
                                          ChannelConsent.at).order_by(ChannelConsent.id)
    assert [(r["channel"], r["action"], r["source"], r["at"]) for r in log] == [
        ("push", "consent", "hub", clock()), ("push", "withdrawal", "hub", clock())]


async def test_turning_off_under_htmx_answers_the_panel(client, orders, push_on):
    token = orders["jp_pickup"].token
    await subscribe(client, token, Browser(ENDPOINT).subscription(), page="pickup")
    page = await client.get(f"/o/{token}/pickup?lang=en")
    assert "On · in 1 browser" in page.text
    off = await client.post(f"/o/{token}/notify/off/push?lang=en", data={"endpoint": ""},
                            headers={"x-csrftoken": csrf_of(page.text), "hx-request": "true",
                                     "hx-request-type": "partial"})
    assert off.status_code == 200
    assert off.text.lstrip().startswith('<section id="notify-panel"') and "<html" not in off.text
    assert 'data-channel="push" data-on="false"' in off.text
    assert await _rows() == []


async def test_refusals(client, orders, clock, push_on):
    token, other = orders["jp_ship"].token, orders["us_ship"].token
    good = Browser(ENDPOINT).subscription()
    page = await client.get(f"/o/{token}/tracking")
    csrf = {"x-csrftoken": csrf_of(page.text), "content-type": "application/json"}
    # a wrong or malformed token: the same 404 as everywhere
    for bad in ("A" * 43, "nope", "../../etc"):
        answer = await client.post(f"/o/{bad}/notify/push", json=good, headers=csrf)
        assert answer.status_code == 404
    # no CSRF token
    answer = await client.post(f"/o/{token}/notify/push", json=good)
    assert answer.status_code == 403
    # hostile or broken subscriptions: 422 with the field, nothing stored
    hostile = [
        ({**good, "endpoint": "http://push.example.net/x"}, "endpoint"),
        ({**good, "endpoint": "javascript:alert(1)"}, "endpoint"),
        ({**good, "endpoint": "https://user:pw@push.example.net/x"}, "endpoint"),
        ({**good, "endpoint": "https://push.example.net/" + "a" * 2000}, "endpoint"),
        ({**good, "endpoint": "https://push.example.net/<script>"}, "endpoint"),
        ({**good, "keys": {"p256dh": "not base64!", "auth": good["keys"]["auth"]}}, "keys"),
        ({**good, "keys": {"p256dh": good["keys"]["p256dh"][:20], "auth": good["keys"]["auth"]}}, "keys.p256dh"),
        ({**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "AAAA"}}, "keys.auth"),
        ({"endpoint": ENDPOINT}, ""),
        ([1, 2, 3], ""),
    ]
    for body, field in hostile:
        answer = await subscribe(client, token, body)
        assert answer.status_code == 422, body
        assert answer.json()["errors"][0]["field"] == field
    for raw in (b"{not json", b"\xff\xfe", b'{"endpoint": "' + b"x" * 5000 + b'"}'):
        answer = await subscribe(client, token, raw)
        assert answer.status_code == 422
    assert await _rows() == []

    # another order's link cannot withdraw this order's subscription
    await subscribe(client, token, good)
    other_page = await client.get(f"/o/{other}/tracking")
    off = await client.post(f"/o/{other}/notify/off/push",
                            data={"endpoint": ENDPOINT, "_csrf_token": csrf_of(other_page.text)})
    assert off.status_code == 303
    assert len(await _rows()) == 1
    # nor can a post without the CSRF token
    assert (await client.post(f"/o/{token}/notify/off/push", data={"endpoint": ENDPOINT})).status_code == 403
    assert len(await _rows()) == 1


def test_a_local_push_service_needs_the_operator_s_permission():
    local = "http://127.0.0.1:9999/push/1"
    assert not push.endpoint_ok(local, ())
    assert push.endpoint_ok(local, ("127.0.0.1",))
    assert not push.endpoint_ok("ftp://push.example.net/x", ("push.example.net",))


@pytest.fixture
async def stored(orders, merchants, clock):
    browser = Browser(ENDPOINT)
    sub = push.read_subscription(httpx.Request("POST", "/", json=browser.subscription()).content)
    await push.subscribe(merchants["yamakaze"][0].id, orders["jp_ship"].id, sub, locale="ja", now=clock())
    return browser, (await push.for_order(orders["jp_ship"].id))[0]


async def test_the_request_is_signed_with_vapid_and_encrypted(stored, settings, clock):
    browser, sub = stored
    key = await push.vapid_key(settings.secret_key, clock())
    seen: list[httpx.Request] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, headers={"Location": "https://push.example.net/m/1"})

    data = push.payload("山風アウトドア", "配達中です", "/o/abc/tracking", "shipment", "ja")
    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as client:
        result = await push.send(client, sub, data, key, subject="mailto:ops@example.jp", now=clock())
    assert result.ok and result.provider_id == "https://push.example.net/m/1"
    request = seen[0]
    assert str(request.url) == ENDPOINT
    assert request.headers["content-encoding"] == "aes128gcm" and request.headers["ttl"] == str(push.TTL)
    scheme, _, params = request.headers["authorization"].partition(" ")
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == key.public_key
    claims = vapid_claims(fields["t"], key.public_key)
    assert claims["aud"] == "https://push.example.net"
    assert claims["sub"] == "mailto:ops@example.jp"
    assert claims["exp"] == int((clock() + dt.timedelta(hours=12)).timestamp())
    assert b"\xe9\x85\x8d" not in request.content  # encrypted: no plain text on the wire
    assert browser.decrypt(request.content) == {"title": "山風アウトドア", "body": "配達中です",
                                                "url": "/o/abc/tracking", "tag": "shipment", "lang": "ja"}


@pytest.mark.parametrize(("status", "ok", "permanent", "dropped"), [
    (410, False, True, True), (404, False, True, True), (429, False, False, False), (503, False, False, False),
    (400, False, True, False),
])
async def test_the_push_service_s_answer(stored, settings, clock, status, ok, permanent, dropped):
    _browser, sub = stored
    key = await push.vapid_key(settings.secret_key, clock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(status))) as client:
        result = await push.send(client, sub, push.payload("t", "b", "/", "x", "en"), key, subject="mailto:a@b.jp",
                                 now=clock())
    assert (result.ok, result.permanent, result.drop_recipient) == (ok, permanent, dropped)
    assert (await push.count_for_order(sub.order_id)) == (0 if dropped else 1)


# --- through the channel outbox: a tracking change -> one signed, encrypted request per browser ----

DELIVERED = {"shipment_id": "S-1", "carrier": "yamato", "tracking_number": "123456789012", "status": "delivered"}


class PushService:
    """A local push service: records each request and answers the queued statuses (then 201)."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.answers.pop(0) if self.answers else 201
        return httpx.Response(status, headers={"Location": f"https://push.example.net/m/{len(self.requests)}"})

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))


async def _channel_rows():
    async with engine.read():
        return await ChannelOutboxMessage.select().order_by(ChannelOutboxMessage.id)


async def test_a_delivery_reaches_the_browser_once(stored, push_on, merchants, orders, settings, clock):
    browser, sub = stored
    yamakaze = merchants["yamakaze"][0]
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    assert [(m["channel"], m["recipient"]) for m in await _channel_rows()] == [("push", str(sub.id))]
    service = PushService()
    async with service.client() as client:
        assert (await send_due(settings, clock, client=client))["sent"] == 1
        assert (await send_due(settings, clock, client=client))["sent"] == 0
    [request] = service.requests
    assert request.headers["authorization"].startswith("vapid t=")
    assert request.headers["urgency"] == "normal"
    shown = browser.decrypt(request.content)
    assert shown["title"] == "山風アウトドア" and shown["lang"] == "ja"
    assert "YK-100234" in shown["body"] and "配達が完了しました" in shown["body"] and "/o/" not in shown["body"]
    assert shown["url"] == f"{settings.base_url}/o/{orders['jp_ship'].token}/tracking"
    [row] = await _channel_rows()
    assert row["state"] == "sent" and row["provider_id"] == "https://push.example.net/m/1"


async def test_410_removes_the_subscription(stored, push_on, merchants, orders, settings, clock):
    _browser, sub = stored
    yamakaze = merchants["yamakaze"][0]
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    service = PushService(410)
    async with service.client() as client:
        assert (await send_due(settings, clock, client=client))["failed"] == 1
    assert await push.for_order(orders["jp_ship"].id) == []
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.action, ChannelConsent.source).order_by(ChannelConsent.id)
    assert [(r["action"], r["source"]) for r in log] == [("consent", "hub"), ("withdrawal", "provider")]
    # the next change writes nothing for a browser that is gone
    await outbox.notify(yamakaze.id, "shipment.shipped", {**DELIVERED, "status": "in_transit"},
                        order_id=orders["jp_ship"].id, now=clock())
    assert len(await _channel_rows()) == 1


async def test_429_is_retried_once_and_not_sent_twice(stored, push_on, merchants, orders, settings, clock):
    browser, _sub = stored
    yamakaze = merchants["yamakaze"][0]
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    service = PushService(429)
    async with service.client() as client:
        assert (await send_due(settings, clock, client=client))["retry"] == 1
        assert (await send_due(settings, clock, client=client))["sent"] == 0  # backing off
        clock.advance(seconds=61)
        assert (await send_due(settings, clock, client=client))["sent"] == 1
        clock.advance(seconds=3600)
        assert (await send_due(settings, clock, client=client))["sent"] == 0
    assert len(service.requests) == 2  # one refused, one accepted: the browser showed one
    assert browser.decrypt(service.requests[0].content) == browser.decrypt(service.requests[1].content)
    [row] = await _channel_rows()
    assert row["state"] == "sent" and row["attempts"] == 2


async def test_text_messages_on_and_off_from_the_panel(client, merchants, orders, settings, clock):
    """The panel lists the channels the merchant enabled; a switch shows at once on the (cached) page."""
    from tests.channels_support import sms_on

    yamakaze = merchants["yamakaze"][0]
    token = orders["jp_ship"].token
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert 'data-channel="sms"' not in page.text and 'data-channel="push"' not in page.text  # not enabled
    await sms_on(yamakaze.id, settings, clock())
    clock.advance(seconds=61)  # merchant-wide settings reach kept pages within a minute
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert 'data-channel="sms" data-on="false"' in page.text and "Text me" in page.text
    on = await client.post(f"/o/{token}/notify/sms",
                           data={"return_to": "tracking", "_csrf_token": csrf_of(page.text)})
    assert on.status_code == 303 and on.headers["location"] == f"/o/{token}/tracking"
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert 'data-channel="sms" data-on="true"' in page.text and "+81 ••• 5678" in page.text
    ja = await client.get(f"/o/{token}/tracking?lang=ja")
    assert "SMS(ショートメッセージ)" in ja.text and "オン · +81 ••• 5678 宛て" in ja.text
    off = await client.post(f"/o/{token}/notify/off/sms", data={"return_to": "tracking",
                                                                "_csrf_token": csrf_of(page.text)})
    assert off.status_code == 303
    page = await client.get(f"/o/{token}/tracking?lang=en")
    assert 'data-channel="sms" data-on="false"' in page.text
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.channel, ChannelConsent.action,
                                          ChannelConsent.source).order_by(ChannelConsent.id)
    assert [(r["channel"], r["action"], r["source"]) for r in log] == [
        ("sms", "consent", "hub"), ("sms", "withdrawal", "hub")]
    # an unknown channel, and text messages where the merchant does not send them
    assert (await client.post(f"/o/{token}/notify/off/fax", data={"_csrf_token": csrf_of(page.text)})).status_code == 404
    other = orders["us_ship"].token
    other_page = await client.get(f"/o/{other}/tracking")
    refused = await client.post(f"/o/{other}/notify/sms", data={"_csrf_token": csrf_of(other_page.text)})
    assert refused.status_code == 404


async def test_a_phone_that_cannot_take_texts_gets_a_clear_message(client, merchants, orders, settings, clock):
    from orderhub.db.orders.tables import Order
    from tests.channels_support import sms_on

    yamakaze = merchants["yamakaze"][0]
    await sms_on(yamakaze.id, settings, clock())
    async with engine.write():
        row = await Order.select(Order.customer).where(Order.id == orders["jp_ship"].id).output(load_json=True).first()
        await Order.update({Order.customer: {**row["customer"], "phone": "12"}}).where(Order.id == orders["jp_ship"].id)
    token = orders["jp_ship"].token
    page = await client.get(f"/o/{token}/notify?lang=en")
    refused = await client.post(f"/o/{token}/notify/sms?lang=en", data={"_csrf_token": csrf_of(page.text)},
                                headers={"hx-request": "true", "hx-request-type": "partial"})
    assert refused.status_code == 422
    assert "This order&#39;s phone number cannot receive text messages." in refused.text
    assert 'data-channel="sms" data-on="false"' in refused.text
