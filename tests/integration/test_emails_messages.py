"""Every transactional email, in Japanese and English, sent over a real SMTP server (aiosmtpd on
loopback): multipart/alternative, the order number in the subject, the merchant's brand, and a link
that opens the right section of the hub."""

from __future__ import annotations

import re

from orderhub.db import engine
from orderhub.db.emails import rules
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.merchants.tables import Merchant
from orderhub.db.outbox.services import notify
from orderhub.emails.jobs import send_due
from tests.conftest import bearer, fixture
from tests.emails_support import mail_settings, parts, smtp_server  # noqa: F401 (fixtures)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
LINK = re.compile(r'href="(http://testserver\.local/o/[A-Za-z0-9_-]{32}(?:/[a-z]+)?)"')


def ship_payload(status: str, carrier: str) -> dict:
    return {"shipment_id": "S-1", "carrier": carrier, "tracking_number": "1Z999AA10123456784", "status": status,
            "substatus": "address_issue" if status == "exception" else None, "estimated_delivery": "2026-11-25"}


def change_payload(event: str) -> dict:
    """A delivery change as orderhub.db.orders.changes writes it (a time slot; refused with a note)."""
    state = "applied" if event == "order.changed" else "refused"
    change = {"id": "chg_00000000000000a1", "kind": "window", "state": state, "old": {"window": "any", "date": None},
              "new": {"window": "morning", "date": None}, "note": "満載のため / fully booked" if state == "refused" else None}
    return {"change_id": change["id"], "kind": "window", "state": state, "change": change}


async def _no_throttle(merchant_id: int) -> None:
    async with engine.write():
        await Merchant.update({Merchant.settings: {"emails": {"transit_every_hours": 0}}}).where(
            Merchant.id == merchant_id)


async def test_every_message_in_both_languages(client, merchants, orders, mail_settings, smtp_server, clock, settings):
    from orderhub.db.orders import services as order_services

    yamakaze, acme = merchants["yamakaze"][0], merchants["acme"][0]
    await _no_throttle(yamakaze.id)
    await _no_throttle(acme.id)
    body = fixture("orders/jp_pickup.json") | {"number": "YK-200001", "locale": "en-US"}
    en_pickup = await order_services.upsert_order(yamakaze, "jp_pickup_en", body, token_key=settings.key_for("hub-token"),
                                                  now=clock())
    # pickup.ready through the real API flow (the pickup area calls notify), for both languages
    for external_id in ("jp_pickup", "jp_pickup_en"):
        answer = await client.put(f"/api/v1/orders/{external_id}/pickup", headers=bearer(merchants["yamakaze"][1]),
                                  json={"status": "ready", "ready_at": "2026-11-22T02:00:00Z",
                                        "pickup_deadline": "2026-11-29T14:59:00Z"})
        assert answer.status_code == 200, answer.text
    targets = {  # order id -> (merchant id, order number, language)
        orders["jp_ship"].id: (yamakaze.id, orders["jp_ship"].number, "ja"),
        orders["us_ship"].id: (acme.id, orders["us_ship"].number, "en"),
        orders["jp_pickup"].id: (yamakaze.id, orders["jp_pickup"].number, "ja"),
        en_pickup.id: (yamakaze.id, "YK-200001", "en"),
    }
    ship_orders = [orders["jp_ship"].id, orders["us_ship"].id]
    pickup_orders = [orders["jp_pickup"].id, en_pickup.id]
    for event in rules.EVENTS:
        if event in ("order.confirmed", "pickup.ready"):
            continue  # written by the real flows above
        for order_id in (pickup_orders if event.startswith("pickup.") else ship_orders):
            merchant_id = targets[order_id][0]
            carrier = "yamato" if merchant_id == yamakaze.id else "ups"
            payload = ship_payload(event.split(".", 1)[1], carrier) if event.startswith("shipment.") else \
                {"return_id": 0, "number": "R-77"} if event.startswith("return.") else \
                change_payload(event) if event.startswith("order.change") else \
                {"claim_id": 0, "number": "C-77", "resolution": "refund"} if event.startswith("claim.") else \
                {"expected_ship_date": "2026-12-01", "backordered": []} if event == "order.delayed" else {}
            await notify(merchant_id, event, payload, order_id=order_id, now=clock())
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind, EmailMessage.order_id, EmailMessage.state)
    assert {r["state"] for r in rows} == {"pending"}
    expected = len(rows)
    # 2 ship orders x 32 shipment/return/return-label/return-correction/home-pickup/exchange/claim/delay/feedback/
    # step-up/cancellation/payment/delivery-change events, 2 pickup orders x 3, 4 confirmations
    assert expected == 2 * 32 + 2 * 3 + 4

    clock.advance(hours=24)  # past every quiet hour
    counts = await send_due(mail_settings, clock)
    assert counts == {"sent": expected, "retry": 0, "dead": 0, "skipped": 0}
    received = smtp_server.wait_for(expected)
    assert len(received) == expected
    kinds_seen: dict[str, set[str]] = {}
    opened: dict[str, str] = {}
    for msg in received:
        assert msg.get_content_type() == "multipart/alternative"
        assert msg["Message-ID"].endswith("@orderhub.example>")
        content = parts(msg)
        assert content["text"] and content["html"]
        number = next(n for (_m, n, _l) in targets.values() if n in msg["Subject"])
        lang = next(lang for (_m, n, lang) in targets.values() if n == number)
        assert bool(JAPANESE.search(msg["Subject"].replace("山風アウトドア", ""))) == (lang == "ja"), msg["Subject"]
        assert msg["Content-Language"] == lang
        links = LINK.findall(content["html"])
        assert links, "no hub link"
        assert links[0] in content["text"]
        kind = next(k for k in rules.KINDS if _kind_words(k, lang, msg["Subject"]))
        kinds_seen.setdefault(kind, set()).add(lang)
        opened[links[0]] = number
        assert "<script" not in content["html"]
        if "#1F5F3F" in content["html"]:
            # the merchant's name in the message's language (its English name from the demo texts)
            assert msg["From"].addresses[0].display_name == ("山風アウトドア" if lang == "ja" else "Yamakaze Outdoor")
    assert set(kinds_seen) == set(rules.KINDS)
    assert all(langs == {"ja", "en"} for langs in kinds_seen.values()), kinds_seen

    # every link opens its section of the right order's hub (feedback once that section exists)
    from orderhub.site.sections import SECTIONS

    built = {s.path.strip("/") for s in SECTIONS}
    sections_seen = set()
    for link, number in opened.items():
        path = link.removeprefix("http://testserver.local")
        if path.count("/") == 3 and path.rsplit("/", 1)[1] not in built:
            path = path.rsplit("/", 1)[0]  # a section still being built: its hub must open
        page = await client.get(path)
        assert page.status_code == 200, path
        assert number in page.text
        current = re.search(r'<a href="([^"]+)" aria-current="page"', page.text)
        section = path.split("/")[3] if path.count("/") == 3 else ""
        if current:  # the navigation marks the section the link opened
            assert current.group(1).split("?")[0].rstrip("/") == path, (path, current.group(1))
        else:  # a section not in the navigation yet (returns before delivery): its own regions
            assert f'id="{section}-' in page.text, path
        sections_seen.add(section)
    assert {"", "tracking", "pickup", "returns", "feedback"} <= sections_seen  # survey/review links open 200


