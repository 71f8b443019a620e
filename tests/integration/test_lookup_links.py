"""The branded lookup reached from the merchant's links: the links API answers it, and every
shopper email's footer offers "Can't open this link? Find your order" pointing to it (ja and en)."""

from __future__ import annotations

import html
import re

from orderhub.emails.render import render
from tests.conftest import BASE_URL, bearer
from tests.tracking_support import put_shipment

LOOKUP = f"{BASE_URL}/lookup?merchant=yamakaze"


async def test_the_links_api_answers_the_branded_lookup(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    r = await client.get("/api/v1/orders/jp_ship/links", headers=bearer(key))
    assert r.status_code == 200
    links = r.json()
    assert links["lookup"] == LOOKUP
    assert links["hub"] == f"{BASE_URL}/o/{orders['jp_ship'].token}"  # the contract's fields are unchanged
    # acme's own orders answer acme's lookup
    acme = (await client.get("/api/v1/orders/us_ship/links", headers=bearer(merchants["acme"][1]))).json()
    assert acme["lookup"] == f"{BASE_URL}/lookup?merchant=acme"
    # revoking answers the same shape, the lookup included (it never changes with the token)
    revoked = (await client.post("/api/v1/orders/jp_ship/links/revoke", headers=bearer(key))).json()
    assert set(revoked) == set(links) and revoked["lookup"] == LOOKUP
    # the URL opens the lookup in the merchant's brand
    page = await client.get(LOOKUP.removeprefix(BASE_URL) + "&lang=en")
    assert page.status_code == 200 and "/brand/yamakaze/theme.css" in page.text
    # security: no key, a wrong key, another merchant's order, a hostile id
    assert (await client.get("/api/v1/orders/jp_ship/links")).status_code == 401
    assert (await client.get("/api/v1/orders/jp_ship/links", headers=bearer("ohk_wrong"))).status_code == 401
    assert (await client.get("/api/v1/orders/jp_ship/links", headers=bearer(merchants["acme"][1]))).status_code == 404
    hostile = await client.get("/api/v1/orders/%3Cscript%3E/links", headers=bearer(key))
    assert hostile.status_code == 404 and "errors" in hostile.json()


async def test_every_shopper_email_footer_offers_the_lookup(client, merchants, orders, settings, clock):
    _, key, _ = merchants["yamakaze"]
    assert (await put_shipment(client, key)).status_code == 201
    cases = [("order_confirmed", "order.confirmed", {}, orders["jp_ship"]),
             ("shipped", "shipment.shipped", {"shipment_id": "S1"}, orders["jp_ship"]),
             ("pickup_ready", "pickup.ready", {}, orders["jp_pickup"])]
    for kind, event, payload, ref in cases:
        for lang, words in (("en", "Can't open this link? Find your order"),
                            ("ja", "リンクが開けない場合は ご注文を探す")):
            mail = await render(kind, event, payload, ref.id, lang, settings, now=clock())
            url = f"{LOOKUP}&lang={lang}"
            footer = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", mail.html)))
            assert words in footer, (kind, lang)
            assert f'href="{html.escape(url)}"' in mail.html, (kind, lang)
            assert f"{words}: {url}" in mail.text, (kind, lang)
    acme = await render("order_confirmed", "order.confirmed", {}, orders["us_ship"].id, "en", settings, now=clock())
    assert f"{BASE_URL}/lookup?merchant=acme&lang=en" in acme.text
