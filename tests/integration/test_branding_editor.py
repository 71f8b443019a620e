"""The branding editor through the HTTP client: roles and sign-in, CSRF, hostile uploads and markup,
the contrast rule (422, nothing stored), draft versus published (the hub and its theme.css), the
atomic publish (version bump) reaching a receipt PDF's colour and logo, and logo URLs per merchant."""

from __future__ import annotations

import html
import io
import re
import tempfile
from pathlib import Path

from PIL import Image

from orderhub.db import engine
from orderhub.db.branding.tables import BrandLogo
from orderhub.db.merchants.tables import Merchant
from tests.admin_ops_support import HTMX, csrf_of, signed_in
from tests.documents_support import pdf_fonts, pdf_text, to_png
from tests.returns_support import png

EDITOR = "/admin/branding"


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def form(**changes) -> dict:
    data = {"primary_color": "#1F5F3F", "accent_color": "#E8B04A", "font": "noto-sans-jp", "corner": "rounded"}
    data.update(changes)
    return data


async def merchant_row(slug: str) -> dict:
    async with engine.read():
        return await Merchant.select(Merchant.id, Merchant.brand, Merchant.settings, Merchant.version).output(
            load_json=True).where(Merchant.slug == slug).first()


async def post(client, path: str, data: dict | None = None, files: dict | None = None, headers: dict | None = None):
    page = await client.get(EDITOR + "?lang=en")
    assert page.status_code == 200, page.text[:300]
    body = {**(data or {}), "_csrf_token": csrf_of(page.text)}
    return await client.post(path, data=body, files=files, headers=headers)


async def theme(client, slug: str) -> str:
    r = await client.get(f"/brand/{slug}/theme.css")
    assert r.status_code == 200
    return r.text