SUBJECT_WORDS = {
    "order_confirmed": ("confirmed", "承りました"), "shipped": ("has shipped", "発送しました"),
    "arriving_today": ("arrives today", "本日"), "arriving_tomorrow": ("arrives tomorrow", "明日"),
    "delayed": ("is delayed", "遅れて"), "exception": ("Delivery update", "配送状況"),
    "delivered": ("was delivered", "お届けが完了"), "pickup_ready": ("ready for pickup", "お受け取りいただけます"),
    "pickup_reminder": ("Reminder", "お待ちしています"), "pickup_expired": ("not picked up", "受取期限"),
    "return_approved": ("is approved", "承認"), "return_received": ("received your return", "受け取りました"),
    "return_refunded": ("Your refund", "返金"), "review_invitation": ("How do you like", "いかがですか（"),
    "survey_invitation": ("How did we do", "ご利用はいかが"),
    "stepup_code": ("verification code", "確認コード"),
    "change_applied": ("your delivery change is done", "配送の変更が完了"),
    "change_refused": ("could not be made", "配送の変更ができませんでした"),
    "order_cancelled": ("was cancelled", "キャンセルしました"),
    "cancel_refused": ("couldn't be cancelled", "キャンセルできませんでした"),
    "payment_received": ("Payment received", "お支払いを確認しました"),
    "return_rejected": ("was declined", "お受けできませんでした"), "return_in_transit": ("on its way to us", "返品が発送"),
    "exchange_shipped": ("replacement for order", "交換品をお送り"), "claim_resolved": ("is resolved", "解決しました"),
    "return_label": ("Your return label", "返送ラベル"),
    "order_delayed": ("taking longer to ship", "発送準備に時間"),
    "pickup_booked": ("Pickup booked for return", "の集荷を予約しました"),
    "pickup_rescheduled": (") is now", "に変更されました"),
    "pickup_cancelled": (") is cancelled", "の集荷はキャンセルされました"),
    "return_correction": ("Correction", "訂正"),
    "exchange_created": ("exchange for order", "交換を受け付け"),
    "exchange_payment_due": ("Pay the difference", "差額のお支払い"),
    "exchange_refunded": ("We refunded the difference", "差額をお返ししました"),
}


