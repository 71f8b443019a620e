"""The merchant's side of documents that follow money (issue 19 item 2): voiding a receipt and
reissuing it (the old number kept, marked void), the issue log searched by date, amount and
counterparty, and the registration number accepted with a warning when its check digit fails. Wrong
role, signed out, another merchant, missing CSRF and hostile input included."""

from __future__ import annotations

import html
import re

from orderhub.db import engine
from orderhub.db.documents.tables import DocumentRecord, Receipt
from orderhub.db.merchants.tables import Merchant
from orderhub.db.payments import services as payments
from tests.admin_ops_support import csrf_of, signed_in
from tests.documents_support import pdf_text


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def _issue_receipt(client, token: str) -> None:
    assert (await client.get(f"/o/{token}/receipt.pdf")).status_code == 200


async def test_void_and_reissue_keeps_the_old_number(client, orders, clock):
    token = orders["jp_ship"].token
    await _issue_receipt(client, token)
    await signed_in(client, clock)
    page = await client.get("/admin/orders/jp_ship?lang=en")
    assert "Receipt R-000001" in text(page) and "Void and reissue the receipt" in text(page)
    missing = await client.post("/admin/orders/jp_ship/receipt/void")  # no CSRF token
    assert missing.status_code == 403
    clock.advance(hours=2)
    done = await client.post("/admin/orders/jp_ship/receipt/void?lang=en",
                             data={"_csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/admin/orders/jp_ship")
    after = text(await client.get("/admin/orders/jp_ship?lang=en"))
    assert "Receipt R-000001" in after and "VOID" in after and "Receipt R-000002" in after
    async with engine.read():
        rows = await Receipt.select(Receipt.number, Receipt.voided_at).order_by(Receipt.number)
    assert [r["number"] for r in rows] == [1, 2] and rows[0]["voided_at"] is not None and rows[1]["voided_at"] is None
    # the shopper now gets the new number; the 領収書 can be taken again (addressee corrected)
    pdf = pdf_text((await client.get(f"/o/{token}/receipt.pdf")).content)
    assert "R-000002" in pdf and "R-000001" not in pdf
    ja = text(await client.get("/admin/orders/jp_ship?lang=ja"))
    assert "無効" in ja and "領収書を無効にして再発行" in ja


async def test_void_refusals(client, orders, merchants, clock):
    await signed_in(client, clock)
    page = await client.get("/admin/orders/jp_pickup?lang=en")
    assert "No receipt has been issued for this order yet." in text(page)
    assert "Void and reissue" not in text(page)
    token = csrf_of(page.text)
    nothing = await client.post("/admin/orders/jp_pickup/receipt/void?lang=en", data={"_csrf_token": token})
    assert nothing.status_code == 409 and "no receipt to void" in text(nothing)
    other = await client.post("/admin/orders/us_ship/receipt/void", data={"_csrf_token": token})
    assert other.status_code == 404  # acme's order
    hostile = await client.post("/admin/orders/%3Cscript%3E/receipt/void", data={"_csrf_token": token})
    assert hostile.status_code == 404


async def test_staff_cannot_void_or_read_the_log(client, orders, clock):
    await _issue_receipt(client, orders["jp_ship"].token)
    await signed_in(client, clock, role="staff")
    page = await client.get("/admin/orders/jp_ship?lang=en")
    assert "Void and reissue" not in text(page)
    denied = await client.post("/admin/orders/jp_ship/receipt/void", data={"_csrf_token": csrf_of(page.text)})
    assert denied.status_code == 403
    assert (await client.get("/admin/documents")).status_code == 403


async def test_signed_out_gets_the_sign_in(client, orders):
    r = await client.get("/admin/documents")
    assert r.status_code == 303 and "/admin/sign-in" in r.headers["location"]


async def test_issue_log_search_by_date_amount_and_counterparty(client, orders, clock):
    await _issue_receipt(client, orders["jp_ship"].token)       # ¥17,560, 22 Nov (Tokyo)
    clock.advance(days=3)
    await _issue_receipt(client, orders["jp_pickup"].token)
    await payments.record_refund(orders["jp_ship"].id, 2160, reason="", source="return", now=clock())
    await signed_in(client, clock)
    everything = await client.get("/admin/documents?lang=en")
    assert everything.status_code == 200
    rows = re.findall(r'data-number="([^"]+)"', everything.text)
    assert rows == ["C-000001", "R-000002", "R-000001"]  # newest first
    assert "−¥2,160" in everything.text or "-¥2,160" in everything.text

    async def numbers(query: str) -> list[str]:
        r = await client.get("/admin/documents?" + query)
        assert r.status_code == 200, r.text
        return re.findall(r'data-number="([^"]+)"', r.text)

    assert await numbers("date_from=2026-11-22&date_to=2026-11-22") == ["R-000001"]
    assert await numbers("date_from=2026-11-25") == ["C-000001", "R-000002"]
    assert await numbers("amount_min=2000&amount_max=3000") == ["C-000001"]  # a credit note by its size
    assert await numbers("amount_min=17560&amount_max=17560") == ["R-000001"]
    async with engine.read():
        name = (await DocumentRecord.select(DocumentRecord.counterparty).where(
            DocumentRecord.number_label == "R-000002").first())["counterparty"]
    assert name
    assert "R-000002" in await numbers("counterparty=" + name)
    assert await numbers("counterparty=" + name + "zz") == []
    assert await numbers("counterparty=%25") == []  # a wildcard is a character, not "everything"
    assert await numbers("counterparty=<script>alert(1)</script>") == []


async def test_issue_log_bad_filters_are_field_errors(client, orders, clock):
    await signed_in(client, clock)
    r = await client.get("/admin/documents?lang=en&date_from=yesterday&amount_max=lots")
    assert r.status_code == 422
    assert "Enter a date like 2026-12-31." in text(r) and "Enter an amount like 1200." in text(r)
    r = await client.get("/admin/documents?lang=ja&date_from=2026-12-02&date_to=2026-12-01")
    assert r.status_code == 422 and "終了日は開始日以降にしてください。" in text(r)


async def test_the_log_shows_only_this_merchants_documents(client, orders, clock):
    await _issue_receipt(client, orders["us_ship"].token)
    await signed_in(client, clock)
    assert re.findall(r'data-number="([^"]+)"', (await client.get("/admin/documents")).text) == []


async def test_registration_number_failing_the_check_digit_is_saved_with_a_warning(client, orders, clock):
    await signed_in(client, clock)
    page = await client.get("/admin/settings/invoices?lang=en")
    assert page.status_code == 200 and "T9234567890123" in page.text and 'id="invoices-warning"' not in page.text
    saved = await client.post("/admin/settings/invoices?lang=en",
                              data={"_csrf_token": csrf_of(page.text), "tax_registration_number": "T1234567890123"})
    assert saved.status_code == 303
    shown = await client.get(saved.headers["location"])
    assert 'id="invoices-warning"' in shown.text and "check digit does not match" in text(shown)
    async with engine.read():
        stored = await Merchant.select(Merchant.tax_registration_number).where(Merchant.slug == "yamakaze").first()
    assert stored["tax_registration_number"] == "T1234567890123"
    ja = await client.get("/admin/settings/invoices?lang=ja")
    assert "チェックデジット" in text(ja)
    bad = await client.post("/admin/settings/invoices?lang=en",
                            data={"_csrf_token": csrf_of(page.text), "tax_registration_number": "T12<b>"})
    assert bad.status_code == 422 and "Enter T and 13 digits" in text(bad) and "<b>" not in bad.text
    no_csrf = await client.post("/admin/settings/invoices", data={"tax_registration_number": "T1234567890123"})
    assert no_csrf.status_code == 403
