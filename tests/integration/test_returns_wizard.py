"""The returns wizard end to end through the test client, with and without htmx."""

from __future__ import annotations

import re

import pytest

from tests.returns_support import CSRF, HTMX, csrf, fulfil, png, step, walk


@pytest.fixture(autouse=True)
async def _delivered(orders):
    """The shopper's parcels arrived: every unit of the ship orders was fulfilled."""
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)


async def test_wizard_without_js_creates_a_return_with_exact_refund(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    page = await client.get(base + "?lang=en")
    assert page.status_code == 200
    assert "Start a return" in page.text and "Final sale: not returnable" in page.text

    r = await step(client, base, "items", {"qty_L1": "1"})
    assert r.status_code == 303 and r.headers["location"].endswith("/returns/new/reason")
    r = await step(client, base, "reason", {"reason": "too_small", "comment": "<b>tight</b>"})
    assert r.status_code == 303 and r.headers["location"].endswith("/new/resolution")
    r = await step(client, base, "resolution", {"resolution": "store_credit"})
    assert r.status_code == 303 and r.headers["location"].endswith("/new/method")
    r = await step(client, base, "method", {"method": "mail"})
    assert r.status_code == 303 and r.headers["location"].endswith("/new/review")
    review = await client.get(base + "/new/review?lang=en")
    # store credit waives the mail fee and adds the 10 % bonus: 13,200 + 1,320
    assert "¥13,200" in review.text and "¥1,320" in review.text and "¥14,520" in review.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)
    token = CSRF.search(review.text).group(1)
    r = await client.post(base + "/new/submit", data={"_csrf_token": token, "idempotency_key": key})
    assert r.status_code == 303
    detail = await client.get(r.headers["location"] + "?lang=en")
    assert detail.status_code == 200
    assert "RMA-" in detail.text and "Return slip" in detail.text and "&lt;b&gt;tight&lt;/b&gt;" in detail.text
    assert "Approved" in detail.text  # automatic approval for an ordinary reason
    # the same submit again (double click, back button): still one return
    again = await client.post(base + "/new/submit", data={"_csrf_token": token, "idempotency_key": key})
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]
    overview = await client.get(base + "?lang=en")
    assert overview.text.count("RMA-") == 1


async def test_wizard_with_htmx_swaps_step_blocks_and_pushes_urls(client, orders):
    base = f"/o/{orders['us_ship'].token}/returns"
    r = await step(client, base, "items", {"qty_1": "1"}, htmx=True)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="returns-wizard"') and "<html" not in r.text
    assert r.headers["hx-push-url"].endswith("/returns/new/reason")
    assert "HX-Request" in r.headers.get("vary", "")
    r = await step(client, base, "reason", {"reason": "too_small"}, htmx=True)
    assert r.headers["hx-push-url"].endswith("/new/resolution")
    r = await step(client, base, "resolution", {"resolution": "refund"}, htmx=True)
    r = await step(client, base, "method", {"method": "mail"}, htmx=True)
    assert r.headers["hx-push-url"].endswith("/new/review")
    # $108.00 + $9.59 tax - $6.95 fee
    assert "$108.00" in r.text and "$9.59" in r.text and "-$6.95" in r.text and "$110.64" in r.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', r.text).group(1)
    token = await csrf(client, base + "/new/review")
    done = await client.post(base + "/new/submit", data={"_csrf_token": token, "idempotency_key": key}, headers=HTMX)
    assert done.status_code == 200 and 'id="returns-detail"' in done.text
    assert re.search(r"/returns/\d+$", done.headers["hx-push-url"])


