"""One truth per order (issue 17): for every demo order, in both languages, the hub page, each of its
sections, its emails and the API state the same status, delivery promise and amounts, and nothing
carries text in the other language beyond names and addresses (and what a page marks with a `lang`
attribute of its own: the language switcher, a text the shop wrote in one language only)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup

from orderhub import demo, money
from orderhub.components import i18n
from orderhub.components import promise as words
from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders import queries as order_queries
from orderhub.db.orders.tables import Order
from orderhub.db.returns.tables import ReturnRequest
from orderhub.db.shipping import queries as shipping_queries
from orderhub.emails.render import render

#: Japanese script (kana, kanji, full-width forms and Japanese punctuation)
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
SECTIONS = ("tracking", "returns", "pickup", "feedback", "receipt")


def visible_text(html: str, lang: str) -> str:
    """The words a reader of `lang` sees: no scripts or head, and nothing the page marks as written
    in another language."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "template", "head", "title"]):
        tag.decompose()
    for tag in soup.find_all(attrs={"lang": True}):
        if tag.decomposed or tag.name == "html":
            continue
        if str(tag.get("lang", "")).split("-")[0] != lang:
            tag.decompose()
    return " ".join(soup.stripped_strings)


def _english_phrases() -> list[str]:
    """Our English sentences that have a Japanese translation: none may show on a Japanese page
    (pieces between placeholders, long enough not to be a name)."""
    catalog: dict[Any, str] = getattr(i18n.translations("ja"), "_catalog", {})
    phrases = set()
    for msgid, msgstr in catalog.items():
        text = msgid[0] if isinstance(msgid, tuple) else msgid
        if not text or text == msgstr or not msgstr:
            continue
        for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|<[^>]+>", text):
            piece = piece.strip(" .,:;!?()·—–-\"'")
            if len(piece) >= 16 and " " in piece:
                phrases.add(piece)
    return sorted(phrases)


ENGLISH = _english_phrases()


def _names_and_addresses(order: dict[str, Any], stores: list[dict[str, Any]], merchant: dict[str, Any]) -> list[str]:
    """What may stay in the language it was written in: the shopper's name and addresses, the shop's
    and its stores' addresses, the shop's registered (legal) name on its receipts."""
    allowed: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            allowed.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(order.get("customer") or {})
    walk(order.get("shipping_address") or {})
    walk(order.get("billing_address") or {})
    for store in stores:
        walk(store.get("address") or {})
    walk(merchant.get("address") or {})
    walk(merchant.get("legal_name") or "")
    return allowed


def language_problems(text: str, lang: str, allowed: list[str]) -> list[str]:
    if lang == "en":
        return [run for run in JAPANESE.findall(text) if not any(run in a for a in allowed)]
    return [phrase for phrase in ENGLISH if phrase in text]


