"""Where to drop a return (issue 20, item 4): the wizard's method step and the approved return's page
list the merchant's stores and partner points with today's hours in each place's time zone, nearest
first from the shopper's postal code where bundled data knows it (else by name, and the page says so);
the merchant manages partner points in the admin (owners only, CSRF, its own points only, hostile input
kept as text); the send-by day is the same on the page, the email, the slip PDF and the API."""

from __future__ import annotations

import html
import re

import pytest

from orderhub.components import i18n
from orderhub.db import engine
from orderhub.db.returns import dropoff
from orderhub.db.returns.dropoff_tables import DropOffPoint
from orderhub.emails import content, facts
from tests.admin_ops_support import csrf, signed_in, without_csrf
from tests.conftest import bearer
from tests.documents_support import pdf_text
from tests.integration.test_admin_settings import error_of, post
from tests.returns_support import HTMX, fulfil, step, walk

POINT = {"kind": "locker", "name": "Brooklyn locker", "timezone": "America/New_York",
         "address": {"postal_code": "11201", "city": "Brooklyn", "line1": "1 Main St", "country": "US"},
         "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}], "note": "Code on the screen"}
FAMIMA = {"kind": "convenience_store", "name": "ファミリーマート 宇田川町店", "name_en": "FamilyMart Udagawa",
          "timezone": "Asia/Tokyo", "note": "レジでお渡しください",
          "address": {"postal_code": "150-0042", "city": "渋谷区", "line1": "宇田川町 3-1", "country": "JP"},
          "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}]}
FORM = {"kind": "post_office", "name": "Albany post office", "timezone": "America/New_York",
        "address_postal_code": "12207", "address_country": "US", "address_city": "Albany",
        "address_line1": "1 State St", "address_region": "NY", "address_line2": "", "hours": "mon-fri 09:00-17:00",
        "note": "Counter 2", "name_ja": "", "note_ja": ""}


def words(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def block(page) -> str:
    found = re.search(r'<section class="card dropoff".*?</section>', page.text, re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))) if found else ""


async def _to_method(client, token: str, items: dict) -> str:
    base = f"/o/{token}/returns"
    await fulfil(token=token)
    for name, data in (("items", {f"qty_{k}": str(v) for k, v in items.items()}), ("reason", {"reason": "too_small"}),
                       ("resolution", {"resolution": "refund"})):
        assert (await step(client, base, name, data)).status_code == 303
    return f"{base}/new/method"


async def test_method_step_lists_stores_and_points_nearest_first(client, orders, merchants, clock):
    acme = merchants["acme"][0]
    await dropoff.add_point(acme.id, POINT, now=clock())
    url = await _to_method(client, orders["us_ship"].token, {"1": 1})
    page = await client.get(f"{url}?lang=en")
    assert page.status_code == 200
    listed = block(page)
    # the Soho store (10012) is nearer to the delivery address (10013) than the Brooklyn locker
    assert listed.index("SoHo") < listed.index("Brooklyn locker")
    assert "Nearest first, measured from your delivery address" in listed
    assert re.search(r"SoHo.*Our store \d\.\d mi", listed) and "Parcel locker" in listed
    # 22:00 on a Saturday in New York: Soho (mon-sat 10-20) is closed, the locker open
    assert re.search(r"SoHo.*Today 10:00–20:00 · Closed now.*Brooklyn locker.*Today 00:00–23:59 · Open now", listed)
    assert "Code on the screen" in listed and "America/New_York" in listed
    # the delivery address's postal code is a lookup factor: never shown back
    assert "10013" not in without_csrf(page.text)
    # a typed postal code far away: the locker is nearer now
    far = block(await client.get(f"{url}?lang=en&postal=11215"))
    assert far.index("Brooklyn locker") < far.index("SoHo") and "measured from postal code 11215" in far
    # Japanese page: the same list in Japanese, distances in its units
    ja = block(await client.get(f"{url}?lang=ja"))
    assert "お届け先の住所から近い順" in ja and "宅配ロッカー" in ja and "当店" in ja


async def test_distance_unknown_is_said_and_names_order_the_list(client, orders, merchants, clock):
    yamakaze = merchants["yamakaze"][0]
    await dropoff.add_point(yamakaze.id, FAMIMA, now=clock())
    url = await _to_method(client, orders["jp_ship"].token, {"L1": 1})
    ja = await client.get(f"{url}?lang=ja")
    listed = block(ja)
    assert "距離がわからない" in listed and "名前順" in listed
    assert listed.index("ファミリーマート") < listed.index("山風アウトドア 渋谷店")  # by name
    assert "コンビニ" in listed and "営業中" in listed and "レジでお渡しください" in listed
    en = block(await client.get(f"{url}?lang=en"))
    assert "FamilyMart Udagawa" in en and "The distance is unknown for this area" in en
    # hostile or unknown postal codes: the page still answers, the text is escaped, the shopper is told
    hostile = await client.get(f"{url}?lang=en&postal=<script>alert(1)</script>")
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text
    assert "We could not find postal code" in block(hostile)
    long = await client.get(f"{url}?lang=en&postal={'9' * 5000}")
    assert long.status_code == 200


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_approved_return_page_lists_places_and_the_same_send_by_everywhere(client, orders, merchants, settings,
                                                                                clock, lang):
    acme, key = merchants["acme"][:2]
    await dropoff.add_point(acme.id, POINT, now=clock())
    token = orders["us_ship"].token
    base = f"/o/{token}/returns"
    r, review, *_ = await walk(client, base, items={"1": 1}, reason="too_small", method="drop_off")
    # approved on submit (too_small needs no review): the review already said the day
    day = {"en": "Dec 5, 2026", "ja": "2026年12月5日"}[lang]  # 22:00 on 21 November in New York, +14 days
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"{base}/{rid}?lang={lang}")
    assert page.status_code == 200
    listed = block(page)
    assert listed.index("SoHo") < listed.index("Brooklyn locker")
    assert ("Where to drop it" if lang == "en" else "返品の持ち込み先") in listed
    by = re.search(r'returns-send-by"><strong>([^<]*)<', page.text).group(1)
    assert day in html.unescape(by)
    # the API: the same day, and the same places in the same order
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["send_by"]["date"] == "2026-12-05" and api["send_by"]["timezone"] == "America/New_York"
    assert [p["name"] for p in api["drop_off_points"]] == ["Acme Outfitters SoHo", "Brooklyn locker"]
    assert api["drop_off_points"][1]["kind"] == "locker" and api["drop_off_points"][0]["distance"]["unit"] == "mile"
    # the email
    found = await facts.facts(orders["us_ship"].id, settings.key_for("hub"), return_id=rid, shipments=False,
                              pickup=False)
    with i18n.language(lang):
        said = dict(content.build("return_approved", "return.approved", {}, found, now=clock()).facts)
    assert said["Send by" if lang == "en" else "発送期限"] == day
    # the API's answer for another merchant's key: the same 404 as an unknown return
    other = merchants["yamakaze"][1]
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(other))).status_code == 404


