"""A shopper changes the delivery before shipment (issue 19 item 4): the delivery time and safe place
apply at once; an address in the same shipping zone too, one in another zone waits for the merchant,
who accepts or refuses it through the API (409 on a replay); the order page, the API, the webhooks
and the emails all say the one current value; nothing changes once the order has shipped; bad,
hostile and foreign requests are refused."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from tests.admin_ops_support import csrf_of
from tests.conftest import bearer, fixture
from tests.stepup_support import answer, latest_code, send_code

KANAGAWA = {"name": "山田 花子", "postal_code": "220-0012", "region": "神奈川県", "city": "横浜市西区",
            "line1": "みなとみらい2-2-1", "line2": "ランドマーク 10F", "country": "JP"}
OSAKA = {"name": "山田 花子", "postal_code": "530-0001", "region": "大阪府", "city": "大阪市北区",
         "line1": "梅田3-1-1", "line2": "", "country": "JP"}


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def _step_up(client, ref) -> None:
    """The shopper confirms it's them (the code emailed to the order's address), once for this browser."""
    base = f"/o/{ref.token}"
    assert (await send_code(client, base, "change")).status_code == 303
    ok = await answer(client, base, await latest_code(ref.id), "change")
    assert ok.status_code == 303 and ok.headers["location"] == f"{base}/change"


async def _post(client, token: str, what: str, data: dict, lang: str = "en"):
    page = await client.get(f"/o/{token}/change?lang={lang}")
    assert page.status_code == 200
    return await client.post(f"/o/{token}/change/{what}?lang={lang}", data={**data, "_csrf_token": csrf_of(page.text)})


async def _events(merchant_id: int) -> list[tuple[str, dict]]:
    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).where(
            WebhookDelivery.merchant == merchant_id).order_by(WebhookDelivery.id).output(load_json=True)
    return [(r["event"], r["payload"]) for r in rows]


async def _emails(order_id: int) -> list[str]:
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind).where(EmailMessage.order_id == order_id).order_by(
            EmailMessage.id)
    return [r["kind"] for r in rows]


async def _api_order(client, key: str, external_id: str = "jp_ship") -> dict:
    r = await client.get(f"/api/v1/orders/{external_id}", headers=bearer(key))
    assert r.status_code == 200
    return r.json()


async def test_time_slot_and_safe_place_apply_at_once_everywhere(client, merchants, orders, clock):
    yamakaze, key, _ = merchants["yamakaze"]
    await outbox.add_endpoint(yamakaze.id, "https://hooks.yamakaze.example/in", now=clock())
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    hub = await client.get(f"/o/{token}?lang=en")
    assert "Change delivery" in text(hub) and f'href="/o/{token}/change?lang=en"' in hub.text

    r = await _post(client, token, "window", {"window": "morning"})
    assert r.status_code == 303 and r.headers["location"] == f"/o/{token}/change?done=applied&lang=en"
    r = await _post(client, token, "safe-place", {"safe_place": "delivery_box", "instructions": "Box #3 & 'left' side"})
    assert r.status_code == 303

    page = await client.get(f"/o/{token}/change?done=applied&lang=en")
    shown = text(page)
    assert "Done: your order now has the new delivery details." in shown
    assert "Morning (8–12)" in shown and "Delivery box — Box #3 & 'left' side" in shown
    assert "Box #3 &amp; &#39;left&#39; side" in page.text  # escaped in the HTML
    ja = text(await client.get(f"/o/{token}?lang=ja"))
    assert "午前中" in ja and "宅配ボックス" in ja  # the order page says the same, in Japanese

    api = await _api_order(client, key)
    assert api["delivery"]["window"] == "morning" and api["delivery"]["safe_place"] == "delivery_box"
    assert api["delivery"]["instructions"] == "Box #3 & 'left' side" and api["pending_changes"] == []
    events = await _events(yamakaze.id)
    assert [e for e, _ in events if e.startswith("order.change")] == ["order.changed", "order.changed"]
    window = next(p for e, p in events if e == "order.changed" and p["kind"] == "window")
    assert window["change"]["old"] == {"window": "any", "date": None}
    assert window["change"]["new"] == {"window": "morning", "date": None} and window["state"] == "applied"
    assert (await _emails(orders["jp_ship"].id)).count("change_applied") == 2


async def test_address_in_the_same_zone_applies_in_another_waits_for_the_merchant(client, merchants, orders, clock):
    yamakaze, key, _ = merchants["yamakaze"]
    await outbox.add_endpoint(yamakaze.id, "https://hooks.yamakaze.example/in", now=clock())
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    r = await _post(client, token, "address", KANAGAWA)  # Tokyo -> Kanagawa: both Kanto, tax unchanged
    assert r.status_code == 303 and "done=applied" in r.headers["location"]
    api = await _api_order(client, key)
    assert api["delivery"]["address"] == KANAGAWA
    assert "横浜市西区" in text(await client.get(f"/o/{token}?lang=ja"))  # city-level on the page

    r = await _post(client, token, "address", OSAKA)  # Kansai: another rate zone, so a request
    assert r.status_code == 303 and "done=pending" in r.headers["location"]
    page = text(await client.get(r.headers["location"]))
    assert "the shop confirms it first" in page and "Waiting for the shop" in page
    api = await _api_order(client, key)
    assert api["delivery"]["address"] == KANAGAWA  # not yet
    [pending] = api["pending_changes"]
    assert pending["kind"] == "address" and pending["state"] == "pending" and pending["new"]["region"] == "大阪府"
    assert ("order.change_requested", pending["id"]) in [(e, p["change_id"]) for e, p in await _events(yamakaze.id)]
    # a second address change waits for the first answer (the page offers no form; an old one is refused)
    again = await _post(client, token, "address", {**OSAKA, "line1": "梅田1-1-1"})
    assert again.status_code == 409 and "You already asked for a change like this." in text(again)
    assert "The shop is answering your earlier change of this." in text(again)

    url = f"/api/v1/orders/jp_ship/changes/{pending['id']}"
    r = await client.post(url, json={"decision": "accept", "note": "OK"}, headers=bearer(key))
    assert r.status_code == 200 and r.json()["state"] == "applied" and r.json()["decided_by"] == "merchant"
    replay = await client.post(url, json={"decision": "accept", "note": "OK"}, headers=bearer(key))
    assert replay.status_code == 409 and replay.json()["errors"][0]["code"] == "changes.not_pending"
    api = await _api_order(client, key)
    assert api["delivery"]["address"]["region"] == "大阪府" and api["pending_changes"] == []
    assert "大阪市北区" in text(await client.get(f"/o/{token}?lang=ja"))
    assert (await _emails(orders["jp_ship"].id)).count("change_applied") == 2

    # the storefront, not yet caught up, sends the order again with the old address: the shopper's stays
    body = fixture("orders/jp_ship.json")
    body["customer"]["phone"] = "090-0000-0000"
    assert (await client.put("/api/v1/orders/jp_ship", json=body, headers=bearer(key))).status_code == 200
    assert (await _api_order(client, key))["delivery"]["address"]["region"] == "大阪府"


async def test_merchant_refuses_and_the_shopper_is_told(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    await _post(client, token, "address", OSAKA)
    [pending] = (await _api_order(client, key))["pending_changes"]
    r = await client.post(f"/api/v1/orders/jp_ship/changes/{pending['id']}",
                          json={"decision": "refuse", "note": "<b>Already packed</b>"}, headers=bearer(key))
    assert r.status_code == 200 and r.json()["state"] == "refused"
    assert (await _api_order(client, key))["delivery"]["address"]["region"] == "東京都"
    page = await client.get(f"/o/{token}/change?lang=en")
    assert "Not possible" in text(page) and "&lt;b&gt;Already packed&lt;/b&gt;" in page.text
    assert "change_refused" in await _emails(orders["jp_ship"].id)
    # the refused kind can be asked again
    assert (await _post(client, token, "address", OSAKA)).status_code == 303


async def test_nothing_changes_once_the_order_has_shipped(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    await _post(client, token, "address", OSAKA)
    [pending] = (await _api_order(client, key))["pending_changes"]
    shipment = fixture("tracking/yamato_delivered.json")["shipment"]
    r = await client.put("/api/v1/orders/jp_ship/shipments/S1", json={k: v for k, v in shipment.items() if k != "id"},
                         headers=bearer(key))
    assert r.status_code in (200, 201)
    page = await client.get(f"/o/{token}/change?lang=en")
    assert "can no longer be changed here" in text(page) and 'action="/o/' not in page.text
    assert "Change delivery</a>" not in (await client.get(f"/o/{token}?lang=en")).text
    r = await client.post(f"/o/{token}/change/window?lang=en",
                          data={"window": "morning", "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 409 and "already on its way" in text(r)
    r = await client.post(f"/api/v1/orders/jp_ship/changes/{pending['id']}", json={"decision": "accept"},
                          headers=bearer(key))
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "changes.not_changeable"
    assert (await _api_order(client, key))["delivery"]["window"] == "any"


async def test_bad_and_hostile_input_gets_field_errors(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    r = await _post(client, token, "address", {**KANAGAWA, "postal_code": "060-0001"})
    assert r.status_code == 422 and "This postal code does not belong to the prefecture" in text(r)
    r = await _post(client, token, "address", {**KANAGAWA, "line1": "<script>alert(1)</script>"})
    assert r.status_code == 422 and "without < or >" in text(r) and "<script>alert" not in r.text
    r = await _post(client, token, "address", {**KANAGAWA, "country": "US"})
    assert r.status_code == 422 and "The country cannot change" in text(r)
    r = await _post(client, token, "safe-place", {"safe_place": "front_door", "instructions": "x" * 201})
    assert r.status_code == 422 and "200" in text(r)
    r = await _post(client, token, "safe-place", {"safe_place": "roof"})
    assert r.status_code == 422
    r = await _post(client, token, "window", {"window": "morning", "date": "2026-12-01"})
    assert r.status_code == 422 and "does not take a delivery date" in text(r)
    r = await _post(client, token, "window", {"window": "any"})
    assert r.status_code == 422 and "the same as now" in text(r)
    ja = await _post(client, token, "address", {**KANAGAWA, "postal_code": "060-0001"}, lang="ja")
    assert ja.status_code == 422 and "郵便番号" in text(ja)
    api = await _api_order(client, key)
    assert api["delivery"]["address"]["region"] == "東京都" and api["delivery"]["window"] == "any"


async def test_a_delivery_date_where_the_merchant_allows_it(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    settings = fixture("merchants.json")[0]
    settings = {k: v for k, v in settings.items() if k != "slug"}
    settings["policy"] = {**settings["policy"], "delivery_date_choice_days": 7}
    assert (await client.put("/api/v1/merchant", json=settings, headers=bearer(key))).status_code == 200
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    page = await client.get(f"/o/{token}/change?lang=en")
    assert 'name="date"' in page.text and "From " in text(page)
    today = clock().astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    late = (today + dt.timedelta(days=30)).isoformat()
    r = await _post(client, token, "window", {"window": "14-16", "date": late})
    first, last = (today + dt.timedelta(days=2)).isoformat(), (today + dt.timedelta(days=8)).isoformat()
    assert r.status_code == 422 and f"Choose a date from {first} to {last}." in text(r)
    ok = (today + dt.timedelta(days=3)).isoformat()
    r = await _post(client, token, "window", {"window": "14-16", "date": ok})
    assert r.status_code == 303
    api = await _api_order(client, key)
    assert api["delivery"]["window"] == "14-16" and api["delivery"]["date"] == ok


async def test_security_wrong_key_other_merchant_csrf_and_bad_ids(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    _, acme_key, _ = merchants["acme"]
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    # no CSRF token: refused, nothing stored
    r = await client.post(f"/o/{token}/change/window", data={"window": "morning"})
    assert r.status_code == 403
    # a bad token: the same 404 as any
    assert (await client.get("/o/not-a-token/change")).status_code == 404
    await _post(client, token, "address", OSAKA)
    [pending] = (await _api_order(client, key))["pending_changes"]
    url = f"/api/v1/orders/jp_ship/changes/{pending['id']}"
    assert (await client.post(url, json={"decision": "accept"})).status_code == 401
    assert (await client.post(url, json={"decision": "accept"}, headers=bearer("wrong"))).status_code == 401
    assert (await client.post(url, json={"decision": "accept"}, headers=bearer(acme_key))).status_code == 404
    other = f"/api/v1/orders/us_ship/changes/{pending['id']}"
    assert (await client.post(other, json={"decision": "accept"}, headers=bearer(acme_key))).status_code == 404
    for body in ({"decision": "maybe"}, {}, {"decision": "accept", "note": 5}, ["accept"]):
        r = await client.post(url, json=body, headers=bearer(key))
        assert r.status_code == 422, body
    r = await client.post(url, content=b"{not json", headers={**bearer(key), "content-type": "application/json"})
    assert r.status_code == 422
    for bad in ("chg_%3Cscript%3E", "x" * 300, "chg_0000000000000000"):
        r = await client.post(f"/api/v1/orders/jp_ship/changes/{bad}", json={"decision": "accept"}, headers=bearer(key))
        assert r.status_code == 404, bad
    assert (await _api_order(client, key))["pending_changes"][0]["state"] == "pending"
    assert json.dumps(await _api_order(client, acme_key, "us_ship")).count("大阪") == 0


async def test_a_pickup_order_has_no_change_page(client, merchants, orders):
    r = await client.get(f"/o/{orders['jp_pickup'].token}/change?lang=en")
    assert r.status_code == 404
    assert "Change delivery" not in text(await client.get(f"/o/{orders['jp_pickup'].token}?lang=en"))


async def test_no_change_without_the_step_up(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    page = await client.get(f"/o/{token}/change?lang=en")
    assert page.status_code == 200 and "First, confirm it's you" in text(page)
    assert f'action="/o/{token}/change/address' not in page.text and "神南" not in page.text
    r = await client.post(f"/o/{token}/change/window?lang=en", data={"window": "morning", "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 403 and "First, confirm it's you." in text(r)
    assert (await _api_order(client, key))["delivery"]["window"] == "any"
    # stepped up: the forms, and the street address to fill them in
    await _step_up(client, orders["jp_ship"])
    page = await client.get(f"/o/{token}/change?lang=en")
    assert f'action="/o/{token}/change/address?lang=en"' in page.text and 'value="神南1-2-3"' in page.text
    # another browser (no step-up cookie) still cannot change it
    import httpx
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as other:
        fresh = await other.get(f"/o/{token}/change?lang=en")
        r = await other.post(f"/o/{token}/change/window?lang=en",
                             data={"window": "morning", "_csrf_token": csrf_of(fresh.text)})
        assert r.status_code == 403


async def _rendered(kind: str, order_id: int, settings, clock) -> dict[str, object]:
    """The shopper's message of `kind` for the order, rendered as it is sent, in ja and en."""
    from orderhub.emails.render import render

    async with engine.read():
        row = await EmailMessage.select(EmailMessage.event, EmailMessage.payload).where(
            (EmailMessage.order_id == order_id) & (EmailMessage.kind == kind)).order_by(
            EmailMessage.id, ascending=False).output(load_json=True).first()
    assert row is not None, kind
    return {lang: await render(kind, row["event"], row["payload"], order_id, lang, settings, now=clock())
            for lang in ("ja", "en")}


