"""Pre-shipment honesty in a real browser: an order whose storefront backordered lines shows "Backordered,
expected to ship around …" per line on the hub (phone and desktop, Japanese and English), the
`order.delayed` email as a mail client shows it, and the merchant's "unshipped and late" list; axe-core
finds nothing on these pages."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import httpx
from babel.dates import format_date

from tests.e2e.admin_ops_login import DEMO_OWNER, sign_in

FIXTURE = Path(__file__).resolve().parents[2] / "orderhub" / "demo" / "fixtures" / "orders" / "jp_ship.json"


def _backordered_order(server) -> tuple[str, dt.date]:
    """A JP order placed ten days ago with two lines backordered (one with a date, one without); the
    dates count from the server's clock (the system's), so the test reads the same on any day."""
    placed = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    expected = (placed + dt.timedelta(days=20)).date()
    body = copy.deepcopy(json.loads(FIXTURE.read_text())) | {"number": "YK-E2E-BO01",
                                                             "placed_at": placed.isoformat(timespec="seconds")}
    body["lines"][0] |= {"backordered": 1}
    body["lines"][1] |= {"backordered": 1, "expected_ship_date": expected.isoformat()}
    answer = httpx.put(f"{server.url}/api/v1/orders/e2e-backordered", json=body, timeout=10,
                       headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["hub_url"].removeprefix(server.url), expected


def test_backordered_lines_on_the_hub(open_page, server, check_axe, shoot):
    path, expected = _backordered_order(server)
    words = {
        "ja": ("入荷待ち", "2点中1点が入荷待ち", f"{format_date(expected, 'M月d日(E)', locale='ja')}頃に発送予定"),
        "en": ("Backordered", "1 of 2 backordered",
               f"Expected to ship around {format_date(expected, 'EEEE, MMMM d', locale='en')}"),
    }
    for lang in ("ja", "en"):
        for viewport in ("phone", "desktop"):
            page = open_page(path, viewport=viewport, lang=lang)
            lines = page.locator(".line__backorder")
            assert lines.count() == 2
            whole, part, when = words[lang]
            assert whole in lines.nth(0).inner_text() and part in lines.nth(1).inner_text()
            assert when in lines.nth(1).inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
            check_axe(page)
            shoot(page, f"hub-backordered-{lang}-{viewport}")
            assert not page.console_errors, page.console_errors


def test_the_delayed_email_at_phone_width(server, browser, shoot, tmp_path):
    _path, expected = _backordered_order(server)
    for lang, date in (("ja", format_date(expected, "M月d日(E)", locale="ja")),
                       ("en", format_date(expected, "EEEE, MMMM d", locale="en"))):
        html = server.cli("email", "preview", "--merchant", "yamakaze", "--order", "e2e-backordered",
                          "--event", "order.delayed", "--locale", lang, "--html").stdout
        assert f'lang="{lang}"' in html and date in html
        page_file = tmp_path / f"delayed-{lang}.html"
        page_file.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(page_file.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert server.url in page.locator("a[href*='/o/']").first.get_attribute("href")
            shoot(page, f"email-order-delayed-yamakaze-{lang}")
        finally:
            context.close()


def test_unshipped_and_late_in_the_attention_list(open_page, server, check_axe, shoot):
    _backordered_order(server)
    page = open_page("/admin/sign-in", viewport="desktop", lang="ja")
    page.set_default_timeout(15_000)
    sign_in(page, server, *DEMO_OWNER)
    for lang, title in (("ja", "未発送・遅延"), ("en", "Unshipped and late")):
        page.goto(f"{server.url}/admin/shipments?lang={lang}")
        section = page.locator("section[aria-labelledby=unshipped-title]")
        assert title in section.inner_text() and "YK-E2E-BO01" in section.inner_text()
        check_axe(page)
        shoot(page, f"admin-unshipped-late-{lang}-desktop")
    assert not page.console_errors, page.console_errors


def test_the_shopper_says_a_posted_return_is_on_its_way(open_page, server, check_axe, shoot):
    """A posted return (approved at once): "I've sent it" on its page moves it to on its way back (htmx
    swaps the detail block), in Japanese at phone width; the same page in English on the desktop."""
    import re

    page = open_page(f"/o/{server.token('yamakaze', 'delivered')}/returns", viewport="phone", lang="ja")
    page.set_default_timeout(15_000)
    page.click("text=返品を申し込む")
    page.wait_for_url(re.compile(r"/returns/new/items"))
    page.locator("select[name^=qty_]").last.select_option("1")  # not L1: the wizard test returns that
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/reason"))
    page.check("input[name=reason][value=too_small]")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/resolution"))
    page.check("input[name=resolution][value=refund]")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/method"))
    page.check("input[name=method][value=mail]")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/review"))
    page.click("button:has-text('返品を申し込む')")
    page.wait_for_url(re.compile(r"/returns/\d+"))
    page.wait_for_selector("form.returns-sent")
    detail = page.url.split("?")[0]
    check_axe(page)
    shoot(page, "returns-sent-button-ja-phone")
    en = open_page(detail, viewport="desktop", lang="en")
    assert "I've sent it" in en.inner_text("form.returns-sent")
    check_axe(en)
    shoot(en, "returns-sent-button-en-desktop")
    page.click("form.returns-sent button")
    page.wait_for_selector("form.returns-sent", state="detached")
    assert "返送中" in page.inner_text("#returns-detail")
    page.reload()
    assert page.locator("form.returns-sent").count() == 0
    check_axe(page)
    shoot(page, "returns-sent-done-ja-phone")
    assert not page.console_errors, page.console_errors
