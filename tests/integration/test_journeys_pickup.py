"""Pickup states where the shopper is (issue 17, item 4): the order page's pickup card shows the
code and the prompts that apply, "we know you're here" after arrival and who handed it over and
when after hand-over; with htmx (the card answers) and without JavaScript (plain posts and 303)."""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.pickup.tables import Pickup
from tests.pickup_support import csrf_of, make_ready, make_staff, post_form, sign_in

ACME_STORE = "soho"
PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}


def _card(html: str) -> str:
    found = re.search(r'<div id="confirmation-pickup".*?(?=\n</div>\n)', html, re.S)
    assert found, "no pickup card on the order page"
    return found.group(0)


async def _pickup():
    async with engine.read():
        return await Pickup.select().first()


async def test_a_shipped_order_has_no_pickup_card(client, orders):
    page = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert "confirmation-pickup" not in page.text
    assert (await client.get(f"/o/{orders['jp_ship'].token}/pickup/card", headers=PARTIAL)).status_code == 404


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_order_page_follows_the_pickup_without_javascript(client, orders, merchants, clock, lang):
    t = orders["jp_pickup"].token
    hub = f"/o/{t}?lang={lang}"
    card = _card((await client.get(hub)).text)
    assert "<svg" not in card and "/here" not in card  # being prepared: no code, no prompt
    await make_ready(client, merchants["yamakaze"][1])
    card = _card((await client.get(hub)).text)
    assert "<svg" in card and "/on-my-way" in card and "/here" in card
    assert ("I'm here" if lang == "en" else "到着しました") in card or "/here" in card

    # "I'm on my way" from the order page: a plain post comes back to the order page
    r = await post_form(client, hub, f"/o/{t}/pickup/on-my-way", {"eta_minutes": "10", "return_to": "order"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/o/{t}")
    assert "/pickup" not in r.headers["location"]
    card = _card((await client.get(hub)).text)
    assert "/on-my-way" not in card and "/here" in card
    assert (await _pickup())["state"] == "on_the_way"

    r = await post_form(client, hub, f"/o/{t}/pickup/here", {"bay": "", "car": "", "return_to": "order"})
    assert r.status_code == 303
    card = _card((await client.get(hub)).text)
    assert ("We know you're here" if lang == "en" else "到着") in card
    assert "/on-my-way" not in card and "I'm here" not in card and "<svg" in card

    # the clerk hands it over (plain form): success is confirmed, not "already picked up"
    await make_staff(clock)
    await sign_in(client)
    p = await _pickup()
    staff_url = f"/staff/pickups/{p['id']}?lang={lang}"
    r = await post_form(client, staff_url, f"/staff/pickups/{p['id']}/hand-over", {})
    assert r.status_code == 303
    staff = (await client.get(r.headers["location"] + ("&" if "?" in r.headers["location"] else "?") + f"lang={lang}")).text
    assert "Already picked up." not in staff and "すでにお受け取り済みです" not in staff
    assert "clerk@example.jp" in staff
    assert ("Picked up at" if lang == "en" else "お受け取りになりました") in staff
    # a genuine second attempt says so
    again = await client.post(f"/staff/pickups/{p['id']}/hand-over?lang={lang}", data={"_csrf_token": csrf_of(staff)})
    assert again.status_code == 409
    assert ("Already picked up." if lang == "en" else "すでにお受け取り済みです") in again.text

    # the shopper's order page: picked up, when, by the store (never the clerk's e-mail)
    card = _card((await client.get(hub)).text)
    assert ("Picked up at" if lang == "en" else "お受け取りになりました") in card
    assert orders["jp_pickup"] and "clerk@example.jp" not in card and "<svg" not in card and "/here" not in card
    assert 'data-final="true"' in card and "hx-get" not in card
    if lang == "en":  # the store named in the page's language
        assert re.search(r"Picked up at [^<]* by Yamakaze Outdoor [A-Za-z]+\.", card), card


async def test_card_forms_under_htmx_answer_the_card(client, orders, merchants):
    t = orders["jp_pickup"].token
    await make_ready(client, merchants["yamakaze"][1])
    # a bad ETA: 422, the card again with the message next to the field
    bad = await post_form(client, f"/o/{t}?lang=en", f"/o/{t}/pickup/on-my-way?lang=en",
                          {"eta_minutes": "<b>soon</b>", "return_to": "order"}, headers=PARTIAL)
    assert bad.status_code == 422 and 'id="confirmation-pickup"' in bad.text
    assert 'id="f-eta_minutes-error"' in bad.text and "<b>soon</b>" not in bad.text
    r = await post_form(client, f"/o/{t}?lang=en", f"/o/{t}/pickup/here?lang=en",
                        {"bay": "", "car": "", "return_to": "order"}, headers=PARTIAL)
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="confirmation-pickup"')
    assert "We know you're here" in r.text and "<html" not in r.text
    # the live refresh of the card: the card alone; a visitor landing there gets the order page
    poll = await client.get(f"/o/{t}/pickup/card?lang=en", headers=PARTIAL)
    assert poll.status_code == 200 and 'id="confirmation-pickup"' in poll.text and "<html" not in poll.text
    landing = await client.get(f"/o/{t}/pickup/card")
    assert landing.status_code == 303 and landing.headers["location"] == f"/o/{t}"


async def test_card_route_security(client, orders, merchants):
    t = orders["jp_pickup"].token
    for bad in ("x" * 43, t[:-1] + ("A" if t[-1] != "A" else "B"), "../admin"):
        assert (await client.get(f"/o/{bad}/pickup/card", headers=PARTIAL)).status_code == 404
    # a form from the order page without its CSRF token is refused, nothing moves
    await make_ready(client, merchants["yamakaze"][1])
    r = await client.post(f"/o/{t}/pickup/here", data={"bay": "", "car": "", "return_to": "order"})
    assert r.status_code == 403 and (await _pickup())["state"] == "ready"
    # a hostile return_to is just ignored (no open redirect)
    r = await post_form(client, f"/o/{t}", f"/o/{t}/pickup/here",
                        {"bay": "", "car": "", "return_to": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == f"/o/{t}/pickup"


async def test_staff_of_another_merchant_cannot_see_or_hand_over(client, orders, merchants, clock):
    await make_ready(client, merchants["yamakaze"][1])
    p = await _pickup()
    await make_staff(clock, slug="acme", store=ACME_STORE, email="other@example.jp")
    await sign_in(client, email="other@example.jp")
    assert (await client.get(f"/staff/pickups/{p['id']}")).status_code == 404
    console = await client.get("/staff")
    r = await client.post(f"/staff/pickups/{p['id']}/hand-over", data={"_csrf_token": csrf_of(console.text)})
    assert r.status_code == 404 and (await _pickup())["state"] == "ready"