async def test_change_emails_say_what_stands_now(client, merchants, orders, clock, settings):
    _, key, _ = merchants["yamakaze"]
    ref = orders["jp_ship"]
    await _step_up(client, ref)
    await _post(client, ref.token, "address", KANAGAWA)
    applied = await _rendered("change_applied", ref.id, settings, clock)
    assert "配送の変更が完了しました" in applied["ja"].subject and "YK-100234" in applied["ja"].subject
    assert "〒220-0012 神奈川県横浜市西区みなとみらい2-2-1" in applied["ja"].text
    assert "your delivery change is done" in applied["en"].subject
    assert "Nishi-ku" not in applied["en"].text and "Kanagawa 220-0012" in applied["en"].text
    assert applied["en"].link.endswith(f"/o/{ref.token}/change")

    await _post(client, ref.token, "address", OSAKA)
    [pending] = (await _api_order(client, key))["pending_changes"]
    await client.post(f"/api/v1/orders/jp_ship/changes/{pending['id']}",
                      json={"decision": "refuse", "note": "<i>Already packed</i> & sealed"}, headers=bearer(key))
    refused = await _rendered("change_refused", ref.id, settings, clock)
    assert "配送の変更ができませんでした" in refused["ja"].subject
    en = refused["en"]
    assert "<i>Already packed</i> & sealed" in en.text and "&lt;i&gt;Already packed&lt;/i&gt; &amp; sealed" in en.html
    assert "Kanagawa 220-0012" in en.text  # what stays: the current address, not the refused one
    assert "Osaka" not in en.text