async def _facts(settings, order_id: int, now) -> dict[str, Any]:
    async with engine.read():
        order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
        merchant = await Merchant.select().output(load_json=True).where(Merchant.id == order["merchant"]).first()
        stores = await Store.select().output(load_json=True).where(Store.merchant == merchant["id"])
        refunded = await ReturnRequest.select().where(
            (ReturnRequest.order == order_id) & (ReturnRequest.status == "refunded"))
        emails = await EmailMessage.select().output(load_json=True).where(EmailMessage.order_id == order_id)
    merchant_obj = await Merchant.objects().output(load_json=True).where(Merchant.id == merchant["id"]).first()
    view = await order_queries.order_view(merchant_obj, order["external_id"])
    tracking = await shipping_queries.order_tracking(merchant_obj, view, now) if view and view.ships else None
    return {"order": order, "merchant": merchant, "stores": stores, "refunded": refunded, "emails": emails,
            "view": view, "tracking": tracking}


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_every_demo_order_tells_one_story_in_one_language(db, settings, clock, client, lang):
    ctx = await demo.create(settings, clock())
    now = clock()
    problems: list[str] = []
    for demo_order in ctx.orders:
        f = await _facts(settings, demo_order.order_id, now)
        order, view, tracking = f["order"], f["view"], f["tracking"]
        label = f"{demo_order.external_id} ({demo_order.state}, {lang})"
        allowed = _names_and_addresses(order, f["stores"], f["merchant"])
        base = f"/o/{demo_order.token}"

        hub = await client.get(f"{base}?lang={lang}")
        assert hub.status_code == 200, label
        hub_text = visible_text(hub.text, lang)
        pages = {"hub": hub_text}
        for section in SECTIONS:
            r = await client.get(f"{base}/{section}?lang={lang}")
            if r.status_code == 200:
                pages[section] = visible_text(r.text, lang)
            else:
                assert r.status_code in (404, 303, 302), (label, section, r.status_code)

        api = await client.get(f"/api/v1/orders/{order['external_id']}",
                               headers={"authorization": f"Bearer {ctx.api_keys[demo_order.merchant]}"})
        assert api.status_code == 200, label
        answer = api.json()

        # status: the hub's badge is the API's status
        badge = BeautifulSoup(hub.text, "html.parser").select_one(".hero__status [data-status]")
        assert badge is not None, label
        if badge["data-status"] != answer["status"]:
            problems.append(f"{label}: hub says {badge['data-status']}, API says {answer['status']}")

        # amounts: the order's total is the same on the hub, the receipt, the confirmation email and the API
        with i18n.language(lang):
            total = money.format(view.total_minor, view.currency, lang)
        assert answer["totals"]["total"] == money.to_string(view.total_minor, view.currency), label
        for name in ("hub", "receipt"):
            if name in pages and total not in pages[name]:
                problems.append(f"{label}: {name} does not show the total {total}")

        # refunds: what the order page says was refunded
        for ret in f["refunded"]:
            with i18n.language(lang):
                refund = money.format(ret["total_minor"], ret["currency"], lang)
            if refund not in hub_text:
                problems.append(f"{label}: the order page does not show the refund {refund} of {ret['number']}")

        # the delivery promise: one sentence on the hub, the tracking section and the API's dates
        promise = tracking.promise if tracking else None
        with i18n.language(lang):
            sentence = words.promise_text(promise, view.timezone) if promise else ""
            parcel_sentences = [words.promise_text(s.promise, view.timezone) for s in tracking.shipments
                                if s.promise] if tracking else []
        if promise is not None:
            shown = answer["promise"]
            assert shown is not None and shown["kind"] == promise.kind, label
            assert shown["date_to"] == (promise.date_to.isoformat() if promise.date_to else None), label
            if promise.kind != "delivered" and sentence not in hub_text:
                problems.append(f"{label}: hub lacks the promise {sentence!r}")
            for s in parcel_sentences:
                if s not in pages.get("tracking", ""):
                    problems.append(f"{label}: tracking lacks the parcel's promise {s!r}")

        # the other language nowhere on a page
        for name, text in pages.items():
            for bad in language_problems(text, lang, allowed):
                problems.append(f"{label}: {name} has {bad!r}")

        # emails: each of the order's messages, rendered in this language, states the same promise
        # and total and speaks only this language
        for message in f["emails"]:
            rendered = await render(message["kind"], message["event"], message["payload"] or {}, order["id"], lang,
                                    settings, now=now)
            assert rendered is not None, (label, message["event"])
            text = visible_text(rendered.html, lang)
            for bad in language_problems(text + " " + rendered.subject, lang, allowed):
                problems.append(f"{label}: email {message['kind']} has {bad!r}")
            if message["kind"] == "order_confirmed" and total not in text:
                problems.append(f"{label}: the confirmation email does not show the total {total}")
            if promise is not None and message["kind"] in ("shipped", "out_for_delivery", "delayed") and \
                    not any(s in text for s in [sentence, *parcel_sentences]):
                problems.append(f"{label}: email {message['kind']} does not state the promise {sentence!r}")
    assert not problems, "\n".join(problems)