async def test_slip_pdf_says_the_same_send_by_day(client, orders, merchants, clock):
    key = merchants["yamakaze"][1]
    token = orders["jp_ship"].token
    base = f"/o/{token}/returns"
    r, *_ = await walk(client, base, items={"L1": 1}, reason="other", method="mail")
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    # reviewed first: no list, no day on the page yet
    pending = await client.get(f"{base}/{rid}?lang=ja")
    assert "returns-dropoff" not in pending.text and "returns-send-by" not in pending.text
    clock.advance(hours=13)  # approved at 01:00 on 23 November in Tokyo
    assert (await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key))).status_code == 200
    page = await client.get(f"{base}/{rid}?lang=ja")
    assert "2026年12月7日までに発送してください" in words(page)
    # a mail return lists where a parcel can be posted: partner post offices and convenience stores only
    assert "returns-dropoff" not in page.text  # the merchant has none yet
    slip = await client.get(f"{base}/{rid}/slip.pdf")
    assert slip.status_code == 200 and "2026年12月7日" in re.sub(r"\s+", "", pdf_text(slip.content))
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["send_by"]["date"] == "2026-12-07" and api["drop_off_points"] == []


async def test_wizard_review_says_the_day_or_the_days(client, orders, clock):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await _to_method(client, orders["jp_ship"].token, {"L1": 1})
    assert (await step(client, base, "method", {"method": "drop_off"})).status_code == 303
    review = words(await client.get(f"{base}/new/review?lang=en"))
    assert "Please send it by Dec 6, 2026." in review
    assert (await step(client, base, "reason", {"reason": "other", "comment": "x"})).status_code == 303
    review = words(await client.get(f"{base}/new/review?lang=ja"))
    assert "承認後14日以内に発送してください" in review


# -- the merchant's partner points ------------------------------------------------------------------------------