def _kind_words(kind: str, lang: str, subject: str) -> bool:
    return SUBJECT_WORDS[kind][0 if lang == "en" else 1] in subject


async def test_pickup_ready_carries_the_qr_code_and_what_to_bring(client, merchants, orders, mail_settings,
                                                                  smtp_server, clock):
    answer = await client.put("/api/v1/orders/jp_pickup/pickup", headers=bearer(merchants["yamakaze"][1]),
                              json={"status": "ready", "ready_at": "2026-11-22T02:00:00Z",
                                    "pickup_deadline": "2026-11-29T14:59:00Z"})
    assert answer.status_code == 200
    clock.advance(hours=24)
    await send_due(mail_settings, clock)
    msgs = [m for m in smtp_server.wait_for(4) if "YK-100235" in m["Subject"] and "お受け取り" in m["Subject"]]
    assert len(msgs) == 1
    content = parts(msgs[0])
    assert 'src="cid:pickup-qr"' in content["html"]
    png = content["images"]["<pickup-qr>"]
    assert png.startswith(b"\x89PNG")
    assert "ご本人確認書類" in content["html"] and "ご本人確認書類" in content["text"]
    assert "受取期限" in content["text"]
    # the code in the email is the code staff scan
    from orderhub.db.pickup.queries import for_order

    pickup = await for_order(orders["jp_pickup"].id)
    assert pickup.display_code in content["text"]


async def test_merchant_words_are_escaped_in_html(merchants, orders, mail_settings, smtp_server, clock):
    from orderhub.db.orders.tables import OrderLine

    async with engine.write():
        await OrderLine.update({OrderLine.title: '<img src=x onerror=alert(1)> "Boots"'}).where(
            OrderLine.order == orders["us_ship"].id)
        await Merchant.update({Merchant.support: {"email": "help@acme.example.com", "phone": "<b>555</b>"}}).where(
            Merchant.id == merchants["acme"][0].id)
    await send_due(mail_settings, clock)
    msg = next(m for m in smtp_server.wait_for(3) if orders["us_ship"].number in m["Subject"])
    content = parts(msg)
    assert "<img src=x" not in content["html"] and "&lt;img src=x onerror=alert(1)&gt;" in content["html"]
    assert "<b>555</b>" not in content["html"] and "&lt;b&gt;555&lt;/b&gt;" in content["html"]
    assert '<img src=x onerror=alert(1)> "Boots"' in content["text"]  # plain text stays plain
    assert msg["Reply-To"] == "help@acme.example.com"


async def test_cross_sells_only_when_the_merchant_and_the_country_allow(merchants, orders, mail_settings, smtp_server,
                                                                       clock):
    from orderhub.db.emails.tables import EmailMessage as Row
    from orderhub.db.orders.tables import Order

    acme = merchants["acme"][0]
    us = orders["us_ship"]

    async def confirmation_text(settings_value: dict, country: str) -> str:
        async with engine.write():
            await Merchant.update({Merchant.settings: settings_value}).where(Merchant.id == acme.id)
            order = await Order.select(Order.shipping_address).where(Order.id == us.id).output(load_json=True).first()
            await Order.update({Order.shipping_address: {**order["shipping_address"], "country": country}}).where(
                Order.id == us.id)
            await Row.update({Row.state: "pending", Row.next_attempt_at: clock()}).where(Row.order_id == us.id)
        before = len(smtp_server.messages)
        await send_due(mail_settings, clock)
        msg = [m for m in smtp_server.wait_for(before + 1) if us.number in m["Subject"]][-1]
        return parts(msg)["html"]

    assert "Trail Gaiter" not in await confirmation_text({}, "US")                                   # off by default
    assert "Trail Gaiter" not in await confirmation_text({"cross_sells": {"enabled": True}}, "US")  # page only
    assert "Trail Gaiter" in await confirmation_text({"cross_sells": {"enabled": True, "in_emails": True}}, "US")
    assert "Trail Gaiter" not in await confirmation_text({"cross_sells": {"enabled": True, "in_emails": True}}, "DE")   # EU: no
    assert "Trail Gaiter" in await confirmation_text(
        {"cross_sells": {"enabled": True, "in_emails": True}, "emails": {"marketing_eu": True}}, "DE")
