"""Every text in the page's language (issue 17 item 3): the shop's own words per language through the
API, pages and emails, a visible fallback, addresses per locale, and badges per request."""

from __future__ import annotations

import html
import re

from orderhub.emails.render import render
from tests import pickup_support as staff
from tests.conftest import bearer, fixture

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
BADGE = re.compile(r'class="badge badge--\w+"(?: data-status="\w+")?>([^<]*)<')


def shibuya(**extra) -> dict:
    body = fixture("stores.json")["yamakaze"][0]
    return {**body, **extra}


async def pickup_page(client, orders, lang: str) -> str:
    r = await client.get(f"/o/{orders['jp_pickup'].token}/pickup?lang={lang}")
    assert r.status_code == 200
    return r.text


async def test_store_texts_per_language_through_the_api(client, merchants, orders):
    key = merchants["yamakaze"][1]
    r = await client.put("/api/v1/stores/shibuya", headers=bearer(key), json=shibuya(
        name_en="Yamakaze Shibuya", pickup_instructions_en="Ask at the counter by the entrance.",
        what_to_bring_en=["Photo ID"], hours_note_en="Closed on Dec 31.", hours_note="12/31は休業",
        curbside={**shibuya()["curbside"], "instructions_en": "Park behind the store."}))
    assert r.status_code == 200, r.text
    assert r.json()["texts"]["name"] == {"ja": "山風アウトドア 渋谷店", "en": "Yamakaze Shibuya"}
    await staff.make_ready(client, key)
    en, ja = await pickup_page(client, orders, "en"), await pickup_page(client, orders, "ja")
    assert "Yamakaze Shibuya" in en and "Ask at the counter by the entrance." in en and "Photo ID" in en
    assert "Closed on Dec 31." in en
    assert "1階レジ横" not in en and "ご本人確認書類" not in en and "12/31は休業" not in en
    assert "山風アウトドア 渋谷店" in ja and "1階レジ横" in ja and "ご本人確認書類" in ja and "12/31は休業" in ja
    assert "Photo ID" not in ja and "Japanese only" not in en and "日本語のみ" not in ja


async def test_a_missing_text_falls_back_visibly(client, merchants, orders):
    key = merchants["yamakaze"][1]
    r = await client.put("/api/v1/stores/shibuya", headers=bearer(key), json=shibuya(name_en="Yamakaze Shibuya"))
    assert r.status_code == 200, r.text
    await staff.make_ready(client, key)
    en = await pickup_page(client, orders, "en")
    # the Japanese instructions, marked as Japanese, with a note; never passed off as English
    assert ('<p lang="ja">1階レジ横の「店舗受取カウンター」へお越しください。 <small class="fallback-note" lang="en">'
            "(Japanese only)</small></p>") in en
    assert '<ul lang="ja"><li>受取用QRコード（この画面）</li><li>ご本人確認書類 <small class="fallback-note" lang="en">' in en
    # and the other way: an English-only text on a Japanese page
    await client.put("/api/v1/stores/shibuya", headers=bearer(key), json=shibuya(
        pickup_instructions="", pickup_instructions_en="Use the side door."))
    ja = await pickup_page(client, orders, "ja")
    assert '<p lang="en">Use the side door. <small class="fallback-note" lang="ja">（英語のみ）</small></p>' in ja


