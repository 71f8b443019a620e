"""The merchant's settings pages through the HTTP client: what each form stores, what shoppers then
see, errors next to their fields with nothing stored, owners only, CSRF, another merchant's
objects, hostile input; webhook endpoints with secrets shown once and rotated, API keys that work
until revoked."""

from __future__ import annotations

import html
import re

from orderhub.db import engine
from orderhub.db.merchants.tables import ApiKey, Merchant, Store
from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint
from tests.admin_ops_support import csrf, signed_in
from tests.conftest import bearer

PAGES = ("/admin/settings", "/admin/settings/support", "/admin/settings/policy", "/admin/settings/cross-sells",
         "/admin/settings/feedback", "/admin/settings/emails", "/admin/settings/stores", "/admin/settings/stores/new",
         "/admin/settings/stores/shibuya", "/admin/settings/webhooks", "/admin/settings/api-keys")


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def error_of(page, name: str) -> str:
    found = re.search(rf'id="f-{re.escape(name)}-error">([^<]+)<', page.text)
    return html.unescape(found.group(1)) if found else ""


async def merchant_row(merchant_id: int) -> Merchant:
    async with engine.read():
        return await Merchant.objects().output(load_json=True).where(Merchant.id == merchant_id).first()


async def post(client, url: str, data: dict | list, *, page: str | None = None):
    token = await csrf(client, page or url)
    body: dict[str, list[str]] = {}
    for name, value in (data.items() if isinstance(data, dict) else data):
        body.setdefault(name, []).append(value)
    return await client.post(url, data={**body, "_csrf_token": token})


async def test_every_page_is_for_signed_in_owners(client, merchants, clock):
    for path in PAGES:
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in?next="), path
    await signed_in(client, clock, "yamakaze", "staff")
    for path in PAGES:
        r = await client.get(path + "?lang=en")
        assert r.status_code == 403 and "owners" in r.text, path


async def test_index_and_every_page_open_in_both_languages(client, merchants, clock):
    await signed_in(client, clock)
    index = await client.get("/admin/settings?lang=en")
    for title in ("Support contacts", "Return policy", "Cross-sells", "Surveys and reviews", "Emails",
                  "Stores and pickup", "Webhooks", "API keys", "Team"):
        assert title in text(index)
    ja = await client.get("/admin/settings?lang=ja")
    assert "返品ポリシー" in ja.text and "Return policy" not in ja.text
    for path in PAGES:
        for lang in ("ja", "en"):
            r = await client.get(f"{path}?lang={lang}")
            assert r.status_code == 200, (path, lang)


