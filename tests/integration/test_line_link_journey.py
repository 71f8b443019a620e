"""LINE account link end to end against a local fake LINE (httpx MockTransport): the shopper follows
the shop's account and sends the order number with the hub's short code; the bot asks LINE for a link
token and replies with the hub's updates page carrying it; "Get updates on LINE" there sends the
browser to LINE's account-link dialog with a nonce; LINE's `accountLink` webhook event with that
nonce binds the user, and the next tracking event is pushed to them. Then the ways it must not bind:
an expired or reused nonce, a bad signature, an unknown user, a number without its code."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from orderhub.channels.jobs import send_due
from orderhub.db.channels import services
from orderhub.db.channels.line_bot_rules import link_code
from tests.admin_ops_support import csrf
from tests.channels_support import LINE_SECRET, LINE_TOKEN, FakeProviders, line_on, line_signature, replies
from tests.integration.test_admin_settings import text
from tests.tracking_support import events_body, post_events, put_shipment

USER = "U4af4980629abcdef0123456789abcdef"
OTHER = "U0000000000000000000000000000beef"


async def _webhook(client, events: list, *, secret: str = LINE_SECRET, slug: str = "yamakaze"):
    raw = json.dumps({"destination": "Uxxxxxxxx", "events": events}).encode()
    return await client.post(f"/webhooks/line/{slug}", content=raw,
                             headers={"x-line-signature": line_signature(raw, secret), "content-type": "application/json"})


def _message(text_: str, user: str = USER, reply: str = "reply-token-1") -> dict:
    return {"type": "message", "replyToken": reply, "source": {"type": "user", "userId": user},
            "message": {"type": "text", "id": "1", "text": text_}}


def _link_event(nonce: str, user: str = USER, result: str = "ok") -> dict:
    return {"type": "accountLink", "replyToken": "r", "source": {"type": "user", "userId": user},
            "link": {"result": result, "nonce": nonce}}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _dialog_nonce(client, hub_updates: str, link_token: str) -> str:
    """The shopper on the updates page presses "Get updates on LINE": -> the nonce sent to LINE."""
    token = await csrf(client, f"{hub_updates}?linkToken={link_token}")
    r = await client.post(hub_updates + "/line", data={"link_token": link_token, "_csrf_token": token})
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://access.line.me/dialog/bot/accountLink"
    query = parse_qs(target.query)
    assert query["linkToken"] == [link_token]
    return query["nonce"][0]


async def test_follow_code_hub_account_link_then_a_push_on_the_next_tracking_event(
        app, client, merchants, orders, settings, clock):
    yamakaze, api_key, _ = merchants["yamakaze"]
    order = orders["jp_ship"]
    await line_on(yamakaze.id, settings, clock())
    fake = FakeProviders()
    app.state.channel_client = fake.client
    updates = f"/o/{order.token}/updates"

    # the hub shows the order's short code (the same on every visit, in both languages)
    code = link_code(settings.key_for("line-code"), order.token)
    en = text(await client.get(updates + "?lang=en"))
    assert f"Send it this message to connect this order: {order.number} {code}" in en
    assert f"{order.number} {code}" in text(await client.get(updates + "?lang=ja"))

    # follow: the bot says how to connect, in the shop's language; no link token asked for
    r = await _webhook(client, [{"type": "follow", "replyToken": "reply-0", "source": {"type": "user", "userId": USER}}])
    assert r.status_code == 200 and r.json()["answered"] == {"helped": 1}
    assert fake.sent("/linkToken") == [] and "注文番号" in replies(fake)[0]
    assert fake.json(fake.sent("/v2/bot/message/reply")[0])["replyToken"] == "reply-0"

    # the number and the code (typed full-width, lower case): a link token for this user, and the hub link
    r = await _webhook(client, [_message(f"{order.number}　{code.lower()}")])
    assert r.json()["answered"] == {"link_sent": 1}
    [asked] = fake.sent("/linkToken")
    assert asked.url.path == f"/v2/bot/user/{USER}/linkToken"
    assert asked.headers["authorization"] == f"Bearer {LINE_TOKEN}"
    reply = replies(fake)[-1]
    link = re.search(r"https?://\S+", reply).group(0)
    assert "YK-100234" in reply and link.startswith(f"{settings.base_url}{updates}?linkToken=LinkToken0001")
    assert await services.linked("line", yamakaze.id, order.id) == []  # nothing bound by a message

    # the link opens the updates page with the button; pressing it goes to LINE's dialog with a nonce
    page = await client.get(_path(link))
    assert page.status_code == 200 and "LINEでお知らせを受け取る" in text(page)  # the reply said lang=ja
    nonce = await _dialog_nonce(client, updates, "LinkToken0001abcdefXYZ")

    # LINE's accountLink event with the nonce binds the user to the order
    r = await _webhook(client, [_link_event(nonce)])
    assert r.json() == {"linked": 1, "removed": 0, "answered": {}}
    assert await services.linked("line", yamakaze.id, order.id) == [USER]
    assert "Updates about this order go to your LINE account." in text(await client.get(updates + "?lang=en"))

    # the next tracking event reaches the user on LINE, with the hub's tracking link, in Japanese
    clock.advance(minutes=5)
    await put_shipment(client, api_key)
    assert (await post_events(client, api_key, events_body())).status_code == 202
    clock.advance(hours=12)  # past any quiet hours
    async with fake.client() as c:
        counts = await send_due(settings, clock, client=c)
    assert counts["sent"] >= 1
    pushes = [fake.json(p) for p in fake.sent("/v2/bot/message/push")]
    assert pushes and all(p["to"] == USER for p in pushes)
    assert any("YK-100234" in p["messages"][0]["text"] and f"/o/{order.token}/tracking" in p["messages"][0]["text"]
               for p in pushes)


async def test_a_number_alone_goes_through_the_lookup_and_tells_nothing(app, client, merchants, orders, settings,
                                                                      clock):
    yamakaze = merchants["yamakaze"][0]
    order = orders["jp_ship"]
    await line_on(yamakaze.id, settings, clock())
    fake = FakeProviders()
    app.state.channel_client = fake.client
    # a real number and a made-up one get the same kind of answer: the lookup with the link token
    r = await _webhook(client, [_message("YK-100234", reply="a"), _message("YK-999999", reply="b")])
    assert r.json()["answered"] == {"lookup_sent": 2}
    real, made_up = replies(fake)
    assert order.token not in real and "/lookup?merchant=yamakaze&linkToken=LinkToken0001" in real
    assert "/lookup?merchant=yamakaze&linkToken=LinkToken0002" in made_up
    # a wrong code proves nothing: the lookup too
    await _webhook(client, [_message("YK-100234 AAAAAAAA", reply="c")])
    assert order.token not in replies(fake)[-1] and "/lookup?" in replies(fake)[-1]
    # the lookup, proven with the postal code, leads to the updates page with the link token
    lookup = re.search(r"https?://\S+", real).group(0)
    token = await csrf(client, _path(lookup))
    r = await client.post(_path(lookup), data={"number": "YK-100234", "proof": "150-0041", "_csrf_token": token})
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/o/{order.token}/updates?linkToken=LinkToken0001")
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and 'name="link_token" value="LinkToken0001abcdefXYZ"' in page.text
    # the wrong proof: the usual answer, no way to the order
    r = await client.post(_path(lookup), data={"number": "YK-100234", "proof": "999-9999", "_csrf_token": token})
    assert r.status_code == 422 and order.token not in r.text


async def test_expired_reused_and_foreign_nonces_bad_signatures_and_unknown_users_bind_nothing(
        app, client, merchants, orders, settings, clock):
    yamakaze = merchants["yamakaze"][0]
    order = orders["jp_ship"]
    await line_on(yamakaze.id, settings, clock())
    await line_on(merchants["acme"][0].id, settings, clock())
    fake = FakeProviders()
    app.state.channel_client = fake.client
    updates = f"/o/{order.token}/updates"

    # expired: the accountLink event comes 11 minutes after the dialog opened
    nonce = await _dialog_nonce(client, updates, "LinkTokenA")
    clock.advance(minutes=11)
    assert (await _webhook(client, [_link_event(nonce)])).json()["linked"] == 0
    clock.advance(minutes=-11)
    assert (await _webhook(client, [_link_event(nonce)])).json()["linked"] == 0  # and it is gone for good

    # a bad signature, another shop's webhook, LINE's "failed" result, an unknown nonce: nothing bound
    nonce = await _dialog_nonce(client, updates, "LinkTokenB")
    assert (await _webhook(client, [_link_event(nonce)], secret="not-the-secret")).status_code == 401
    assert (await _webhook(client, [_link_event(nonce)], slug="acme")).json()["linked"] == 0
    assert (await _webhook(client, [_link_event(nonce, result="failed")])).json()["linked"] == 0
    assert (await _webhook(client, [_link_event("never-issued")])).json()["linked"] == 0
    assert await services.linked("line", yamakaze.id, order.id) == []
    # the right one binds, once: a replay (another user with the same nonce) binds nothing
    assert (await _webhook(client, [_link_event(nonce)])).json()["linked"] == 1
    assert (await _webhook(client, [_link_event(nonce, user=OTHER)])).json()["linked"] == 0
    assert await services.linked("line", yamakaze.id, order.id) == [USER]

    # unknown or malformed users and hostile messages: no link token asked for, never a 500
    before = len(fake.sent("/linkToken"))
    r = await _webhook(client, [_message("YK-100234", user="U1"), _message("YK-100234", user="../../admin"),
                                {"type": "message", "source": {"userId": USER}, "message": {"type": "text"}},
                                {"type": "follow", "source": "x"}, _message("<script>alert(1)</script>" * 20),
                                {"type": "message", "replyToken": "s", "source": {"type": "user", "userId": USER},
                                 "message": {"type": "sticker", "packageId": "1"}}])
    assert r.status_code == 200 and r.json()["answered"] == {"ignored": 4, "helped": 2}
    assert len(fake.sent("/linkToken")) == before
    assert all("<script>" not in t for t in replies(fake))

    # LINE refuses a link token: the shopper is told to try later, nothing is stored
    fake.answers = [500]
    r = await _webhook(client, [_message("YK-100234")])
    assert r.json()["answered"] == {"line_busy": 1}
    assert "数分後" in replies(fake)[-1] or "few minutes" in replies(fake)[-1]
