"""Credit notes for refunded returns and slips for mail returns (data from the returns area)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import bearer
from tests.documents_support import pdf_text, to_png
from tests.returns_support import walk


def _qr_modules(pdf: bytes) -> int:
    """Dark pixels in the slip's QR area (left of the return number)."""
    import io
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as d:
        png = to_png(pdf, Path(d) / "slip.png")
        img = Image.open(io.BytesIO(png.read_bytes())).convert("L")
    w, h = img.size
    box = img.crop((int(w * 0.05), int(h * 0.14), int(w * 0.30), int(h * 0.30)))
    return sum(box.histogram()[:80])


def squash(text: str) -> str:
    return " ".join(text.split())


async def _return(client, orders, name="jp_ship", items=None, **kw):
    r, *_ = await walk(client, f"/o/{orders[name].token}/returns", items=items or {"L1": 1}, **kw)
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def test_credit_note_for_a_refunded_return(client, orders, merchants, clock):
    key = merchants["yamakaze"][1]
    token = orders["jp_ship"].token
    rid = await _return(client, orders, items={"L1": 1, "L2": 2}, reason="other", method="mail")
    # not refunded yet: no credit note
    assert (await client.get(f"/o/{token}/returns/{rid}/credit-note.pdf")).status_code == 404
    # approved mail return: the slip, with its QR code
    assert (await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key))).status_code == 200
    slip = await client.get(f"/o/{token}/returns/{rid}/slip.pdf")
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    text = squash(pdf_text(slip.content))
    assert "返品伝票" in text and "トレイルランナー GTX" in text and "行動食バー 12本セット" in text
    assert "RMA-" in text and "Put this slip in the parcel" not in text
    assert _qr_modules(slip.content) > 200  # the QR code is drawn
    clock.advance(days=2)
    for action in ("receive", "refund"):
        assert (await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))).status_code == 200
    r = await client.get(f"/o/{token}/returns/{rid}/credit-note.pdf")
    assert r.status_code == 200
    text = squash(pdf_text(r.content))
    assert "返金明細書" in text and "登録番号: T9234567890123" in text
    assert "-¥13,200" in text or "−¥13,200" in text
    assert "10%対象" in text and "8%対象 ※" in text
    assert "-¥2,160" in text or "−¥2,160" in text
    # the slip is gone once the parcel arrived
    assert (await client.get(f"/o/{token}/returns/{rid}/slip.pdf")).status_code == 404


async def test_return_documents_belong_to_their_order(client, orders, merchants):
    key = merchants["acme"][1]
    rid = await _return(client, orders, "us_ship", items={"1": 1}, method="drop_off")
    for action in ("receive", "refund"):
        assert (await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))).status_code == 200
    ok = await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}/credit-note.pdf")
    assert ok.status_code == 200 and "Credit note" in pdf_text(ok.content)
    # another order's token, a bad token, an unknown return: the same 404
    for path in (f"/o/{orders['jp_ship'].token}/returns/{rid}/credit-note.pdf",
                 f"/o/not-a-token/returns/{rid}/credit-note.pdf",
                 f"/o/{orders['us_ship'].token}/returns/999999/credit-note.pdf"):
        assert (await client.get(path)).status_code == 404
    # drop-off returns have no mail slip
    assert (await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}/slip.pdf")).status_code == 404


def test_slip_qr_is_a_full_qr_code_not_micro():
    import base64
    import io

    from PIL import Image

    from orderhub.site.receipts.returns import qr_png

    uri = qr_png("RMA-000001")
    assert uri.startswith("data:image/png;base64,") and len(uri) < 4096
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    # version 1 QR: 21 modules + 2×4 quiet zone, 6 px each; three finder patterns (corners dark)
    assert img.size == (29 * 6, 29 * 6)
    for x, y in ((4, 4), (4 + 20, 4), (4, 4 + 20)):
        assert img.getpixel((x * 6 + 3, y * 6 + 3)) < 80