async def _points(merchant_id: int) -> list[dict]:
    async with engine.read():
        return await DropOffPoint.select().output(load_json=True).where(DropOffPoint.merchant == merchant_id)


async def test_admin_adds_edits_and_removes_a_point(client, merchants, orders, clock):
    acme = merchants["acme"][0]
    await signed_in(client, clock, "acme")
    listing = await client.get("/admin/settings/drop-off-points?lang=en")
    assert listing.status_code == 200 and "No drop-off points yet" in listing.text
    assert "/admin/settings/drop-off-points" in (await client.get("/admin/settings?lang=en")).text
    r = await post(client, "/admin/settings/drop-off-points", FORM, page="/admin/settings/drop-off-points/new")
    assert r.status_code == 303, r.text[:800]
    [row] = await _points(acme.id)
    assert row["kind"] == "post_office" and row["address"]["postal_code"] == "12207"
    assert row["hours"] == [{"days": "mon-fri", "open": "09:00", "close": "17:00"}] and row["note"] == "Counter 2"
    edit_url = f"/admin/settings/drop-off-points/{row['id']}"
    r = await post(client, edit_url, {**FORM, "name": "Albany main post office", "name_ja": "オールバニ郵便局"})
    assert r.status_code == 303
    [row] = await _points(acme.id)
    assert row["name"] == "Albany main post office" and row["texts"]["name"]["ja"] == "オールバニ郵便局"
    # errors next to their fields, nothing stored
    bad = await post(client, edit_url, {**FORM, "address_postal_code": "ABCDE", "timezone": "Nowhere/Land",
                                        "hours": "someday 9-5", "kind": "bank"})
    assert bad.status_code == 422
    assert error_of(bad, "address_postal_code") and error_of(bad, "timezone") and error_of(bad, "hours")
    assert error_of(bad, "kind")
    assert (await _points(acme.id))[0]["name"] == "Albany main post office"
    # shoppers of a mail return see it
    r = await post(client, f"{edit_url}/remove", {}, page=edit_url)
    assert r.status_code == 303 and await _points(acme.id) == []


async def test_points_are_the_merchants_own_owner_only_and_csrf_protected(client, merchants, clock):
    yamakaze = merchants["yamakaze"][0]
    theirs = await dropoff.add_point(yamakaze.id, FAMIMA, now=clock())
    # not signed in: to the sign-in page
    r = await client.get("/admin/settings/drop-off-points")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    # another merchant's owner: the same 404 as an unknown point, for reading, saving and removing
    await signed_in(client, clock, "acme")
    assert (await client.get(f"/admin/settings/drop-off-points/{theirs}")).status_code == 404
    assert (await client.get("/admin/settings/drop-off-points/999999")).status_code == 404
    page = "/admin/settings/drop-off-points/new"
    assert (await post(client, f"/admin/settings/drop-off-points/{theirs}", FORM, page=page)).status_code == 404
    assert (await post(client, f"/admin/settings/drop-off-points/{theirs}/remove", {}, page=page)).status_code == 404
    assert len(await _points(yamakaze.id)) == 1
    # no CSRF token: refused, nothing stored
    r = await client.post("/admin/settings/drop-off-points", data=FORM)
    assert r.status_code == 403 and await _points(merchants["acme"][0].id) == []
    # hostile input is kept as text and shown escaped
    r = await post(client, "/admin/settings/drop-off-points", {**FORM, "name": "<img src=x onerror=alert(1)>"},
                   page=page)
    assert r.status_code == 303
    listing = await client.get("/admin/settings/drop-off-points")
    assert "<img src=x" not in listing.text and "&lt;img src=x onerror=alert(1)&gt;" in listing.text


async def test_staff_cannot_manage_points(client, merchants, clock):
    await signed_in(client, clock, "yamakaze", "staff")
    r = await client.get("/admin/settings/drop-off-points")
    assert r.status_code in (303, 403, 404)
    token = await csrf(client, "/staff")
    r = await client.post("/admin/settings/drop-off-points", data={**FORM, "_csrf_token": token})
    assert r.status_code in (303, 403, 404) and await _points(merchants["yamakaze"][0].id) == []


async def test_partial_of_the_method_step_keeps_the_list(client, orders, merchants, clock):
    url = await _to_method(client, orders["jp_ship"].token, {"L1": 1})
    r = await client.get(f"{url}?lang=en", headers=HTMX)
    assert r.status_code == 200 and "returns-dropoff" in r.text and "<html" not in r.text[:200].lower()
