"""What goes over the wire: pages, stylesheets and JSON gzipped for clients that accept it; live
streams, PDFs and pictures left alone; static files cached for a year (their URLs carry a content
hash); tokens redacted from logs."""

from __future__ import annotations

import logging
import re

from orderhub.site.app import UNCOMPRESSED
from orderhub.site.logs import RedactTokens, redact


async def test_hub_page_is_gzipped_and_identical_when_unpacked(client, orders):
    token = orders["jp_ship"].token
    plain = await client.get(f"/o/{token}?lang=en", headers={"accept-encoding": "identity"})
    packed = await client.get(f"/o/{token}?lang=en", headers={"accept-encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["cache-control"] == "no-store"  # still a private page
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    # the CSRF token differs per response; the rest of the page is the same
    strip = re.compile(rb'(csrf[^"]*"[^"]*")|(value="[A-Za-z0-9_\-.]{20,}")', re.I)
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


async def test_our_scripts_come_as_one_compressed_file_in_their_order(client):
    from orderhub.site.scripts import JS, SCRIPTS

    page = await client.get("/lookup?lang=en")
    src = re.findall(r'<script src="([^"]+)"', page.text)
    bundle = [s for s in src if s.startswith("/assets/site.js?v=")]
    assert len(bundle) == 1 and not any(s.startswith("/static/js/") for s in src)
    r = await client.get(bundle[0], headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert r.headers["content-encoding"] == "gzip"
    assert set(r.headers["cache-control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    starts = [r.text.index((JS / name).read_text()[:80]) for name in SCRIPTS]
    assert starts == sorted(starts)  # every script, in the order they must run


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