async def test_owners_only(client, merchants, clock):
    r = await client.get(EDITOR)
    assert r.status_code == 303 and r.headers["location"] == "/admin/sign-in?next=/admin/branding"
    r = await client.post(EDITOR + "/publish")
    assert r.status_code in (303, 403)  # CSRF answers first for a POST without a token
    await signed_in(client, clock, "yamakaze", "staff")
    r = await client.get(EDITOR)
    assert r.status_code == 403
    page = await client.get("/admin/returns")
    r = await client.post(EDITOR + "/publish", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 403
    assert (await merchant_row("yamakaze"))["version"] == merchants["yamakaze"][0].version


async def test_editor_page_and_nav(client, merchants, clock):
    await signed_in(client, clock)
    r = await client.get(EDITOR + "?lang=en")
    assert r.status_code == 200
    page = text(r)
    assert "Branding" in page and "Primary colour" in page and "Preview" in page
    assert 'value="#1F5F3F"' in r.text and "7.58:1" in page  # white text on the primary colour
    assert 'href="/admin/branding?lang=en"' in r.text  # the admin navigation
    assert "style=" not in r.text and "<style" not in r.text and "<script>" not in r.text
    assert 'href="/admin/branding/preview.css?primary_color=%231F5F3F' in r.text
    ja = await client.get(EDITOR + "?lang=ja")
    assert "ブランディング" in text(ja) and "プレビュー" in text(ja)


async def test_missing_csrf_is_refused(client, merchants, clock):
    await signed_in(client, clock)
    before = await merchant_row("yamakaze")
    for path in (EDITOR, EDITOR + "/preview", EDITOR + "/publish", EDITOR + "/discard"):
        r = await client.post(path, data=form(primary_color="#000000"))
        assert r.status_code == 403, path
    r = await client.post(EDITOR + "/logo", files={"logo": ("l.png", png(), "image/png")})
    assert r.status_code == 403
    assert await merchant_row("yamakaze") == before


async def test_draft_does_not_change_the_hub_until_published(client, merchants, orders, clock):
    await signed_in(client, clock)
    slug = "yamakaze"
    before = await theme(client, slug)
    r = await post(client, EDITOR + "?lang=en", form(primary_color="#0B3D91", corner="pill",
                                                     words_confirmation_en="<b>Thanks!</b> See you soon."))
    assert r.status_code == 303 and r.headers["location"] == "/admin/branding?done=draft&lang=en"
    row = await merchant_row(slug)
    assert row["settings"]["brand_draft"]["primary_color"] == "#0B3D91"
    assert row["brand"]["primary_color"] == "#1F5F3F"
    assert row["version"] == merchants[slug][0].version  # a draft is not published: cached documents stay
    assert await theme(client, slug) == before
    hub = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert "Thanks!" not in hub.text and "corner-rounded" in hub.text
    # the editor shows the draft and offers to publish it
    page = await client.get(EDITOR + "?lang=en&done=draft")
    assert 'value="#0B3D91"' in page.text and "Publish the draft" in page.text and "Draft saved" in text(page)
    # publish: one write, the version moves, theme.css and the hub change at once
    r = await post(client, EDITOR + "/publish?lang=en")
    assert r.status_code == 303 and "done=published" in r.headers["location"]
    after = await merchant_row(slug)
    assert after["brand"]["primary_color"] == "#0B3D91" and after["brand"]["corner"] == "pill"
    assert after["settings"].get("brand_draft") is None
    assert after["version"] > row["version"]
    assert "--brand-primary:#0B3D91" in await theme(client, slug)
    hub = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert f"theme.css?v={after['version']}" in hub.text and "corner-pill" in hub.text
    assert "<b>Thanks!</b> See you soon." in hub.text
    # nothing left to publish: a clear 409, never a 500
    r = await post(client, EDITOR + "/publish")
    assert r.status_code == 409


async def test_discard_draft(client, merchants, clock):
    await signed_in(client, clock)
    await post(client, EDITOR, form(primary_color="#0B3D91"))
    r = await post(client, EDITOR + "/discard?lang=en")
    assert r.status_code == 303 and "done=discarded" in r.headers["location"]
    row = await merchant_row("yamakaze")
    assert row["settings"].get("brand_draft") is None and row["brand"]["primary_color"] == "#1F5F3F"
    page = await client.get(EDITOR + "?lang=en")
    assert 'value="#1F5F3F"' in page.text and "Publish the draft" not in page.text


async def test_unreadable_colours_are_refused(client, merchants, clock):
    await signed_in(client, clock)
    before = await merchant_row("yamakaze")
    cases = [
        ({"primary_color": "#FFFF00"}, "primary_color", "1.01"),  # yellow on the page background
        ({"primary_color": "#777777"}, "primary_color", "4.47"),  # grey: white text on it 4.47:1
        ({"primary_color": "#767676"}, "primary_color", "4.16"),  # white text 4.54:1 passes, on the canvas 4.16:1
        ({"accent_color": "#777777"}, "accent_color", "4.47"),
        ({"primary_color": "red;}body{x:y"}, "primary_color", ""),
        ({"primary_color": "#12345"}, "primary_color", ""),
    ]
    for change, field, ratio in cases:
        r = await post(client, EDITOR + "?lang=en", form(**change))
        assert r.status_code == 422, change
        error = re.search(rf'id="f-{field}-error">([^<]+)<', r.text)
        assert error, (change, r.text[:2000])
        if ratio:
            assert f"{ratio}" in error.group(1) and "4.5:1" in error.group(1), error.group(1)
        else:
            assert "six hexadecimal digits" in error.group(1)
        assert 'aria-invalid="true"' in r.text
        assert "red;}body" not in r.text or "red;}body{x:y" in html.unescape(r.text)
    assert await merchant_row("yamakaze") == before
    ja = await post(client, EDITOR + "?lang=ja", form(primary_color="#FFFF00"))
    assert ja.status_code == 422 and "コントラスト" in text(ja)


async def test_preview_renders_the_draft_without_saving(client, merchants, clock):
    await signed_in(client, clock)
    before = await merchant_row("yamakaze")
    page = await client.get(EDITOR + "?lang=en")
    token = csrf_of(page.text)
    r = await client.post(EDITOR + "/preview?lang=en", headers={**HTMX, "x-csrftoken": token},
                          data=form(primary_color="#0B3D91", font="lato",
                                    words_confirmation_en='<i>Hi</i><img src=x onerror=alert(1)>'))
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="branding-preview"')
    assert "preview.css?primary_color=%230B3D91&amp;accent_color=%23E8B04A&amp;font=lato" in r.text
    assert "<i>Hi</i>" in r.text and "onerror" not in r.text and "<img src=x" not in r.text
    assert 'id="branding-check-primary_color" class="branding-check" hx-swap-oob="true"' in r.text
    # an unreadable colour: the check beside the field says so, live
    bad = await client.post(EDITOR + "/preview?lang=en", headers={**HTMX, "x-csrftoken": token},
                            data=form(primary_color="#FFFF00"))
    assert bad.status_code == 200 and "Too low" in bad.text and 'id="f-primary_color-error"' in bad.text
    # without JavaScript: the whole editor with the draft, still nothing saved
    full = await client.post(EDITOR + "/preview?lang=en", data={**form(primary_color="#0B3D91"), "_csrf_token": token})
    assert full.status_code == 200 and "<html" in full.text and 'value="#0B3D91"' in full.text
    assert await merchant_row("yamakaze") == before
    css = await client.get(EDITOR + "/preview.css?primary_color=%230B3D91&accent_color=%23E8B04A&font=lato&corner=pill")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".brand-preview{--brand-primary:#0B3D91;" in css.text and "Lato" in css.text and "--brand-radius:1.25rem" in css.text
    hostile = await client.get(EDITOR + "/preview.css?primary_color=red;}*{x:url(http://x)}&font=evil&corner=url(x)")
    assert hostile.status_code == 200 and "url(" not in hostile.text and "--brand-primary:#1F2937" in hostile.text


async def test_preview_css_needs_an_owner(client, merchants, clock):
    r = await client.get(EDITOR + "/preview.css?primary_color=%23000000")
    assert r.status_code in (303, 401)


async def test_hostile_markup_is_cleaned(client, merchants, orders, clock):
    await signed_in(client, clock)
    hostile = ('<script>alert(1)</script><b onclick="x()">Bold</b> <a href="javascript:alert(1)">bad</a> '
               '<a href="https://shop.example/care" hx-get="/admin" data-hx-post="/x" style="color:red">care</a>'
               '<img src=x onerror=alert(1)><ul><li>one</li></ul><iframe src="https://x"></iframe><em>ok</em>')
    r = await post(client, EDITOR, form(words_tracking_en=hostile, words_tracking_ja="<b>ありがとう</b>"))
    assert r.status_code == 303
    await post(client, EDITOR + "/publish")
    stored = (await merchant_row("yamakaze"))["brand"]["words"]["tracking"]["en"]
    assert stored == ('<b>Bold</b> <a rel="noopener noreferrer nofollow">bad</a> '
                      '<a href="https://shop.example/care" rel="noopener noreferrer nofollow">care</a>'
                      '<ul><li>one</li></ul><em>ok</em>')
    page = await client.get(f"/o/{orders['jp_ship'].token}/tracking?lang=en")
    assert page.status_code == 200
    assert '<a href="https://shop.example/care" rel="noopener noreferrer nofollow">care</a>' in page.text
    assert "alert(1)" not in page.text and "hx-get=\"/admin\"" not in page.text and "<iframe" not in page.text
    ja = await client.get(f"/o/{orders['jp_ship'].token}/tracking?lang=ja")
    assert "<b>ありがとう</b>" in ja.text
    # oversized words: 422 next to the field, never a 500
    r = await post(client, EDITOR + "?lang=en", form(words_returns_en="x" * 2001))
    assert r.status_code == 422 and 'id="f-words_returns_en-error"' in r.text


def _bomb() -> bytes:
    return png(size=(10000, 10000), color=(0, 0, 0))


async def test_hostile_uploads_are_refused(client, merchants, clock):
    await signed_in(client, clock)
    before = await merchant_row("yamakaze")
    big = io.BytesIO()
    Image.effect_noise((1500, 1500), 100).convert("RGB").save(big, "PNG")
    assert len(big.getvalue()) > 2 * 1024 * 1024
    cases = [
        (("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
         "Only pictures can be uploaded"),
        (("logo.png", b"this is not an image at all", "image/png"), "Only pictures can be uploaded"),
        (("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png"), "not a readable picture"),
        (("bomb.png", _bomb(), "image/png"), "too many pixels"),
        (("huge.png", big.getvalue(), "image/png"), "too large"),
    ]
    for file, message in cases:
        r = await post(client, EDITOR + "/logo?lang=en", files={"logo": file})
        assert r.status_code in (413, 422), (file[0], r.status_code)
        if r.status_code == 422:
            assert message in text(r), (file[0], text(r)[:500])
            assert 'id="f-logo-error"' in r.text
    r = await post(client, EDITOR + "/logo?lang=en", files={"logo": ("x.png", b"a" * (3 * 1024 * 1024), "image/png")})
    assert r.status_code in (413, 422)
    async with engine.read():
        assert await BrandLogo.count() == 0
    assert await merchant_row("yamakaze") == before


async def test_logo_upload_publish_and_receipt(client, merchants, orders, clock):
    await signed_in(client, clock)
    # a JPEG with GPS EXIF, wide: re-encoded, metadata gone, scaled to the logo box
    upload = png(size=(1200, 300), color=(200, 30, 30), exif_gps=True, fmt="JPEG")
    r = await post(client, EDITOR + "/logo?lang=en", files={"logo": ("logo.jpg", upload, "image/jpeg")})
    assert r.status_code == 303 and "done=logo" in r.headers["location"]
    draft = (await merchant_row("yamakaze"))["settings"]["brand_draft"]
    url = draft["logo_url"]
    assert re.fullmatch(r"/brand/yamakaze/logo/[0-9a-f]{32}\.jpg", url)
    served = await client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert "immutable" in served.headers["cache-control"]
    with Image.open(io.BytesIO(served.content)) as img:
        assert img.size == (512, 128) and not img.getexif()
    # another merchant's path, a made-up hash, a wrong extension: 404
    assert (await client.get(url.replace("/yamakaze/", "/acme/"))).status_code == 404
    assert (await client.get(url.replace(".jpg", ".png"))).status_code == 404
    assert (await client.get("/brand/yamakaze/logo/" + "0" * 32 + ".jpg")).status_code == 404
    assert (await client.get("/brand/yamakaze/logo/..%2F..%2Fetc%2Fpasswd")).status_code == 404
    # the draft keeps the hub as it was; the receipt too
    hub = await client.get(f"/o/{orders['jp_ship'].token}")
    assert url not in hub.text
    # publish with a new primary colour: the hub and the receipt PDF use the logo and the colour
    await post(client, EDITOR, form(primary_color="#0B3D91", words_receipt_ja="<b>またのご利用をお待ちしております</b>"))
    r = await post(client, EDITOR + "/publish")
    assert r.status_code == 303
    hub = await client.get(f"/o/{orders['jp_ship'].token}")
    assert f'src="{url}"' in hub.text
    pdf = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    if pdf.status_code == 503:  # the render pool was rebuilt under a loaded test run: ask again, as a shopper would
        pdf = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    assert pdf.status_code == 200
    assert "またのご利用をお待ちしております" in pdf_text(pdf.content)  # the merchant's words for receipts
    with tempfile.TemporaryDirectory() as tmp:
        with Image.open(to_png(pdf.content, Path(tmp) / "receipt.png")) as page:
            colours = page.convert("RGB").getcolors(1_000_000)
    counts = {c: n for n, c in colours}

    def near(target, tolerance=12):
        return sum(n for c, n in counts.items() if all(abs(a - b) <= tolerance for a, b in zip(c, target, strict=False)))

    assert near((0x0B, 0x3D, 0x91)) > 100, "the brand colour's rule under the header"
    assert near((200, 30, 30), 25) > 100, "the logo"


async def test_fonts_are_served_from_debian_packages(client, merchants, orders, clock):
    r = await client.get("/fonts/lato-400.ttf")
    assert r.status_code == 200 and r.headers["content-type"] == "font/ttf" and len(r.content) > 10_000
    assert (await client.get("/fonts/..%2F..%2Fetc%2Fpasswd")).status_code == 404
    assert (await client.get("/fonts/lato-900.ttf")).status_code == 404
    await signed_in(client, clock)
    await post(client, EDITOR, form(font="lato"))
    await post(client, EDITOR + "/publish")
    assert "Lato" in await theme(client, "yamakaze")
    hub = await client.get(f"/o/{orders['jp_ship'].token}")
    assert "/brand/fonts.css" in hub.text
    faces = await client.get("/brand/fonts.css")  # built from the one font list
    assert faces.status_code == 200 and faces.headers["content-type"].startswith("text/css")
    assert 'url("/fonts/lato-400.ttf")' in faces.text and "style=" not in faces.text
    # PDFs use the installed Debian font, with Noto Sans CJK JP for the Japanese text
    pdf = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    if pdf.status_code == 503:  # the render pool was rebuilt under a loaded test run: ask again
        pdf = await client.get(f"/o/{orders['jp_ship'].token}/receipt.pdf")
    names = {f["name"].split("+")[-1] for f in pdf_fonts(pdf.content)}
    assert any(n.startswith("Lato") for n in names) and any("Noto-Sans-CJK-JP" in n for n in names), names
