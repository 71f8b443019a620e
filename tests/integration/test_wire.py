"""What goes over the wire: pages, stylesheets and JSON gzipped for clients that accept it; live
streams, PDFs and pictures left alone; static files cached for a year (their URLs carry a content
hash); tokens redacted from logs."""

from __future__ import annotations

import logging
import re

from orderhub.site.app import UNCOMPRESSED
from orderhub.site.logs import RedactTokens, redact


async def test_hub_page_is_compressed_and_identical_when_unpacked(client, orders):
    token = orders["jp_ship"].token
    plain = await client.get(f"/o/{token}?lang=en", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    # the CSRF token differs per response; the rest of the page is the same
    strip = re.compile(rb'(csrf[^"]*"[^"]*")|(value="[A-Za-z0-9_\-.]{20,}")', re.I)
    for accept, encoding in (("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")):
        packed = await client.get(f"/o/{token}?lang=en", headers={"accept-encoding": accept})
        assert packed.status_code == 200
        assert packed.headers["content-encoding"] == encoding
        assert packed.headers["cache-control"] == "no-store"  # still a private page
        assert int(packed.headers["content-length"]) < len(plain.content) / 2
        assert strip.sub(b"", packed.content) == strip.sub(b"", plain.content)


async def test_static_files_are_long_cached_and_compressed(client):
    page = await client.get("/lookup?lang=en", headers={"accept-encoding": "identity"})
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page.text)
    assert css, "the page links its stylesheet by content hash"
    r = await client.get(css[1], headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert r.headers["content-encoding"] == "gzip"
    assert b"{" in r.content  # httpx unpacked it


async def test_our_stylesheets_come_compressed_at_the_strongest_setting(client):
    import brotli

    from orderhub.site.assets import CSS

    page = await client.get("/lookup?lang=en")
    for href in re.findall(r'href="(/static/css/[a-z_-]+\.css\?v=[0-9a-f]+)"', page.text):
        text = (CSS / href.split("?")[0].removeprefix("/static/css/")).read_bytes()
        r = await client.get(href, headers={"accept-encoding": "gzip, deflate, br, zstd"})
        assert r.status_code == 200 and r.headers["content-type"] == "text/css; charset=utf-8"
        assert r.headers["content-encoding"] == "br" and r.headers["vary"] == "Accept-Encoding"
        assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
        # brotli 11: smaller than the app's per-request setting (4) would send
        assert int(r.headers["content-length"]) == len(brotli.compress(text, mode=brotli.MODE_TEXT, quality=11))
        assert int(r.headers["content-length"]) < len(brotli.compress(text, quality=4))
        assert r.content == text  # httpx unpacked it: the file itself
        assert "set-cookie" not in r.headers and "etag" not in r.headers
        plain = await client.get(href, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == text
        head = await client.head(href, headers={"accept-encoding": "br"})
        assert head.status_code == 200 and head.content == b""
    # anything else under /static/css/ is not one of them: a name we do not have is the static
    # files' 404, a way out of the folder is left to the static files (which stay inside static/)
    assert (await client.get("/static/css/nope.css", headers={"accept-encoding": "br"})).status_code == 404
    r = await client.get("/static/css/..%2Fjs%2Flive.js", headers={"accept-encoding": "br"})
    assert not r.headers["content-type"].startswith("text/css")


async def test_every_script_comes_as_one_precompressed_file_in_its_order(client):
    from orderhub.site.assets import JS, SCRIPTS, VENDOR, VENDORED

    page = await client.get("/lookup?lang=en")
    src = re.findall(r'<script src="([^"]+)"', page.text)
    assert len(src) == 1 and src[0].startswith("/assets/site.js?v="), src  # htmx included
    plain = await client.get(src[0], headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    starts = [plain.text.index(path.read_text()[:80]) for path in
              [VENDORED / name for name in VENDOR] + [JS / name for name in SCRIPTS]]
    assert starts == sorted(starts)  # htmx, its extensions, then ours, in the order they must run
    for accept, encoding in (("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip")):
        r = await client.get(src[0], headers={"accept-encoding": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
        assert r.headers["content-encoding"] == encoding and r.headers["vary"] == "Accept-Encoding"
        assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
        assert int(r.headers["content-length"]) < len(plain.content) / 2
        assert r.content == plain.content  # httpx unpacked it: the same file


def test_accept_encoding_is_read_with_its_weights():
    from orderhub.site.assets import accepted_encoding

    assert accepted_encoding("gzip, deflate, br, zstd") == "br"
    assert accepted_encoding("gzip;q=1.0, br;q=0") == "gzip"
    assert accepted_encoding("BR") == "br"
    assert accepted_encoding("deflate, gzip;q=0") == "identity"
    assert accepted_encoding("") == "identity"
    assert accepted_encoding("br;q=abc, gzip;q=0.5") == "gzip"


async def test_a_brands_stylesheet_is_cached_for_a_year_at_its_version(client, orders):
    page = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    href = re.search(r'href="(/brand/[^/"]+/theme\.css\?v=\d+)"', page.text)[1]
    r = await client.get(href)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert "set-cookie" not in r.headers and "content-security-policy" not in r.headers
    stale = await client.get(href.split("?")[0] + "?v=0")
    assert stale.headers["cache-control"] == "public, max-age=300"  # not this version: not for long
    assert stale.content == r.content


async def test_static_files_carry_only_the_headers_that_matter_to_them(client):
    """No CSRF cookie and no document policies on a stylesheet or a picture (a first visit loads a
    dozen of them); an SVG keeps the CSP; pages keep everything."""
    for path in ("/static/css/app.css", "/static/demo/gaiter.jpg"):
        r = await client.get(path)
        assert r.status_code == 200
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in r.headers and "content-security-policy" not in r.headers
        assert "x-frame-options" not in r.headers
        assert not {"etag", "last-modified", "content-disposition"} & set(r.headers)  # never revalidated
    svg = await client.get("/static/img/favicon.svg")
    assert "script-src 'self'" in svg.headers["content-security-policy"]
    page = await client.get("/lookup?lang=en")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and "csrftoken=" in page.headers["set-cookie"]


async def test_api_json_is_compressed_too(client, merchants):
    _, key, _ = merchants["acme"]
    r = await client.get("/schema/openapi.json", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"


def test_streams_and_binary_formats_are_never_compressed():
    def excluded(path: str) -> bool:
        return any(re.search(p, path) for p in UNCOMPRESSED)

    for path in ("/o/abc/tracking/events", "/o/abc/pickup/events", "/staff/events", "/o/abc/receipt.pdf",
                 "/o/abc/returns/3/slip.pdf", "/api/v1/returns/4/photos/9", "/brand/acme/logo/ab12.png",
                 "/fonts/lato.ttf", "/static/demo/gaiter.jpg"):
        assert excluded(path), path
    for path in ("/o/abc", "/o/abc/tracking", "/static/css/app.css", "/static/vendor/htmx.min.js", "/api/v1/orders/1"):
        assert not excluded(path), path


def test_tokens_are_redacted_from_log_lines():
    assert redact('127.0.0.1 - "GET /o/3yHU0E-abc_123xyz/tracking HTTP/1.1" 200') == \
        '127.0.0.1 - "GET /o/[redacted]/tracking HTTP/1.1" 200'
    assert redact("POST /admin/invitations/Zk9x-AbC.d%7E HTTP/1.1") == "POST /admin/invitations/[redacted] HTTP/1.1"
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/o/SECRETTOKEN123456/pickup", "1.1", 200), None)
    RedactTokens().filter(record)
    assert "SECRETTOKEN" not in record.getMessage()
    assert "/o/[redacted]/pickup" in record.getMessage()


async def test_the_push_script_comes_only_where_notify_me_shows(client, merchants, orders, settings, clock):
    """push.js is not in the every-page file: its own versioned, precompressed file, named only by the
    notify panel's browser-notifications row (behaviours.js loads it when that row appears)."""
    from orderhub.db.channels import rules, services
    from orderhub.site.assets import JS, script_url

    site = await client.get(re.findall(r'<script src="([^"]+)"', (await client.get("/lookup")).text)[0],
                            headers={"accept-encoding": "identity"})
    push_js = (JS / "push.js").read_text()
    assert push_js[:200] not in site.text and 'behaviours["load-script"]' in site.text
    tracking = f"/o/{orders['jp_ship'].token}/tracking"
    other = f"/o/{orders['us_ship'].token}/tracking"
    await services.save_account(merchants["yamakaze"][0].id, rules.PUSH, {"enabled": True, "events": ["shipment.delivered"]},
                                secret_key=settings.secret_key, now=clock())
    page = await client.get(tracking)
    named = re.findall(r'data-load-script="([^"]+)"', page.text)
    assert named == [script_url("push")] and named[0].startswith("/assets/push.js?v=")
    assert "data-load-script" not in (await client.get(f"/o/{orders['jp_ship'].token}")).text  # the hub page
    assert "data-load-script" not in (await client.get(other)).text  # a shop offering no browser notifications
    r = await client.get(named[0], headers={"accept-encoding": "br"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "br" and r.text == push_js
    assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
