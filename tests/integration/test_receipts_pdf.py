"""Receipts as a shopper gets them: the PDF's text (pdftotext), its fonts (pdffonts), the HTML
view, the 領収書 form with reissue marking, caching, and the usual bad-token/CSRF/hostile cases."""

from __future__ import annotations

import asyncio
import copy

from orderhub.db import engine
from orderhub.db.documents.tables import CachedDocument, Receipt, ReceiptIssue
from tests.conftest import bearer, fixture
from tests.documents_support import csrf, pdf_fonts, pdf_text


def squash(text: str) -> str:
    return " ".join(text.split())


async def test_japanese_qualified_simplified_invoice(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert "no-store" in r.headers["cache-control"]
    text = squash(pdf_text(r.content))
    assert "領収書" in text and "適格簡易請求書" in text
    assert "山風アウトドア" in text
    assert "登録番号: T9234567890123" in text
    assert "取引年月日" in text and "2026年11月16日" in text
    assert "領収書番号 R-000001" in text.replace("領収書番号 ", "領収書番号 ") or "R-000001" in text
    # reduced-rate item marked, legend present
    assert "行動食バー 12本セット ※" in text
    assert "※印は軽減税率（8%）対象商品です。" in text
    # totals per rate (tax included) and the tax of each rate, rounded once per rate
    assert "10%対象 ¥15,400 ¥1,400" in text
    assert "8%対象 ※ ¥2,160 ¥160" in text
    assert "合計 （税込） ¥17,560" in text
    assert "Visa •••• 4242" in text
    assert "再発行" not in text


async def test_cjk_font_is_embedded_with_no_missing_glyphs(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    fonts = pdf_fonts(r.content)
    assert fonts, "no fonts in the PDF"
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    assert all("Noto-Sans-CJK-JP" in f["name"] for f in fonts), fonts
    text = pdf_text(r.content)
    assert "\ufffd" not in text and ".notdef" not in text


async def test_us_receipt_with_tax_added_in_english(client, orders):
    r = await client.get(f"/o/{orders['us_ship'].token}/receipt.pdf")
    assert r.status_code == 200
    text = squash(pdf_text(r.content))
    assert "Receipt" in text and "Acme Outfitters" in text and "1042" in text
    assert "Nov 12, 2026" in text
    assert "Subtotal $150.00" in text
    assert "Discount (TRAIL10) −$15.00" in text
    assert "Shipping $7.95" in text
    assert "Tax $12.69" in text and "Total $155.64" in text
    assert "8.875% items $142.95 $12.69" in text
    assert "Mastercard •••• 5100" in text
    assert "Registration number" not in text and "※" not in text


async def test_language_of_the_document_follows_the_shopper(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf?lang=en")
    text = squash(pdf_text(r.content))
    assert "Qualified simplified invoice" in text and "Registration number: T9234567890123" in text
    assert "※ marks items at the reduced tax rate (8%)." in text


async def test_second_download_comes_from_the_cache(client, orders, merchants):
    token = orders["jp_ship"].token
    first = await client.get(f"/o/{token}/receipt.pdf")
    second = await client.get(f"/o/{token}/receipt.pdf")
    assert first.content == second.content
    async with engine.read():
        assert await CachedDocument.count() == 1
    # a brand change (merchant version) makes a new document
    merchant, key, _ = merchants["yamakaze"]
    settings = {k: v for k, v in fixture("merchants.json")[0].items() if k != "slug"}
    settings["brand"] = {**settings["brand"], "primary_color": "#123456"}
    r = await client.put("/api/v1/merchant", json=settings, headers=bearer(key))
    assert r.status_code == 200, r.text
    third = await client.get(f"/o/{token}/receipt.pdf")
    assert third.status_code == 200
    async with engine.read():
        assert await CachedDocument.count() == 2
    # the receipt number stays the same
    assert "R-000001" in pdf_text(third.content)


async def test_html_view_shows_the_same_receipt(client, orders):
    r = await client.get(f"/o/{orders['jp_ship'].token}/receipt")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="ja">' in html
    assert "適格簡易請求書" in html and "T9234567890123" in html and "R-000001" in html
    assert "¥15,400" in html and "¥1,400" in html and "※" in html
    assert "/static/css/print.css" in html and "asset:" not in html
    assert "宛名入りの領収書" in html and 'name="_csrf_token"' in html
    us = await client.get(f"/o/{orders['us_ship'].token}/receipt")
    assert us.status_code == 200 and "$155.64" in us.text and "宛名" not in us.text and "addressee" not in us.text.lower()


async def test_formal_receipt_issued_once_then_reissued(client, orders):
    token = orders["jp_ship"].token
    page = await client.get(f"/o/{token}/receipt")
    token_csrf = csrf(page.text)
    # no CSRF -> 403
    r = await client.post(f"/o/{token}/receipt", data={"addressee": "株式会社テスト", "purpose": "備品代として"},
                          headers={"x-csrftoken": ""})
    assert r.status_code == 403
    # missing addressee -> 422 with the message next to the field
    r = await client.post(f"/o/{token}/receipt", data={"_csrf_token": token_csrf, "addressee": "  "})
    assert r.status_code == 422
    assert "宛名を入力してください。" in r.text and 'aria-invalid="true"' in r.text
    # the original
    r = await client.post(f"/o/{token}/receipt",
                          data={"_csrf_token": token_csrf, "addressee": "株式会社テスト", "purpose": "備品代として"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    text = squash(pdf_text(r.content))
    assert "株式会社テスト 様" in text and "但し 備品代として" in text and "¥17,560-" in text
    assert "再発行" not in text
    # every later download is marked 再発行, with the same addressee
    again = squash(pdf_text((await client.get(f"/o/{token}/receipt.pdf")).content))
    assert "再発行" in again and "株式会社テスト 様" in again and "R-000001" in again
    # the addressee can't be changed
    r = await client.post(f"/o/{token}/receipt",
                          data={"_csrf_token": token_csrf, "addressee": "別の宛名", "purpose": "x"})
    assert r.status_code == 409
    page = await client.get(f"/o/{token}/receipt")
    assert "株式会社テスト 様宛て" in page.text and 'name="addressee"' not in page.text
    async with engine.read():
        log = await ReceiptIssue.select(ReceiptIssue.kind).order_by(ReceiptIssue.id)
        receipt = await Receipt.objects().first()
    assert [row["kind"] for row in log] == ["issue", "reissue"]
    assert receipt.addressee == "株式会社テスト" and receipt.formal


async def test_hostile_and_oversized_addressee(client, orders):
    token = orders["jp_ship"].token
    token_csrf = csrf((await client.get(f"/o/{token}/receipt")).text)
    r = await client.post(f"/o/{token}/receipt", data={"_csrf_token": token_csrf, "addressee": "あ" * 5000})
    assert r.status_code in (413, 422)
    if r.status_code == 422:
        assert "60文字以内で入力してください。" in r.text
    r = await client.post(f"/o/{token}/receipt", data={"_csrf_token": token_csrf, "addressee": "a\u202eb"})
    assert r.status_code == 422
    hostile = '<img src="http://127.0.0.1/x">"><script>alert(1)</script>'[:60]
    r = await client.post(f"/o/{token}/receipt", data={"_csrf_token": token_csrf, "addressee": hostile})
    assert r.status_code == 200
    assert "<script>alert(1)</scrip" in pdf_text(r.content)  # printed as text, not markup
    page = await client.get(f"/o/{token}/receipt")
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


async def test_bad_tokens_get_the_same_404(client, orders):
    for path in ("/o/not-a-token/receipt.pdf", "/o/not-a-token/receipt",
                 f"/o/{orders['jp_ship'].token[:-2]}xx/receipt.pdf"):
        r = await client.get(path)
        assert r.status_code == 404
        assert "application/pdf" not in r.headers.get("content-type", "")
    r = await client.post("/o/not-a-token/receipt", data={"addressee": "x"})
    assert r.status_code in (403, 404)


async def test_merchant_text_is_escaped(client, orders, merchants):
    merchant, key, _ = merchants["acme"]
    settings = {k: v for k, v in fixture("merchants.json")[1].items() if k != "slug"}
    settings["name"] = 'Acme <b>Bold</b> <link rel="attachment" href="file:///etc/passwd">'
    r = await client.put("/api/v1/merchant", json=settings, headers=bearer(key))
    assert r.status_code == 200, r.text
    page = await client.get(f"/o/{orders['us_ship'].token}/receipt")
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page.text and "<b>Bold</b>" not in page.text
    pdf = (await client.get(f"/o/{orders['us_ship'].token}/receipt.pdf")).content
    assert "<b>Bold</b>" in pdf_text(pdf)
    assert b"/EmbeddedFile" not in pdf and b"root:" not in pdf


async def test_receipt_numbers_have_no_gaps_under_parallel_requests(client, orders, merchants, settings, clock):
    from orderhub.db.orders import services as order_services

    merchant = merchants["yamakaze"][0]
    body = fixture("orders/jp_ship.json")
    tokens = [orders["jp_ship"].token, orders["jp_pickup"].token]
    for i in range(10):
        b = copy.deepcopy(body)
        b["number"] = f"YK-9{i:05d}"
        ref = await order_services.upsert_order(merchant, f"par-{i}", b, token_key=settings.key_for("hub-token"),
                                                now=clock())
        tokens.append(ref.token)
    # every order twice, all at once: one number per order, 1..12 without gaps
    results = await asyncio.gather(*(client.get(f"/o/{t}/receipt") for t in tokens + tokens))
    assert all(r.status_code == 200 for r in results), [r.status_code for r in results]
    async with engine.read():
        rows = await Receipt.select(Receipt.number, Receipt.order).where(Receipt.merchant == merchant.id)
    assert sorted(r["number"] for r in rows) == list(range(1, 13))
    assert len({r["order"] for r in rows}) == 12
    # the other merchant starts at 1
    us = await client.get(f"/o/{orders['us_ship'].token}/receipt")
    assert "R-000001" in us.text


async def test_cancelled_order_has_no_receipt(client, orders, merchants):
    from orderhub.db.orders.tables import Order

    async with engine.write():
        await Order.update({Order.fulfillment_status: "cancelled"}).where(Order.id == orders["jp_ship"].id)
    r = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    assert r.status_code == 409
    assert "キャンセル" in r.text