async def test_step_errors_come_back_with_422_next_to_fields(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r = await step(client, base, "items", {"qty_L1": "0"})
    assert r.status_code == 422 and "商品を1点以上選んでください。" in r.text
    r = await step(client, base, "items", {"qty_L1": "5"})
    assert r.status_code == 422
    r = await step(client, base, "items", {"qty_L3": "1"}, htmx=True)  # final sale
    assert r.status_code == 422 and 'id="returns-wizard"' in r.text
    r = await step(client, base, "items", {"qty_L1": "1"})
    r = await step(client, base, "reason", {"reason": "damaged"})  # photo required for yamakaze
    assert r.status_code == 422 and 'id="f-photo-error"' in r.text
    r = await step(client, base, "reason", {"reason": "nonsense"})
    assert r.status_code == 422


async def test_later_step_without_earlier_answers_goes_back(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r = await client.get(base + "/new/review")
    assert r.status_code == 303 and r.headers["location"].endswith("/new/items")
    assert (await client.get(base + "/new/bogus")).status_code == 404


async def test_bad_token_and_missing_csrf(client, orders):
    assert (await client.get("/o/not-a-token/returns")).status_code == 404
    assert (await client.get("/o/not-a-token/returns/new/items")).status_code == 404
    base = f"/o/{orders['jp_ship'].token}/returns"
    r = await client.post(base + "/new/items", data={"qty_L1": "1"})
    assert r.status_code == 403
    r = await client.post(base + "/new/submit", data={})
    assert r.status_code == 403


async def test_another_orders_return_is_not_found(client, orders):
    r, *_ = await walk(client, f"/o/{orders['jp_ship'].token}/returns", items={"L1": 1})
    rid = r.headers["location"].rsplit("/", 1)[1]
    assert (await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}")).status_code == 404


async def test_photo_upload_is_cleaned_and_hostile_uploads_are_refused(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    # not an image
    r = await step(
        client, base, "reason", {"reason": "damaged"}, files={"photo": ("x.png", b"<svg onload=alert(1)>", "image/png")}
    )
    assert r.status_code == 422 and "f-photo-error" in r.text
    # a decompression bomb: tiny file, huge canvas
    bomb = png(size=(10000, 10000), color=(0, 0, 0))
    assert len(bomb) < 1_000_000
    r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("bomb.png", bomb, "image/png")})
    assert r.status_code == 422 and "f-photo-error" in r.text
    # too large for the upload route: refused with a clear 4xx
    huge = b"\x89PNG\r\n\x1a\n" + b"0" * (9 * 1024 * 1024)
    r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("huge.png", huge, "image/png")})
    assert r.status_code in (413, 422)
    # a real photo with GPS data: accepted, stored without metadata
    r = await step(
        client, base, "reason", {"reason": "damaged"}, files={"photo": ("p.jpg", png(exif_gps=True, fmt="JPEG"), "image/jpeg")}
    )
    assert r.status_code == 303
    from orderhub.db import engine
    from orderhub.db.returns.tables import ReturnPhoto

    async with engine.read():
        rows = await ReturnPhoto.select(ReturnPhoto.data, ReturnPhoto.content_type)
    assert len(rows) == 1 and rows[0]["content_type"] == "image/jpeg"
    data = bytes(rows[0]["data"])
    assert b"Exif" not in data and b"SpyCam" not in data


async def test_japanese_page_and_nav(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    page = await client.get(base)
    assert page.status_code == 200 and 'lang="ja"' in page.text


async def test_photo_hints_state_the_real_limits(client, orders):
    from orderhub import images
    from orderhub.db.returns import rules

    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    r = await client.get(base + "/new/reason?lang=en")
    assert f"PNG, JPEG or WebP, up to {images.MAX_MB} MB." in r.text and f'accept="{images.ACCEPT}"' in r.text
    assert f'maxlength="{rules.MAX_COMMENT}"' in r.text
    r = await client.get(base + "/claims/new?lang=en")
    assert f"Up to {rules.MAX_CLAIM_PHOTOS} pictures (PNG, JPEG or WebP, up to {images.MAX_MB} MB each)." in r.text
    r = await client.get(base + "/claims/new")
    assert f"{rules.MAX_CLAIM_PHOTOS}枚まで（PNG・JPEG・WebP、各{images.MAX_MB}MBまで）。" in r.text


async def test_refusals_are_worded_from_their_codes(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("x.png", b"not a picture", "image/png")})
    assert r.status_code == 422 and "アップロードできるのは画像（PNG、JPEG、WebP）のみです。" in r.text
    r, *_ = await walk(client, base, items={"L1": 1}, method="mail", reason="too_small")
    rid = r.headers["location"].rsplit("/", 1)[1]
    token = await csrf(client, f"{base}/{rid}")
    assert (await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})).status_code == 303
    r = await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})
    assert r.status_code == 409 and "この返品はもう変更できません。" in r.text
    r = await client.post(f"{base}/{rid}/cancel?lang=en", data={"_csrf_token": token})
    assert r.status_code == 409 and "This return can&#39;t be changed any more." in r.text