async def test_a_failed_attempt_links_the_carriers_redelivery_page(client, merchants, orders, clock, settings):
    _, key, _ = merchants["yamakaze"]
    ref = orders["jp_ship"]
    shipment = fixture("tracking/yamato_delivered.json")["shipment"]
    await client.put("/api/v1/orders/jp_ship/shipments/S1", json={k: v for k, v in shipment.items() if k != "id"},
                     headers=bearer(key))
    r = await client.post("/api/v1/tracking-events", headers=bearer(key), json={
        "carrier": "yamato", "tracking_number": shipment["tracking_number"],
        "events": [{"id": "ev-x1", "status": "in_transit", "occurred_at": "2026-11-17T18:30:00+09:00"},
                   {"id": "ev-x2", "status": "failed_attempt", "substatus": "recipient_unavailable",
                    "occurred_at": "2026-11-18T14:10:00+09:00", "message": "ご不在のため持ち戻りました"}]})
    assert r.status_code == 202
    url = "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=401234567890"
    page = await client.get(f"/o/{ref.token}/tracking?lang=ja")
    assert page.status_code == 200 and f'href="{url}"' in page.text
    assert "ヤマト運輸に再配達を依頼する" in text(page) and "お問い合わせ番号：4012-3456-7890" in text(page)
    assert "Arrange a redelivery with Yamato Transport" in text(await client.get(f"/o/{ref.token}/tracking?lang=en"))
    mail = await _rendered("exception", ref.id, settings, clock)
    assert url in mail["ja"].text and f'href="{url}"' in mail["ja"].html
    assert "Arrange a redelivery with Yamato Transport" in mail["en"].text


async def test_the_served_openapi_describes_the_decision(client):
    doc = (await client.get("/schema/openapi.json")).json()
    post = doc["paths"]["/api/v1/orders/{external_id}/changes/{change_id}"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["decision"] and schema["properties"]["decision"]["enum"] == ["accept", "refuse"]


async def test_nothing_changes_once_the_storefront_reports_picking(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await _step_up(client, orders["jp_ship"])
    body = fixture("orders/jp_ship.json") | {"status": "picking"}
    assert (await client.put("/api/v1/orders/jp_ship", json=body, headers=bearer(key))).status_code == 200
    r = await _post(client, token, "safe-place", {"safe_place": "front_door"})
    assert r.status_code == 409 and "already on its way" in text(r)
    assert (await _api_order(client, key))["delivery"]["safe_place"] == "none"