async def test_support_contacts_show_on_the_order_page(client, merchants, orders, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    before = (await merchant_row(merchant.id)).version
    r = await post(client, "/admin/settings/support?lang=en", {
        "email": "help@yamakaze.example.jp", "phone": "0120-000-111", "hours": "毎日 9:00–21:00 <b>早番</b>", "url": ""})
    assert r.status_code == 303 and r.headers["location"] == "/admin/settings/support?saved=1&lang=en"
    row = await merchant_row(merchant.id)
    assert row.support == {"email": "help@yamakaze.example.jp", "phone": "0120-000-111",
                           "hours": "毎日 9:00–21:00 <b>早番</b>", "url": ""}
    assert row.version == before + 1
    saved = await client.get(r.headers["location"])
    assert "Saved." in saved.text and 'value="help@yamakaze.example.jp"' in saved.text
    hub = await client.get(f"/o/{orders['jp_ship'].token}")
    assert "help@yamakaze.example.jp" in hub.text and "0120-000-111" in hub.text
    assert "<b>早番</b>" not in hub.text and "&lt;b&gt;早番&lt;/b&gt;" in hub.text


async def test_support_errors_stand_next_to_their_fields_and_nothing_is_stored(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    before = await merchant_row(merchant.id)
    r = await post(client, "/admin/settings/support?lang=en", {
        "email": "not-an-address", "phone": "x" * 41, "hours": "ok", "url": "javascript:alert(1)"})
    assert r.status_code == 422
    assert error_of(r, "email") == "Enter an email address such as help@example.com."
    assert error_of(r, "phone") == "Use at most 40 characters."
    assert error_of(r, "url") == "Enter a web address starting with https://."
    assert "Please correct the 3 fields marked below. Nothing was saved." in text(r)
    assert 'value="not-an-address"' in r.text  # what was typed stays
    after = await merchant_row(merchant.id)
    assert after.support == before.support and after.version == before.version
    ja = await post(client, "/admin/settings/support?lang=ja", {"email": "nope", "phone": "", "hours": "", "url": ""})
    assert ja.status_code == 422 and error_of(ja, "email") == "help@example.com のようなメールアドレスを入力してください。"


async def test_forms_need_the_csrf_token(client, merchants, clock):
    await signed_in(client, clock)
    for path in ("/admin/settings/support", "/admin/settings/policy", "/admin/settings/stores/shibuya",
                 "/admin/settings/webhooks", "/admin/settings/api-keys", "/admin/settings/emails"):
        r = await client.post(path, data={"email": "a@b.jp", "label": "x", "url": "https://example.com/h"})
        assert r.status_code == 403, path
    async with engine.read():
        assert await ApiKey.count().where(ApiKey.label == "x") == 0
        assert await WebhookEndpoint.count() == 0


async def test_return_policy_is_what_the_returns_rules_read(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    r = await post(client, "/admin/settings/policy?lang=en", [
        ("return_window_days", "45"), ("extended", "member-gold: 90\nvip = 120"), ("cancel_window_hours", "2"),
        ("return_ship_within_days", "10"), ("free_return_methods", "in_store"), ("fee_drop_off", "330"),
        ("fee_in_store", ""), ("fee_mail", "550"), ("fee_home_pickup", "880"), ("store_credit_bonus_percent", "15"),
        ("keep_item_under", "800"), ("photo_required_reasons", "damaged"), ("photo_required_reasons", "defective"),
    ])
    assert r.status_code == 303, error_of(r, "extended") or r.text[:300]
    policy = (await merchant_row(merchant.id)).policy
    assert policy["return_window_days"] == 45 and policy["extended_window_days_by_tag"] == {"member-gold": 90, "vip": 120}
    assert policy["return_fee"] == {"drop_off": "330", "mail": "550", "home_pickup": "880"}
    assert policy["free_return_methods"] == ["in_store"] and policy["store_credit_bonus_percent"] == 15
    assert policy["keep_item_under"] == "800" and policy["photo_required_reasons"] == ["damaged", "defective"]
    assert policy["return_ship_within_days"] == 10 and policy["cancel_window_hours"] == 2
    shown = await client.get("/admin/settings/policy")
    assert 'value="45"' in shown.text and "member-gold: 90" in shown.text


async def test_bad_policy_values_are_refused_whole(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    before = (await merchant_row(merchant.id)).policy
    r = await post(client, "/admin/settings/policy?lang=en", {
        "return_window_days": "thirty", "extended": "gold sixty", "cancel_window_hours": "1",
        "return_ship_within_days": "14", "fee_mail": "5.50", "store_credit_bonus_percent": "101", "keep_item_under": "0"})
    assert r.status_code == 422
    assert error_of(r, "return_window_days") == "Enter a whole number."
    assert error_of(r, "extended") == "Write one customer tag per line, like “member-gold: 60”."
    assert error_of(r, "fee_mail") == "Enter an amount such as 500 or 5.00."
    assert error_of(r, "store_credit_bonus_percent") == "Use 100 or less."
    assert (await merchant_row(merchant.id)).policy == before


async def test_cross_sells_off_or_chosen_by_the_merchant(client, merchants, orders, clock):
    await signed_in(client, clock, "acme")
    token = orders["us_ship"].token
    partial = {"HX-Request": "true", "HX-Request-Type": "partial"}

    def titles(page) -> list[str]:
        return re.findall(r'class="product-card__title">([^<]+)<', page.text)

    form = await client.get("/admin/settings/cross-sells")
    products = re.findall(r'<label for="f-(related-\d+)">([^<]+)</label>', form.text)
    fields = {html.unescape(label): name for name, label in products}
    runner = fields["Trail Runner GTX (trail-runner)"]
    assert re.search(rf'name="{runner}"[^>]*value="merino-socks, gaiter, waterproof-spray, headlamp, energy-bars"',
                     form.text)
    shown = {name: html.unescape(value) for name, value in
             re.findall(r'name="(related-\d+)" type="text" value="([^"]*)"', form.text)}
    assert len(shown) == 6
    r = await post(client, "/admin/settings/cross-sells", {**shown, "enabled": "on", runner: "energy-bars, gaiter"})
    assert r.status_code == 303
    stored = (await merchant_row(merchants["acme"][0].id)).settings["cross_sells"]
    assert stored["related"]["trail-runner"] == ["energy-bars", "gaiter"] and stored["in_emails"] is False
    assert "merino-socks" not in stored["related"]  # unchanged lists stay the catalog's
    assert titles(await client.get(f"/o/{token}/cross-sells", headers=partial)) == ["Trail Bars (12)", "Trail Gaiter"]

    bad = await post(client, "/admin/settings/cross-sells?lang=en", {**shown, "enabled": "on", runner: "gaiter, <script>x"})
    assert bad.status_code == 422 and "No product with the id <script>x" in error_of(bad, runner)
    assert "<script>x" not in bad.text
    assert (await merchant_row(merchants["acme"][0].id)).settings["cross_sells"] == stored

    off = await post(client, "/admin/settings/cross-sells", {**shown, runner: "gaiter"})
    assert off.status_code == 303
    assert titles(await client.get(f"/o/{token}/cross-sells", headers=partial)) == []


async def test_email_settings(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    r = await post(client, "/admin/settings/emails?lang=en", {
        "quiet_start": "22:00", "quiet_end": "07:30", "transit_every_hours": "12"})  # "send" unticked: off
    assert r.status_code == 303
    assert (await merchant_row(merchant.id)).settings["emails"] == {
        "send": False, "marketing_eu": False, "quiet_start": "22:00", "quiet_end": "07:30", "transit_every_hours": 12}
    bad = await post(client, "/admin/settings/emails?lang=en", {
        "send": "on", "quiet_start": "25:00", "quiet_end": "7", "transit_every_hours": "500"})
    assert bad.status_code == 422
    assert error_of(bad, "quiet_start") == "Enter a time such as 21:00."
    assert error_of(bad, "transit_every_hours") == "Enter a whole number from 0 to 168."
    assert (await merchant_row(merchant.id)).settings["emails"]["send"] is False


async def test_survey_questions_per_language(client, merchants, clock):
    from orderhub.db.feedback import rules

    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    form = await client.get("/admin/settings/feedback?lang=en")
    defaults = rules.read_feedback_settings(None)
    assert html.escape(defaults["questions"]["nps"]["ja"], quote=True) in form.text
    data = {"review_invite_days": "10", "survey_cap_days": "60"}
    for question, texts in defaults["questions"].items():
        data |= {f"{question}_{lang}": texts[lang] for lang in ("ja", "en")}
    data["nps_en"] = "Would you recommend Yamakaze to a friend?"
    r = await post(client, "/admin/settings/feedback?lang=en", data)
    assert r.status_code == 303
    stored = rules.read_feedback_settings((await merchant_row(merchant.id)).settings["feedback"])
    assert stored["review_invite_days"] == 10 and stored["survey_cap_days"] == 60
    assert stored["questions"]["nps"]["en"] == "Would you recommend Yamakaze to a friend?"
    assert "Would you recommend Yamakaze to a friend?" in (await client.get("/admin/settings/feedback")).text
    bad = await post(client, "/admin/settings/feedback?lang=en",
                     {**data, "review_invite_days": "-3", "why_en": "Why? <script>alert(1)</script>"})
    assert bad.status_code == 422
    assert error_of(bad, "review_invite_days") == "Enter a whole number from 0 to 90."
    assert error_of(bad, "why_en") == "Use plain text, without < or >."
    assert "<script>alert(1)</script>" not in bad.text and "&lt;script&gt;" in bad.text
    assert rules.read_feedback_settings((await merchant_row(merchant.id)).settings["feedback"]) == stored


async def store_row(merchant_id: int, code: str) -> dict:
    async with engine.read():
        return await Store.select().where(Store.key == f"{merchant_id}:{code}").output(load_json=True).first()


STORE_FORM = {
    "name": "山風アウトドア 渋谷店", "timezone": "Asia/Tokyo", "address_postal_code": "150-0042",
    "address_region": "東京都", "address_city": "渋谷区", "address_line1": "宇田川町 10-1", "address_line2": "",
    "address_country": "JP", "hours": "mon-fri 10:00-21:00\nsat-sun 9:30–20:00",
    "pickup_instructions": "2階カウンターへ", "what_to_bring": "受取用QRコード\n\nご本人確認書類", "hold_days": "5",
    "curbside_enabled": "on", "curbside_bays": "P1, P2、P3", "curbside_instructions": "裏口へ",
}


async def test_store_pickup_details(client, merchants, orders, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    listing = await client.get("/admin/settings/stores")
    assert "山風アウトドア 渋谷店" in listing.text and "soho" not in listing.text
    r = await post(client, "/admin/settings/stores/shibuya?lang=en", STORE_FORM)
    assert r.status_code == 303 and r.headers["location"] == "/admin/settings/stores/shibuya?saved=1&lang=en"
    row = await store_row(merchant.id, "shibuya")
    assert row["hours"] == [{"days": "mon-fri", "open": "10:00", "close": "21:00"},
                            {"days": "sat-sun", "open": "09:30", "close": "20:00"}]
    assert row["what_to_bring"] == ["受取用QRコード", "ご本人確認書類"] and row["hold_days"] == 5
    assert row["curbside"] == {"enabled": True, "bays": ["P1", "P2", "P3"], "instructions": "裏口へ"}
    pickup = await client.get(f"/o/{orders['jp_pickup'].token}/pickup")
    assert "2階カウンターへ" in pickup.text


async def test_store_errors_and_other_merchants_stores(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    before = await store_row(merchant.id, "shibuya")
    r = await post(client, "/admin/settings/stores/shibuya?lang=en",
                   {**STORE_FORM, "hours": "weekdays 10-21", "timezone": "Mars/Base", "hold_days": "0"})
    assert r.status_code == 422
    assert error_of(r, "hours").startswith("Write one range per line")
    assert error_of(r, "timezone") == "Choose a time zone such as Asia/Tokyo."
    assert error_of(r, "hold_days") == "Use 1 or more."
    assert await store_row(merchant.id, "shibuya") == before
    assert (await client.get("/admin/settings/stores/soho")).status_code == 404  # acme's store
    other = await post(client, "/admin/settings/stores/soho", STORE_FORM, page="/admin/settings/stores")
    assert other.status_code == 404
    assert (await client.get("/admin/settings/stores/" + "x" * 300)).status_code == 404


async def test_add_a_store(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    r = await post(client, "/admin/settings/stores", {**STORE_FORM, "code": "umeda", "name": "梅田店"},
                   page="/admin/settings/stores/new")
    assert r.status_code == 303 and r.headers["location"] == "/admin/settings/stores?saved=1"
    assert (await store_row(merchant.id, "umeda"))["name"] == "梅田店"
    again = await post(client, "/admin/settings/stores?lang=en", {**STORE_FORM, "code": "umeda", "name": "別の店"},
                       page="/admin/settings/stores/new")
    assert again.status_code == 422 and error_of(again, "code").startswith("A store with this code exists")
    bad = await post(client, "/admin/settings/stores?lang=en", {**STORE_FORM, "code": "<b>x</b>"},
                     page="/admin/settings/stores/new")
    assert bad.status_code == 422 and error_of(bad, "code") and "<b>x</b>" not in bad.text
    assert (await store_row(merchant.id, "umeda"))["name"] == "梅田店"


async def test_webhook_endpoints_secrets_and_delivery_log(client, merchants, orders, clock):
    from orderhub.db.outbox import services as outbox

    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    r = await post(client, "/admin/settings/webhooks?lang=en", [
        ("url", "https://hooks.example.jp/orderhub"), ("events", "shipment.*"), ("events", "return.*")])
    assert r.status_code == 201
    secret = re.search(r'class="admin-secret">([^<]+)<', r.text).group(1)
    async with engine.read():
        endpoint = await WebhookEndpoint.objects().output(load_json=True).where(
            WebhookEndpoint.merchant == merchant.id).first()
    assert endpoint.secret == secret and endpoint.events == ["shipment.*", "return.*"]
    page = await client.get("/admin/settings/webhooks")
    assert secret not in page.text and "https://hooks.example.jp/orderhub" in page.text  # shown once

    rotated = await post(client, f"/admin/settings/webhooks/{endpoint.id}/rotate", {}, page="/admin/settings/webhooks")
    new_secret = re.search(r'class="admin-secret">([^<]+)<', rotated.text).group(1)
    async with engine.read():
        stored = await WebhookEndpoint.select(WebhookEndpoint.secret).where(WebhookEndpoint.id == endpoint.id).first()
    assert new_secret != secret and stored["secret"] == new_secret

    async with engine.write():
        await outbox.notify(merchant.id, "shipment.delivered", {"shipment_id": "s1"}, order_id=orders["jp_ship"].id,
                            now=clock())
        await WebhookDelivery.update({WebhookDelivery.state: "dead", WebhookDelivery.attempts: 8,
                                      WebhookDelivery.last_status: 500}).where(WebhookDelivery.merchant == merchant.id)
        delivery = await WebhookDelivery.select(WebhookDelivery.id).first()
    log = await client.get("/admin/settings/webhooks?state=dead&lang=en")
    assert "shipment.delivered" in log.text and "Failed" in text(log)
    again = await post(client, f"/admin/settings/webhooks/deliveries/{delivery['id']}/retry", {},
                       page="/admin/settings/webhooks")
    assert again.status_code == 303
    async with engine.read():
        assert (await WebhookDelivery.select(WebhookDelivery.state).first())["state"] == "pending"

    off = await post(client, f"/admin/settings/webhooks/{endpoint.id}/disable", {}, page="/admin/settings/webhooks")
    assert off.status_code == 303
    async with engine.read():
        assert (await WebhookEndpoint.select(WebhookEndpoint.active).first())["active"] is False


async def test_webhook_hostile_input_and_other_merchants(client, merchants, clock):
    from orderhub.db.outbox import services as outbox

    acme_endpoint, _secret = await outbox.add_endpoint(merchants["acme"][0].id, "https://acme.example/h", now=clock())
    await signed_in(client, clock)
    for url in ("javascript:alert(1)", "https://ex ample.com/\"><script>", "ftp://example.com/x", "https://" + "a" * 1000):
        r = await post(client, "/admin/settings/webhooks?lang=en", {"url": url})
        assert r.status_code == 422 and error_of(r, "url") == "Enter a web address starting with https://.", url
        assert "<script>" not in r.text
    for path in (f"/admin/settings/webhooks/{acme_endpoint}/rotate", f"/admin/settings/webhooks/{acme_endpoint}/disable",
                 "/admin/settings/webhooks/deliveries/999999/retry", "/admin/settings/webhooks/99999999999999999999/rotate"):
        r = await post(client, path, {}, page="/admin/settings/webhooks")
        assert r.status_code == 404, path
    async with engine.read():
        assert await WebhookEndpoint.count().where(WebhookEndpoint.merchant == merchants["yamakaze"][0].id) == 0
        assert (await WebhookEndpoint.select(WebhookEndpoint.active).where(WebhookEndpoint.id == acme_endpoint).first())[
            "active"] is True


async def test_api_keys_work_until_revoked(client, merchants, clock):
    await signed_in(client, clock)
    r = await post(client, "/admin/settings/api-keys?lang=en", {"label": "Online shop <main>"})
    assert r.status_code == 201 and "Online shop &lt;main&gt;" in r.text
    key = re.search(r'class="admin-secret">([^<]+)<', r.text).group(1)
    ok = await client.get("/api/v1/orders/jp-1001/links", headers=bearer(key))
    assert ok.status_code in (200, 404) and ok.status_code != 401
    listing = await client.get("/admin/settings/api-keys")
    assert key not in listing.text and key[:8] in listing.text
    async with engine.read():
        row = await ApiKey.select(ApiKey.id).where(ApiKey.label == "Online shop <main>").first()
    revoked = await post(client, f"/admin/settings/api-keys/{row['id']}/revoke", {}, page="/admin/settings/api-keys")
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/orders/jp-1001/links", headers=bearer(key))).status_code == 401
    empty = await post(client, "/admin/settings/api-keys?lang=en", {"label": "  "})
    assert empty.status_code == 422 and error_of(empty, "label").startswith("Name the key")


async def test_another_merchants_api_key_cannot_be_revoked(client, merchants, clock):
    acme_key = merchants["acme"][1]
    async with engine.read():
        acme_key_id = (await ApiKey.select(ApiKey.id).where(ApiKey.merchant == merchants["acme"][0].id).first())["id"]
    await signed_in(client, clock)
    r = await post(client, f"/admin/settings/api-keys/{acme_key_id}/revoke", {}, page="/admin/settings/api-keys")
    assert r.status_code == 404
    assert (await client.get("/api/v1/orders/us-1040/links", headers=bearer(acme_key))).status_code != 401


async def test_api_errors_carry_a_stable_code_beside_the_english(client, merchants):
    """PUT /api/v1/merchant: every error is {"field", "code", "message"}; the English is the API's own."""
    key = merchants["acme"][1]
    body = {"name": "Acme", "currency": "USD", "locale": "en-US", "timezone": "Mars/Olympus",
            "prices_include_tax": False, "support": {"phone": "x" * 41}, "brand": {"font": "comic", "primary_color": "#FFFF00"}}
    r = await client.put("/api/v1/merchant", json=body, headers=bearer(key))
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert all(set(e) == {"field", "code", "message"} for e in errors.values())
    assert errors["timezone"] == {"field": "timezone", "code": "validation.not_timezone",
                                  "message": "must be an IANA time zone such as Asia/Tokyo"}
    assert errors["support.phone"]["code"] == "validation.too_long"
    assert errors["support.phone"]["message"] == "must be at most 40 characters"
    assert errors["brand.font"]["code"] == "validation.not_choice"
    assert errors["brand.primary_color"]["code"] == "brand.low_contrast"


async def test_home_pickup_settings_are_what_the_booking_offers(client, merchants, clock):
    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    shown = await client.get("/admin/settings/policy?lang=en")
    assert "Home pickup" in shown.text and "14:00-16:00" in shown.text
    base = [("return_window_days", "30"), ("cancel_window_hours", "1"), ("return_ship_within_days", "14"),
            ("store_credit_bonus_percent", "10"), ("keep_item_under", "0"), ("hp_carrier", "sagawa"),
            ("hp_min_days", "2"), ("hp_max_days", "10"), ("hp_cutoff", "16:00"),
            ("hp_weekdays", "0"), ("hp_weekdays", "2"), ("hp_weekdays", "4")]
    bad = await post(client, "/admin/settings/policy?lang=en", [*base, ("hp_slots", "9-12\n<b>")])
    assert bad.status_code == 422 and error_of(bad, "hp_slots") == "This home pickup setting is not valid."
    r = await post(client, "/admin/settings/policy?lang=en", [*base, ("hp_slots", "09:00-12:00\n12:00–14:00")])
    assert r.status_code == 303, r.text[:300]
    policy = (await merchant_row(merchant.id)).policy
    assert policy["home_pickup"] == {"carrier": "sagawa", "slots": ["09:00-12:00", "12:00-14:00"],
                                     "weekdays": [0, 2, 4], "min_days": 2, "max_days": 10, "cutoff": "16:00",
                                     "cutoff_days_before": 1}
    # the cut-off's day count is not on the form (the API sets it): saving the form keeps it
    async with engine.write():
        await Merchant.update({Merchant.policy: {**policy, "home_pickup": {**policy["home_pickup"],
                                                                            "cutoff_days_before": 3}}}).where(
            Merchant.id == merchant.id)
    r = await post(client, "/admin/settings/policy?lang=en", [*base, ("hp_slots", "09:00-12:00")])
    assert r.status_code == 303, r.text[:300]
    assert (await merchant_row(merchant.id)).policy["home_pickup"]["cutoff_days_before"] == 3
