"""docs/security.md bars for documents: no PDF fetches file://, loopback or link-local addresses (with
a control run through WeasyPrint's default fetcher that shows the test catches a leak); hostile
documents end within the limits and the next receipt renders; branding injection gets 422."""

from __future__ import annotations

import http.server
import threading

import pytest

from orderhub.pdf import worker
from orderhub.pdf.fetcher import Refused, StaticOnlyFetcher
from orderhub.pdf.pool import RenderFailed, RenderPool
from tests.conftest import bearer, fixture
from tests.documents_support import pdf_text


class _Spy(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        body = b"body{color:red}" if self.path.endswith(".css") else b"leak"
        self.send_response(200)
        self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/png")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def spy():
    _Spy.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Spy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Spy.hits
    server.shutdown()


def hostile_html(base: str) -> tuple[str, str]:
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/a.css">
      <link rel="attachment" href="file:///etc/hostname">
      <link rel="attachment" href="{base}/attach">
      <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}</style>
      </head><body>
      <img src="{base}/img.png"><img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data">
      <img src="http://[::1]/x"><img src="asset:../../../../etc/passwd"><object data="{base}/obj"></object>
      <iframe src="{base}/frame"></iframe><svg><image href="{base}/svg.png"/></svg>
      <p>text</p></body></html>"""
    css = f'@import url("{base}/css-import.css"); p {{ background-image: url("{base}/p.png"); }}'
    return html, css


def test_control_default_fetcher_leaks(spy):
    """WeasyPrint's default fetcher fetches the loopback URLs: the spy catches them."""
    from weasyprint import CSS, HTML

    base, hits = spy
    html, css = hostile_html(base)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
    assert len(hits) >= 3, hits
    assert pdf.startswith(b"%PDF")


