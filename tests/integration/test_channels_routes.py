"""The channel routes through the HTTP client: the merchant's settings page (owners only, CSRF,
another merchant's messages, hostile input, credentials never shown back, test send, figures, send
again), LINE's webhook (bad signature, account link with the nonce, unfollow), and the shopper's
updates page (LINE account link, SMS opt-in and withdrawal, an invalid number)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from orderhub.channels.jobs import send_due
from orderhub.db import engine
from orderhub.db.channels import queries, services
from orderhub.db.channels.tables import ChannelAccount, ChannelConsent, ChannelOutboxMessage
from orderhub.db.orders.tables import Order
from orderhub.db.outbox import services as outbox
from tests.admin_ops_support import csrf, signed_in
from tests.channels_support import (
    LINE_SECRET,
    LINE_TOKEN,
    SMS_SID,
    SMS_TOKEN,
    FakeProviders,
    line_on,
    line_signature,
    link_line,
    messages,
    sms_on,
)
from tests.integration.test_admin_settings import error_of, post, text

PAGE = "/admin/settings/channels"
DELIVERED = {"shipment_id": "S-1", "status": "delivered"}


async def test_owners_only_and_csrf(client, merchants, clock):
    r = await client.get(PAGE)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    r = await client.post(PAGE + "/line", data={"line_enabled": "on"})
    assert r.status_code in (303, 403)
    await signed_in(client, clock, "yamakaze", "staff")
    assert (await client.get(PAGE)).status_code == 403
    client.cookies.clear()
    await signed_in(client, clock, "yamakaze", "owner")
    # signed in, but without the CSRF token: refused, nothing stored
    r = await client.post(PAGE + "/line", data={"line_enabled": "on", "channel_secret": LINE_SECRET,
                                                "access_token": LINE_TOKEN})
    assert r.status_code == 403
    async with engine.read():
        assert await ChannelAccount.count() == 0


async def test_settings_store_sealed_credentials_and_show_only_hints(client, merchants, clock):
    await signed_in(client, clock)
    r = await post(client, PAGE + "/line", {"line_enabled": "on", "channel_secret": LINE_SECRET,
                                            "access_token": LINE_TOKEN, "line_events": "shipment.delivered"}, page=PAGE)
    assert r.status_code == 303
    page = await client.get(PAGE + "?lang=en")
    assert LINE_TOKEN not in page.text and LINE_SECRET not in page.text
    assert "Stored: …mnop. Leave empty to keep it." in text(page)
    async with engine.read():
        raw = str(await ChannelAccount.select())
    assert LINE_TOKEN not in raw and LINE_SECRET not in raw
    ja = await client.get(PAGE + "?lang=ja")
    assert "LINE、SMS、通知" in text(ja) and "チャネルアクセストークン" in text(ja)


async def test_bad_input_is_answered_next_to_the_field(client, merchants, clock):
    await signed_in(client, clock)
    r = await post(client, PAGE + "/sms?lang=en", {"sms_enabled": "on", "account_sid": SMS_SID, "auth_token": SMS_TOKEN,
                                           "sender": "<script>alert(1)</script>"}, page=PAGE + "?lang=en")
    assert r.status_code == 422
    assert "<script>alert(1)" not in r.text
    assert error_of(r, "sender") == "Enter a phone number in international form, like +81 90 1234 5678."
    r = await post(client, PAGE + "/sms?lang=en", {"sms_enabled": "on"}, page=PAGE + "?lang=en")
    assert r.status_code == 422 and error_of(r, "account_sid") == "Enter this to turn the channel on."
    r = await post(client, PAGE + "/sms?lang=en", {"sms_events": "order.<b>nope</b>"}, page=PAGE + "?lang=en")
    assert r.status_code == 422 and error_of(r, "sms_events") == "Choose among the events listed."
    assert (await post(client, PAGE + "/fax", {"fax_enabled": "on"}, page=PAGE)).status_code == 404
    async with engine.read():
        assert await ChannelAccount.count() == 0


async def test_test_send_goes_to_the_provider(app, client, merchants, settings, clock):
    fake = FakeProviders()
    app.state.channel_client = fake.client
    await signed_in(client, clock)
    r = await post(client, PAGE + "/sms/test?lang=en", {"sms_to": "+81 90 1234 5678"}, page=PAGE + "?lang=en")
    assert r.status_code == 409 and "Save this channel's credentials first." in text(r)
    await sms_on(merchants["yamakaze"][0].id, settings, clock())
    r = await post(client, PAGE + "/sms/test?lang=en", {"sms_to": "not a number"}, page=PAGE + "?lang=en")
    assert r.status_code == 422 and error_of(r, "sms_to").startswith("Enter a phone number")
    r = await post(client, PAGE + "/sms/test?lang=en", {"sms_to": "+81 90 1234 5678"}, page=PAGE + "?lang=en")
    assert r.status_code == 200 and "The test message was sent." in text(r)
    [sms] = fake.sent("/Messages.json")
    assert fake.form(sms)["To"] == "+819012345678" and "test message" in fake.form(sms)["Body"]
    fake.answers = [401]
    r = await post(client, PAGE + "/sms/test?lang=en", {"sms_to": "+81 90 1234 5678"}, page=PAGE + "?lang=en")
    assert r.status_code == 502 and "The provider refused the test message: HTTP 401" in text(r)


async def test_log_figures_and_send_again_only_for_the_merchants_own(client, merchants, orders, settings, clock):
    yamakaze, acme = merchants["yamakaze"][0], merchants["acme"][0]
    await line_on(yamakaze.id, settings, clock())
    await link_line(yamakaze.id, orders["jp_ship"].id, "U4af4980629abc", clock())
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    fake = FakeProviders()
    fake.answers = [400]
    async with fake.client() as c:
        assert (await send_due(settings, clock, client=c))["failed"] == 1
    [row] = await messages()
    await signed_in(client, clock, "acme")
    r = await post(client, f"{PAGE}/messages/{row['id']}/send-again", {}, page=PAGE)
    assert r.status_code == 404  # another merchant's message
    client.cookies.clear()
    await signed_in(client, clock, "yamakaze")
    page = await client.get(PAGE + "?lang=en")
    assert "Refused by the provider" in text(page) and "U4af49…" in text(page) and "U4af4980629abc" not in page.text
    assert "LINE 0 1 0" in text(page)  # sent, refused, failed in the last 7 days
    r = await post(client, f"{PAGE}/messages/{row['id']}/send-again", {}, page=PAGE)
    assert r.status_code == 303
    async with engine.read():
        again = await ChannelOutboxMessage.select(ChannelOutboxMessage.state).first()
    assert again["state"] == "pending"
    assert (await post(client, f"{PAGE}/messages/99999999999999999999/send-again", {}, page=PAGE)).status_code == 404
    _ = acme


async def _line_webhook(client, body: dict, *, secret: str = LINE_SECRET, slug: str = "yamakaze"):
    raw = json.dumps(body).encode()
    return await client.post(f"/webhooks/line/{slug}", content=raw,
                             headers={"x-line-signature": line_signature(raw, secret), "content-type": "application/json"})


async def test_line_account_link_through_the_hub_and_the_webhook(client, merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    hub = f"/o/{orders['jp_ship'].token}/updates"
    page = await client.get(hub + "?linkToken=NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY&lang=en")
    assert page.status_code == 200 and "Get updates on LINE" in text(page)
    token = await csrf(client, hub + "?linkToken=NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY")
    r = await client.post(hub + "/line", data={"link_token": "NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY", "_csrf_token": token})
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://access.line.me/dialog/bot/accountLink"
    query = parse_qs(target.query)
    assert query["linkToken"] == ["NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY"]
    nonce = query["nonce"][0]
    event = {"type": "accountLink", "source": {"type": "user", "userId": "U4af4980629"},
             "link": {"result": "ok", "nonce": nonce}}
    # a bad signature, another merchant's secret, an unknown merchant: 401, nothing linked
    assert (await _line_webhook(client, {"events": [event]}, secret="wrong")).status_code == 401
    assert (await _line_webhook(client, {"events": [event]}, slug="acme")).status_code == 401
    assert (await _line_webhook(client, {"events": [event]}, slug="nobody")).status_code == 401
    assert await services.linked("line", yamakaze.id, orders["jp_ship"].id) == []
    r = await _line_webhook(client, {"events": [event]})
    assert r.status_code == 200 and r.json() == {"linked": 1, "removed": 0, "answered": {}}
    assert await services.linked("line", yamakaze.id, orders["jp_ship"].id) == ["U4af4980629"]
    assert "Updates about this order go to your LINE account." in text(await client.get(hub + "?lang=en"))
    # the shopper blocks the account: the link goes
    r = await _line_webhook(client, {"events": [{"type": "unfollow", "source": {"userId": "U4af4980629"}}]})
    assert r.json() == {"linked": 0, "removed": 1, "answered": {}}
    assert await services.linked("line", yamakaze.id, orders["jp_ship"].id) == []
    # hostile bodies are answered, never a 500
    for body in ({"events": "x"}, {"events": [1, None, {"type": "accountLink", "link": "x"}]}, []):
        assert (await _line_webhook(client, body)).status_code == 200


async def test_line_link_refuses_a_bad_link_token_and_channels_off(client, merchants, orders, settings, clock):
    hub = f"/o/{orders['jp_ship'].token}/updates"
    token = await csrf(client, hub)
    r = await client.post(hub + "/line", data={"link_token": "abc", "_csrf_token": token})
    assert r.status_code == 404  # LINE is off for this shop
    await line_on(merchants["yamakaze"][0].id, settings, clock())
    r = await client.post(hub + "/line?lang=en", data={"link_token": "<script>", "_csrf_token": token})
    assert r.status_code == 422 and "<script>" not in r.text
    r = await client.post(hub + "/line", data={"link_token": "abc"})
    assert r.status_code == 403  # no CSRF token
    bad = "/o/not-a-token/updates"
    assert (await client.get(bad)).status_code == 404


def _sms_form(html: str) -> str:
    """The action of the SMS form on a page (site/hub/_sms.html.jinja)."""
    import re

    return re.search(r'<form method="post" action="([^"]*/notify/(?:off/)?sms[^"]*)"', html).group(1)


async def test_sms_opt_in_and_out_on_the_hub(client, merchants, orders, settings, clock):
    """One SMS opt-in path: the updates page and the notify panel show the same form, posting to
    /notify/sms; the updates page's old URL redirects there (307, the form and CSRF token kept)."""
    acme = merchants["acme"][0]
    await sms_on(acme.id, settings, clock())
    token_ = orders["us_ship"].token
    hub = f"/o/{token_}/updates"
    page = await client.get(hub + "?lang=en")
    assert "Get a text message when your order ships" in text(page) and "Text me" in text(page)
    panel = await client.get(f"/o/{token_}/notify?lang=en")
    assert _sms_form(page.text) == _sms_form(panel.text) == f"/o/{token_}/notify/sms?lang=en"
    token = await csrf(client, hub)
    # from the updates page: the shared form, back to the updates page
    r = await client.post(f"/o/{token_}/notify/sms", data={"_csrf_token": token, "return_to": "updates"})
    assert r.status_code == 303 and r.headers["location"] == hub
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == ["+12125550143"]
    page = await client.get(hub + "?lang=en")
    assert "On · to +12 ••• 0143" in text(page) and _sms_form(page.text) == f"/o/{token_}/notify/off/sms?lang=en"
    r = await client.post(f"/o/{token_}/notify/off/sms", data={"_csrf_token": token, "return_to": "updates"})
    assert r.status_code == 303 and r.headers["location"] == hub
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == []
    # the old URL (docs/api.md) still works: 307 to the one path, keeping the form, then back here
    r = await client.post(hub + "/sms", data={"_csrf_token": token})
    assert r.status_code == 307 and r.headers["location"] == f"/o/{token_}/notify/sms?return_to=updates"
    r = await client.post(r.headers["location"], data={"_csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == hub
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == ["+12125550143"]
    r = await client.post(hub + "/sms", data={"_csrf_token": token, "action": "stop"})
    assert r.status_code == 307 and r.headers["location"] == f"/o/{token_}/notify/off/sms?return_to=updates"
    assert (await client.post(r.headers["location"], data={"_csrf_token": token})).status_code == 303
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == []
    # the consent log is the same whichever door: time and source "hub"
    async with engine.read():
        log = await ChannelConsent.select(ChannelConsent.action, ChannelConsent.source)
    assert log == [{"action": "consent", "source": "hub"}, {"action": "withdrawal", "source": "hub"}] * 2
    # without the CSRF token: refused at the one path
    r = await client.post(f"/o/{token_}/notify/sms", data={"return_to": "updates"})
    assert r.status_code == 403
    # a number that cannot take texts: a clear message in the page's language, nothing stored
    async with engine.write():
        await Order.update({Order.customer: {"name": "J", "email": "j@example.com", "phone": "0000"}}).where(
            Order.id == orders["us_ship"].id)
    r = await client.post(f"/o/{token_}/notify/sms?lang=en", data={"_csrf_token": token, "return_to": "updates"})
    assert r.status_code == 422
    assert "cannot receive text messages" in text(r)
    ja = await client.post(f"/o/{token_}/notify/sms?lang=ja", data={"_csrf_token": token, "return_to": "updates"})
    assert ja.status_code == 422 and "ショートメッセージ" in text(ja)
    assert await services.linked("sms", acme.id, orders["us_ship"].id) == []


async def test_dashboard_shows_the_channels_figures(client, merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    await line_on(yamakaze.id, settings, clock())
    await link_line(yamakaze.id, orders["jp_ship"].id, "U1", clock())
    await outbox.notify(yamakaze.id, "shipment.delivered", DELIVERED, order_id=orders["jp_ship"].id, now=clock())
    fake = FakeProviders()
    async with fake.client() as c:
        assert (await send_due(settings, clock, client=c))["sent"] == 1
    await signed_in(client, clock)
    page = await client.get("/admin?lang=en")
    assert "Messages beside email, last 7 days Channel Message sent Refused by the provider Failed LINE 1 0 0" in text(page)
    later = clock.advance(days=8)  # older than 7 days: no longer counted
    assert (await queries.figures(yamakaze.id, later))["line"] == {"sent": 0, "failed": 0, "dead": 0}
