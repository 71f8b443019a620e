"""The hub's confirmation page as a shopper sees it."""

from __future__ import annotations

import re

from tests.conftest import bearer


async def test_japanese_hub_shows_order_in_brand_and_language(client, orders):
    token = orders["jp_ship"].token
    r = await client.get(f"/o/{token}")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="ja">' in html
    assert "山風アウトドア" in html
    assert "YK-100234" in html
    assert "2026年11月16日" in html
    assert "¥17,560" in html
    assert "山田 様" in html
    assert "h***@example.jp" in html and "hanako.yamada@example.jp" not in html
    assert "神南" not in html and "サンプルマンション" not in html  # no street lines
    assert "〒150-****" in html
    assert "•••• 4242" in html
    assert 'href="/brand/yamakaze/theme.css' in html


async def test_us_hub_in_english_with_tax_added(client, orders):
    r = await client.get(f"/o/{orders['us_ship'].token}")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="en">' in html
    assert "$155.64" in html and "Nov 12, 2026" in html
    assert "TRAIL10" in html and "−$15.00" in html
    assert re.search(r"<dt>Tax</dt><dd>\$12\.69</dd>", html)
    assert "Mastercard" in html and "5100" in html
    assert "200 Hudson" not in html and "jordan.lee@example.com" not in html


async def test_language_from_url_beats_order(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert '<html lang="en">' in r.text
    assert "Thank you for your order" in r.text
    r = await client.get(f"/o/{orders['us_ship'].token}?lang=ja")
    assert '<html lang="ja">' in r.text
    assert "$155.64" in r.text


async def test_language_links_lead_to_the_same_page_with_its_other_parameters(client, orders):
    token = orders["jp_ship"].token
    links = re.findall(r'<a href="([^"]*)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>',
                       (await client.get(f"/o/{token}")).text)
    assert links == [(f"/o/{token}?lang=ja", "ja", ' aria-current="true"'), (f"/o/{token}?lang=en", "en", "")]
    page = (await client.get(f"/o/{token}/tracking?lang=en&amp;x=<b>&utm_source=mail%20")).text
    links = re.findall(r'<a href="([^"]*)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>', page)
    kept = "amp%3Bx=%3Cb%3E&amp;utm_source=mail+"  # the page's own parameters, encoded, then the language
    assert links == [(f"/o/{token}/tracking?{kept}&amp;lang=ja", "ja", ""),
                     (f"/o/{token}/tracking?{kept}&amp;lang=en", "en", ' aria-current="true"')]


async def test_unknown_revoked_and_malformed_tokens_get_the_same_404(client, orders, merchants, settings, clock):
    from orderhub.db.orders.services import revoke_hub_token

    good = orders["jp_ship"].token
    merchant = merchants["yamakaze"][0]
    new = await revoke_hub_token(merchant.id, "jp_ship", token_key=settings.key_for("hub-token"), now=clock())
    bodies = set()
    for token in (good, "x" * 32, "short", good[:-1] + ("A" if good[-1] != "A" else "B"), "%00", "..%2Fadmin"):
        r = await client.get(f"/o/{token}")
        assert r.status_code == 404
        bodies.add(re.sub(r'hx-headers:inherited=\'[^\']*\'|href="[^"]*\?lang=[a-z]+"', "", r.text))
    assert len(bodies) == 1
    assert (await client.get(f"/o/{new}")).status_code == 200


async def test_security_headers_on_pages_and_errors(client, orders):
    for path in (f"/o/{orders['jp_ship'].token}", "/o/" + "x" * 32, "/no-such-page"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        assert "noindex" in r.headers["x-robots-tag"]
    assert "<script>" not in (await client.get(f"/o/{orders['jp_ship'].token}")).text


async def test_forged_host_is_refused(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}", headers={"Host": "evil.example"})
    assert r.status_code == 400


async def test_partial_request_gets_only_the_block(client, orders):
    token = orders["jp_ship"].token
    r = await client.get(f"/o/{token}", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="card hero" id="confirmation-summary"')
    assert "<html" not in r.text
    assert "HX-Request" in r.headers["vary"]
    full = await client.get(f"/o/{token}", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert "<html" in full.text
    restore = await client.get(f"/o/{token}", headers={"HX-Request": "true", "HX-Request-Type": "partial",
                                                      "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


async def test_what_happens_next_and_final_sale(client, orders, clock):
    r = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    html = r.text
    assert "What happens next" in html
    assert "within 60 days" in html  # member-gold customer: the extended window
    assert "Final sale" in html
    assert "The cancellation period ended" in html
    # placed Mon 11/16, packed in a day, the SLA's 2-4 business days (Mon 11/23 is a holiday in Japan)
    assert html.count("Arriving between today and Tue 11/24") == 2  # the promise, and the step "On its way"
    us = (await client.get(f"/o/{orders['us_ship'].token}")).text
    assert "within 30 days of delivery" in us


async def test_pickup_order_shows_store(client, orders):
    html = (await client.get(f"/o/{orders['jp_pickup'].token}")).text
    assert "山風アウトドア 渋谷店" in html


async def test_cancel_window_open_right_after_ordering(client, merchants, clock, settings):
    from tests.conftest import fixture

    body = fixture("orders/us_ship.json") | {"placed_at": "2026-11-21T21:30:00-05:00"}
    r = await client.put("/api/v1/orders/fresh", json=body, headers=bearer(merchants["acme"][1]))
    assert r.status_code == 201
    clock.now = clock.now.replace(hour=2, minute=45)  # 21:45 in New York
    html = (await client.get(r.json()["hub_url"].removeprefix("http://testserver.local"))).text
    assert "You can cancel until" in html


async def test_status_badge_is_translated_per_request(client, merchants, orders):
    """Issue 15: the badge's labels were built once per process, in the language of the first page.
    Japanese, then English, then Japanese again in one process: each page shows its own word only."""
    from tests.tracking_support import events_body, post_events, put_shipment

    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await put_shipment(client, key)
    await post_events(client, key, events_body())  # delivered

    def badge(html: str) -> str:
        found = re.search(r'<p class="hero__status"><span class="badge badge--(\w+)" data-status="\w+">([^<]*)</span>', html)
        return found.groups()

    for lang, word, other in (("ja", "お届け済み", "Delivered"), ("en", "Delivered", "お届け済み"),
                              ("ja", "お届け済み", "Delivered")):
        html = (await client.get(f"/o/{token}?lang={lang}")).text
        assert badge(html) == ("good", word)
        hero = html[html.index('id="confirmation-summary"'):html.index("</section>", html.index('id="confirmation-summary"'))]
        assert other not in hero
    # the same in the partial (a block rendered alone imports the macro on its own)
    part = await client.get(f"/o/{token}?lang=en", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert badge(part.text) == ("good", "Delivered")
