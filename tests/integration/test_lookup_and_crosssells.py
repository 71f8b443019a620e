"""Order lookup (rate-limited, the same answer whatever was wrong) and lazy cross-sells."""

from __future__ import annotations

import re


async def csrf(client, path="/lookup") -> str:
    html = (await client.get(path)).text
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def test_lookup_by_email_or_postal_code(client, orders):
    token = await csrf(client)
    r = await client.post("/lookup", data={"_csrf_token": token, "number": "YK-100234", "proof": "HANAKO.YAMADA@example.jp"})
    assert r.status_code == 303 and r.headers["location"] == f"/o/{orders['jp_ship'].token}"
    r = await client.post("/lookup", data={"_csrf_token": token, "number": "1042", "proof": "10013"})
    assert r.status_code == 303 and r.headers["location"] == f"/o/{orders['us_ship'].token}"


async def test_lookup_says_the_same_whatever_was_wrong(client, orders):
    token = await csrf(client)
    answers = set()
    for number, proof in (("YK-100234", "someone@example.jp"), ("YK-999999", "hanako.yamada@example.jp"),
                          ("1042", "99999"), ("1042", "100")):
        r = await client.post("/lookup", data={"_csrf_token": token, "number": number, "proof": proof})
        assert r.status_code == 422
        answers.add(re.search(r'<p class="alert[^>]*>([^<]+)</p>', r.text).group(1))
    assert len(answers) == 1


async def test_lookup_form_errors_next_to_fields(client):
    token = await csrf(client)
    r = await client.post("/lookup", data={"_csrf_token": token, "number": "", "proof": ""})
    assert r.status_code == 422
    assert 'id="f-number-error"' in r.text and 'aria-invalid="true"' in r.text


async def test_lookup_without_csrf_is_refused(client, orders):
    r = await client.post("/lookup", data={"number": "1042", "proof": "10013"})
    assert r.status_code == 403


async def test_lookup_is_rate_limited_per_order_number(client, orders, app, settings):
    token = await csrf(client)
    for _ in range(settings.lookup_limit):
        await client.post("/lookup", data={"_csrf_token": token, "number": "1042", "proof": "guess@example.com"})
    r = await client.post("/lookup", data={"_csrf_token": token, "number": "1042", "proof": "10013"})
    assert r.status_code == 429 and "Retry-After" in r.headers
    # another order number from the same client still has attempts left only until the client limit
    await app.state.lookup_limits["order"].reset()
    await app.state.lookup_limits["client"].reset()
    r = await client.post("/lookup", data={"_csrf_token": token, "number": "1042", "proof": "10013"})
    assert r.status_code == 303


async def test_lookup_under_htmx_redirects_the_page(client, orders):
    token = await csrf(client)
    r = await client.post("/lookup", data={"number": "1042", "proof": "10013"},
                          headers={"HX-Request": "true", "HX-Request-Type": "partial", "x-csrftoken": token})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == f"/o/{orders['us_ship'].token}"


async def test_cross_sells_related_in_stock_not_bought(client, orders, app):
    from orderhub.db.analytics.queries import counts

    token = orders["us_ship"].token
    page = await client.get(f"/o/{token}")
    assert 'hx-get="/o/' + token + '/cross-sells"' in page.text and 'hx-trigger="load"' in page.text
    r = await client.get(f"/o/{token}/cross-sells", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.status_code == 200 and "<html" not in r.text
    titles = re.findall(r'class="product-card__title">([^<]+)<', r.text)
    assert titles == ["Trail Gaiter", "Waterproofing Spray", "Trail Bars (12)"]  # not socks (bought), not headlamp (out of stock)
    full = await client.get(f"/o/{token}/cross-sells")
    assert "<html" in full.text and "Trail Gaiter" in full.text
    merchant_id = None
    from orderhub.db import engine
    from orderhub.db.orders.tables import Order

    async with engine.read():
        merchant_id = (await Order.select(Order.merchant).where(Order.id == orders["us_ship"].id).first())["merchant"]
    await app.state.analytics.flush()
    seen = await counts(merchant_id, ("crosssell_impression", "hub_view"))
    assert seen["crosssell_impression"] == 6 and seen["hub_view"] == 1


async def test_cross_sell_click_is_counted_and_carries_campaign(client, orders, app):

    token = orders["jp_ship"].token
    r = await client.get(f"/o/{token}/go/gaiter")
    assert r.status_code == 303
    assert r.headers["location"].startswith("https://yamakaze.example.jp/p/gaiter?")
    assert "utm_source=orderhub" in r.headers["location"] and "utm_campaign=cross_sell" in r.headers["location"]
    assert (await client.get(f"/o/{token}/go/no-such-product")).status_code == 404
    assert await app.state.analytics.flush() == 1
    assert (await client.get(f"/o/{'x' * 32}/go/gaiter")).status_code == 404


async def test_brand_stylesheet_carries_validated_values(client, merchants):
    r = await client.get("/brand/yamakaze/theme.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert "--brand-primary:#1F5F3F" in r.text and "--brand-on-primary:#FFFFFF" in r.text
    assert (await client.get("/brand/nobody/theme.css")).status_code == 404