def test_our_fetcher_fetches_nothing(spy):
    base, hits = spy
    html, css = hostile_html(base)
    pdf, refused, _ = worker.render_pdf(html, css)
    assert hits == []
    assert pdf.startswith(b"%PDF") and b"/EmbeddedFile" not in pdf
    assert any("file:" in u for u in refused) and any("127.0.0.1" in u for u in refused)
    assert any("169.254" in u for u in refused)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "FILE:///etc/passwd", "http://127.0.0.1/", "https://localhost/", "http://169.254.169.254/",
    "http://[::1]/", "ftp://127.0.0.1/x", "asset:../../../etc/passwd", "asset:/etc/passwd", "asset:%2e%2e/%2e%2e/x.py",
    "asset:../pdf/fetcher.py", "asset:css/nope.css", "gopher://127.0.0.1/", "data:text/plain," + "a" * 70000,
])
def test_fetcher_refuses(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_our_static_files_and_small_data_uris():
    f = StaticOnlyFetcher()
    assert b".doc" in f.fetch("asset:css/print.css").read()
    assert f.fetch("asset:demo/gaiter.jpg").read()[:2] == b"\xff\xd8"
    assert f.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    assert issubclass(Refused, ValueError)


async def test_no_route_fetches_a_merchants_loopback_logo(client, orders, merchants, spy):
    base, hits = spy
    for slug, index in (("yamakaze", 0), ("acme", 1)):
        merchant, key, _ = merchants[slug]
        settings = {k: v for k, v in fixture("merchants.json")[index].items() if k != "slug"}
        settings["brand"] = {**settings["brand"], "logo_url": f"{base}/logo.png"}
        r = await client.put("/api/v1/merchant", json=settings, headers=bearer(key))
        assert r.status_code == 200, r.text
    for name in ("jp_ship", "us_ship"):
        r = await client.get(f"/o/{orders[name].token}/receipt.pdf")
        assert r.status_code == 200
    page = await client.get(f"/o/{orders['jp_ship'].token}/receipt")
    csrf = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    r = await client.post(f"/o/{orders['jp_ship'].token}/receipt", data={"_csrf_token": csrf, "addressee": "x"})
    assert r.status_code == 200
    assert hits == []


@pytest.mark.parametrize("brand", [
    {"primary_color": "red;} body{background:url(http://127.0.0.1/x)}"},
    {"accent_color": "#fff; background: url(file:///etc/passwd)"},
    {"primary_color": "var(--x)"},
    {"font": '"x"); @import url(http://127.0.0.1/)'},
    {"corner": "0; background:url(http://169.254.169.254/)"},
    {"logo_url": "file:///etc/passwd"},
    {"logo_url": "javascript:alert(1)"},
    {"logo_url": "/static/../../etc/passwd"},
    {"logo_url": 'http://example.com/a.png" onerror="x'},
    {"logo_url": "data:image/svg+xml,<svg onload=alert(1)>"},
    {"css": "body{}"},
])
async def test_branding_injection_is_refused(client, merchants, brand):
    merchant, key, _ = merchants["acme"]
    settings = {k: v for k, v in fixture("merchants.json")[1].items() if k != "slug"}
    settings["brand"] = {**settings["brand"], **brand}
    r = await client.put("/api/v1/merchant", json=settings, headers=bearer(key))
    assert r.status_code == 422, r.text
    assert any(e["field"].startswith("brand.") for e in r.json()["errors"])


@pytest.fixture(scope="module")
def small_pool():
    pool = RenderPool(workers=1, timeout=20.0)
    yield pool
    pool.close()


@pytest.mark.parametrize("name,html,css", [
    ("deep nesting", "<div>" * 3000 + "x" + "</div>" * 3000, ""),
    ("huge font", "<p>x</p>", "p { font-size: 1e7px }"),
    ("many rows", "<table>" + "<tr><td>行</td><td>¥1,000</td></tr>" * 60000 + "</table>", ""),
])
async def test_hostile_documents_end_within_limits_and_next_renders(small_pool, name, html, css):
    import time

    started = time.monotonic()
    try:
        pdf = await small_pool.render(html, css, cpu_seconds=4)
    except RenderFailed:
        pdf = None
    assert time.monotonic() - started < 25, name
    assert pdf is None or pdf.startswith(b"%PDF")
    # the next document renders normally
    ok = await small_pool.render('<p lang="ja">領収書 ¥1,000</p>', "")
    assert "領収書 ¥1,000" in pdf_text(ok)


async def test_oversized_document_is_refused_before_rendering(small_pool):
    with pytest.raises(RenderFailed):
        await small_pool.render("x" * (3 * 1024 * 1024))


async def test_a_killed_worker_is_replaced(small_pool):
    import os
    import signal

    await small_pool.render("<p>warm</p>")
    for proc in list(small_pool._pool()._processes.values()):
        os.kill(proc.pid, signal.SIGKILL)
    with pytest.raises(RenderFailed):
        await small_pool.render("<p>after crash</p>")
    ok = await small_pool.render("<p>after rebuild</p>")
    assert "after rebuild" in pdf_text(ok)


async def test_runaway_cpu_is_stopped_by_the_worker_cpu_limit():
    """A document that burns CPU past its allowance: the kernel stops the worker (SIGXCPU) before
    the wall-clock timeout, the pool is rebuilt and the next document renders."""
    import time

    pool = RenderPool(workers=1, timeout=60.0)
    try:
        await pool.render("<p>warm</p>")
        started = time.monotonic()
        with pytest.raises(RenderFailed):
            await pool.render("<table>" + "<tr><td>行</td><td>¥1,000</td></tr>" * 40000 + "</table>", cpu_seconds=1)
        assert time.monotonic() - started < 30
        assert pool.rebuilds == 1
        ok = await pool.render("<p>next</p>")
        assert "next" in pdf_text(ok)
    finally:
        pool.close()


async def test_the_first_document_is_not_timed_for_the_workers_start():
    """A new pool starts all its workers (imports, fonts, a warm-up render: about two seconds here, far
    more on a busy machine) before a document's clock starts: with a one-second limit per document,
    the first receipt after a start still renders, and every worker is ready from then on."""
    pool = RenderPool(workers=2, timeout=1.0)
    try:
        pdf = await pool.render('<p lang="ja">領収書 ¥2,000</p>', "")
        assert "領収書 ¥2,000" in pdf_text(pdf)
        assert pool._started.value == 2 and pool.rebuilds == 0
    finally:
        pool.close()
