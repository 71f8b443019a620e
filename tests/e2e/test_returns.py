"""The returns wizard in a real browser: the whole wizard at phone width in Japanese with htmx
(blocks swapped, URLs pushed), accessible at every step. The wizard without JavaScript (303 from
step to step) is covered through the test client in tests/integration/test_returns_wizard.py."""

from __future__ import annotations

import re



def _walk(page, shoot, check_axe, name: str) -> None:
    page.click("text=返品を申し込む")
    page.wait_for_url(re.compile(r"/returns/new/items"))
    check_axe(page)
    shoot(page, f"returns-{name}-1-items")
    page.select_option("#f-qty_L1", "1")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/reason"))
    page.wait_for_selector("#f-comment")
    check_axe(page)
    page.check("input[name=reason][value=too_small]")
    page.fill("#f-comment", "<b>少しきつい</b>")
    shoot(page, f"returns-{name}-2-reason")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/resolution"))
    page.wait_for_selector("input[name=resolution]")
    check_axe(page)
    page.check("input[name=resolution][value=store_credit]")
    shoot(page, f"returns-{name}-3-resolution")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/method"))
    page.wait_for_selector("input[name=method]")
    check_axe(page)
    page.check("input[name=method][value=drop_off]")
    shoot(page, f"returns-{name}-4-method")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/review"))
    page.wait_for_selector(".returns-breakdown")
    check_axe(page)
    text = page.inner_text(".returns-breakdown")
    assert "¥13,200" in text and "¥1,320" in text and "¥14,520" in text
    shoot(page, f"returns-{name}-5-review")
    page.click("button:has-text('返品を申し込む')")
    page.wait_for_url(re.compile(r"/returns/\d+"))
    page.wait_for_selector("#returns-detail")
    assert "RMA-" in page.inner_text("h1")
    assert page.locator("img.returns-qr").count() == 1
    assert "<b>少しきつい</b>" in page.inner_text("#returns-detail")
    check_axe(page)
    shoot(page, f"returns-{name}-6-confirmation")


def test_wizard_phone_japanese_with_htmx(open_page, server, check_axe, shoot):
    page = open_page(f"/o/{server.token('yamakaze', 'delivered')}/returns", viewport="phone", lang="ja")
    page.set_default_timeout(15_000)
    check_axe(page)
    shoot(page, "returns-ja-phone-0-overview")
    swaps = []
    page.on("request", lambda req: req.headers.get("hx-request") == "true" and swaps.append(req.url))
    _walk(page, shoot, check_axe, "ja-phone")
    assert any("/new/items" in u for u in swaps), swaps  # htmx carried the steps
    assert page.console_errors == [], page.console_errors
    # back navigation restores the previous step's URL
    page.go_back()
    page.wait_for_url(re.compile(r"/returns/new/"))