async def test_the_api_refuses_bad_texts_with_422_and_stores_nothing(client, merchants, orders):
    key = merchants["yamakaze"][1]
    for extra, field in (({"name_en": "x" * 201}, "name_en"),
                         ({"pickup_instructions_en": {"en": "nested"}}, "pickup_instructions_en"),
                         ({"what_to_bring_en": "Photo ID"}, "what_to_bring_en"),
                         ({"what_to_bring_en": ["ok", "y" * 201]}, "what_to_bring_en[1]"),
                         ({"hours_note_en": "bell\x07"}, "hours_note_en"),
                         ({"curbside": {"enabled": True, "instructions_en": 5}}, "curbside.instructions_en")):
        r = await client.put("/api/v1/stores/shibuya", headers=bearer(key), json=shibuya(**extra))
        assert r.status_code == 422, (extra, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (field, r.json())
    r = await client.put("/api/v1/products/trail-runner", headers=bearer(key),
                         json={**fixture("catalog/yamakaze_products.json")[0], "title_en": "t" * 301})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "title_en"
    r = await client.put("/api/v1/merchant", headers=bearer(key),
                         json={**{k: v for k, v in fixture("merchants.json")[0].items() if k != "slug"},
                               "name_en": ["not", "text"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name_en"
    await staff.make_ready(client, key)
    assert "Your pickup QR code (this screen)" in await pickup_page(client, orders, "en")  # unchanged


async def test_hostile_texts_are_shown_as_text(client, merchants, orders):
    key = merchants["yamakaze"][1]
    r = await client.put("/api/v1/stores/shibuya", headers=bearer(key), json=shibuya(
        pickup_instructions_en='<script>alert(1)</script><img src=x onerror="x">'))
    assert r.status_code == 200
    await staff.make_ready(client, key)
    en = await pickup_page(client, orders, "en")
    assert "<script>alert(1)" not in en and "&lt;script&gt;alert(1)&lt;/script&gt;" in en and "<img src=x" not in en


async def test_merchant_and_product_texts_through_the_api(client, merchants, orders):
    key = merchants["yamakaze"][1]
    body = {k: v for k, v in fixture("merchants.json")[0].items() if k != "slug"}
    r = await client.put("/api/v1/merchant", headers=bearer(key), json={**body, "name_en": "Mountain Wind"})
    assert r.status_code == 200 and r.json()["texts"]["name"] == {"ja": "山風アウトドア", "en": "Mountain Wind"}
    hub_en = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    hub_ja = await client.get(f"/o/{orders['jp_ship'].token}?lang=ja")
    assert "· Mountain Wind</title>" in hub_en.text and "· 山風アウトドア</title>" in hub_ja.text
    product = fixture("catalog/yamakaze_products.json")[1]
    r = await client.put(f"/api/v1/products/{product['id']}", headers=bearer(key), json={
        **product, "title_en": "Merino Socks",
        "variants": [{**v, "option_en": v["option"].replace("グレー", "Grey")} for v in product["variants"]]})
    assert r.status_code == 200
    assert r.json()["texts"]["title"] == {"ja": "メリノウール ソックス", "en": "Merino Socks"}
    assert r.json()["texts"]["options"]["SOCK-M-GRY"]["en"] == "M / Grey"


async def test_addresses_in_the_order_of_the_page_language(client, merchants, orders):
    key = merchants["yamakaze"][1]
    await staff.make_ready(client, key)
    en = await pickup_page(client, orders, "en")
    ja = await pickup_page(client, orders, "ja")
    assert '<address class="pickup__address">宇田川町 10-1<br>渋谷区, Tokyo 150-0042</address>' in en
    assert '<address class="pickup__address">〒150-0042<br>東京都渋谷区宇田川町 10-1</address>' in ja
    hub = await client.get(f"/o/{orders['jp_pickup'].token}?lang=en")
    assert "東京都渋谷区, 東京都" not in hub.text and "宇田川町 10-1, 渋谷区, Tokyo 150-0042" in hub.text


async def test_english_pickup_email_has_no_japanese_instructions(client, merchants, orders, settings, clock):
    await staff.make_ready(client, merchants["yamakaze"][1])
    order_id = orders["jp_pickup"].id
    en = await render("pickup_ready", "pickup.ready", {}, order_id, "en", settings, now=clock())
    ja = await render("pickup_ready", "pickup.ready", {}, order_id, "ja", settings, now=clock())
    assert en is not None and ja is not None
    for body in (en.text, en.html):
        assert "Photo ID" in body and "ground floor" in body and "Yamakaze Outdoor Shibuya" in body
        assert "ご本人確認書類" not in body and "1階レジ横" not in body and "お越しください" not in body
    assert "Tokyo 150-0042" in en.text and "東京都" not in en.text
    assert "ご本人確認書類" in ja.text and "Photo ID" not in ja.text and "〒150-0042 東京都渋谷区" in ja.text


async def test_badges_follow_each_request_language(client, merchants, orders):
    """en, ja, en, ja in one process: every badge in the request's own language."""
    from tests.feedback_support import deliver

    await deliver(client, merchants["acme"][1], "us_ship")
    url = f"/o/{orders['us_ship'].token}"
    seen = []
    for lang in ("en", "ja", "en", "ja"):
        for path in ("", "/tracking"):
            r = await client.get(f"{url}{path}?lang={lang}")
            badges = BADGE.findall(r.text)
            assert badges, (lang, path)
            seen.append((lang, path, badges))
            for label in badges:
                assert bool(JAPANESE.search(label)) == (lang == "ja"), (lang, path, badges)
    assert seen[0] == seen[4] and seen[2] == seen[6]


async def test_product_names_in_the_page_language(client, merchants, orders, settings, clock):
    """The catalog's English title and variant stand in for the order line's Japanese ones on an
    English page, the email and the receipt; a Japanese page keeps the line as bought."""
    token = orders["jp_pickup"].token
    en = (await client.get(f"/o/{token}?lang=en")).text
    ja = (await client.get(f"/o/{token}?lang=ja")).text
    assert "Trail Runner GTX" in en and "26.5cm / Blue" in en and "トレイルランナー" not in en
    # the status line and the next steps name the store and what to bring in English too
    assert "Bring: Your pickup QR code (this screen), Photo ID" in en and "受取用QRコード" not in en
    assert "Pick it up at Yamakaze Outdoor Shibuya" in en and "山風アウトドア 渋谷店" not in en
    crosssells = (await client.get(f"/o/{token}/cross-sells?lang=en")).text
    assert "Merino Wool Socks" in crosssells and "メリノ" not in crosssells
    assert "トレイルランナー GTX" in ja and "26.5cm / ブルー" in ja and "Trail Runner" not in ja
    receipt = (await client.get(f"/o/{token}/receipt?lang=en")).text
    assert "Trail Runner GTX" in receipt and "トレイルランナー" not in receipt
    await staff.make_ready(client, merchants["yamakaze"][1])
    mail = await render("pickup_ready", "pickup.ready", {}, orders["jp_pickup"].id, "en", settings, now=clock())
    assert mail is not None and "トレイルランナー" not in mail.text


async def test_the_admin_edits_both_languages(client, merchants, orders, clock):
    from tests.admin_ops_support import signed_in
    from tests.integration.test_admin_settings import STORE_FORM, error_of, post, store_row

    await signed_in(client, clock)
    merchant = merchants["yamakaze"][0]
    form = await client.get("/admin/settings/stores/shibuya?lang=en")
    assert 'name="name_en"' in form.text and 'value="Yamakaze Outdoor Shibuya"' in form.text
    assert "Photo ID" in form.text and 'name="hours_note"' in form.text
    english = {"name_en": "Yamakaze Shibuya", "pickup_instructions_en": "2nd floor counter",
               "what_to_bring_en": "QR code\n\nPhoto ID", "curbside_instructions_en": "Back door",
               "hours_note": "元日は休業", "hours_note_en": "Closed on New Year's Day"}
    r = await post(client, "/admin/settings/stores/shibuya?lang=en", {**STORE_FORM, **english})
    assert r.status_code == 303, r.text[:300]
    row = await store_row(merchant.id, "shibuya")
    assert row["texts"]["name"] == {"ja": "山風アウトドア 渋谷店", "en": "Yamakaze Shibuya"}
    assert row["texts"]["what_to_bring"] == {"ja": ["受取用QRコード", "ご本人確認書類"], "en": ["QR code", "Photo ID"]}
    assert row["texts"]["hours_note"] == {"ja": "元日は休業", "en": "Closed on New Year's Day"}
    await staff.make_ready(client, merchants["yamakaze"][1])
    en = html.unescape(await pickup_page(client, orders, "en"))
    assert "2nd floor counter" in en and "Back door" in en and "Closed on New Year's Day" in en
    # an oversized English name: the error stands next to its field, nothing is stored
    bad = await post(client, "/admin/settings/stores/shibuya?lang=en", {**STORE_FORM, **english, "name_en": "n" * 201})
    assert bad.status_code == 422 and error_of(bad, "name_en")
    assert (await store_row(merchant.id, "shibuya"))["texts"] == row["texts"]
    # no CSRF token: refused
    refused = await client.post("/admin/settings/stores/shibuya", data={**STORE_FORM, **english})
    assert refused.status_code == 403


async def test_item_names_on_tracking_returns_and_feedback(client, merchants, orders):
    from tests.feedback_support import deliver

    await deliver(client, merchants["yamakaze"][1], "jp_ship")
    token = orders["jp_ship"].token
    for path in ("/tracking", "/returns", "/returns/new/items", "/returns/claims/new", "/feedback", "/feedback/reviews/L1"):
        en = (await client.get(f"/o/{token}{path}?lang=en")).text
        ja = (await client.get(f"/o/{token}{path}?lang=ja")).text
        assert "Trail Runner GTX" in en and "トレイルランナー" not in en, path
        assert "トレイルランナー GTX" in ja and "Trail Runner" not in ja, path


async def test_item_names_on_a_return_and_a_claim_in_the_page_language(client, merchants, orders, clock):
    """The return's page and the claim's page, the shopper's and the merchant admin's, name the items as
    the hub does: the catalog's English words on an English page, the line as bought on a Japanese one."""
    from tests.integration.test_returns_claims import _form
    from tests.returns_support import walk

    base = f"/o/{orders['jp_ship'].token}/returns"
    r, *_ = await walk(client, base, items={"L1": 1}, reason="changed_mind")
    assert r.status_code == 303, r.text[:300]
    token, idem = await _form(client, base)
    claim = await client.post(base + "/claims/new", data={"_csrf_token": token, "idempotency_key": idem,
                                                          "kind": "missing", "qty_L3": "1", "description": "x"})
    assert claim.status_code == 303, claim.text[:300]
    for path, english, japanese in ((r.headers["location"], "Trail Runner GTX", "トレイルランナー GTX"),
                                    (claim.headers["location"], "Merino Wool Socks", "メリノウール ソックス")):
        en = (await client.get(f"{path}?lang=en")).text
        ja = (await client.get(f"{path}?lang=ja")).text
        assert english in en and japanese not in en, path
        assert japanese in ja and english not in ja, path
    assert "26.5cm / Blue" in (await client.get(f"{r.headers['location']}?lang=en")).text
    # the merchant's admin in English names them the same way
    from tests.admin_ops_support import signed_in

    await signed_in(client, clock)
    rid, cid = r.headers["location"].rsplit("/", 1)[1], claim.headers["location"].rsplit("/", 1)[1]
    for path, english, japanese in ((f"/admin/returns/{rid}", "Trail Runner GTX", "トレイルランナー GTX"),
                                    (f"/admin/claims/{cid}", "Merino Wool Socks", "メリノウール ソックス"),
                                    ("/admin/returns", "Trail Runner GTX", "トレイルランナー GTX"),
                                    ("/admin/claims", "Merino Wool Socks", "メリノウール ソックス")):
        en = (await client.get(f"{path}?lang=en")).text
        ja = (await client.get(f"{path}?lang=ja")).text
        assert english in en and japanese not in en, path
        assert japanese in ja and english not in ja, path
    # and so does the queue's row the admin's move sends back in place
    from tests.admin_ops_support import HTMX, csrf_of

    headers = {**HTMX, "x-csrftoken": csrf_of((await client.get("/admin/returns?lang=en")).text)}
    row = await client.post(f"/admin/returns/{rid}/approve?lang=en", data={"note": ""}, headers=headers)
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="return-{rid}"'), row.text[:300]
    assert "Trail Runner GTX" in row.text and "トレイルランナー" not in row.text


async def test_item_names_on_the_return_review_step_in_the_page_language(client, merchants, orders):
    from tests.returns_support import fulfil, step

    await fulfil(orders["jp_ship"].id)
    base = f"/o/{orders['jp_ship'].token}/returns"
    for name, data in (("items", {"qty_L1": "1"}), ("reason", {"reason": "changed_mind"}),
                       ("resolution", {"resolution": "refund"}), ("method", {"method": "drop_off"})):
        assert (await step(client, base, name, data)).status_code in (200, 303)
    en = (await client.get(f"{base}/new/review?lang=en")).text
    ja = (await client.get(f"{base}/new/review?lang=ja")).text
    assert "Check your return" in en and "Trail Runner GTX" in en and "トレイルランナー" not in en
    assert "トレイルランナー GTX" in ja and "Trail Runner" not in ja
