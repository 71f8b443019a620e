"""The receipt view in a real browser: accessible in both languages on phone and desktop, and the
領収書 form issuing the original PDF."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_receipt_view_renders_accessibly(open_page, server, check_axe, shoot, viewport, lang):
    page = open_page(f"/o/{server.token('yamakaze', 'delivered')}/receipt?lang={lang}", viewport=viewport, lang=lang)
    assert "T9234567890123" in page.inner_text(".doc__issuer")
    assert page.locator("form input[name=addressee]").count() == 1
    check_axe(page)
    assert page.console_errors == [], page.console_errors
    shoot(page, f"receipt-yamakaze-{lang}-{viewport}")
    us = open_page(f"/o/{server.token('acme', 'delivered')}/receipt?lang={lang}", viewport=viewport, lang=lang)
    assert us.locator("form input[name=addressee]").count() == 0
    check_axe(us)
    shoot(us, f"receipt-acme-{lang}-{viewport}")


def test_formal_receipt_form_downloads_the_original(open_page, server):
    page = open_page(f"/o/{server.token('yamakaze', 'shipped')}/receipt?lang=ja", viewport="desktop", lang="ja")
    page.fill("input[name=addressee]", "株式会社E2E")
    with page.expect_download() as info:
        page.click("form button[type=submit]")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    page.goto(page.url)
    assert "株式会社E2E" in page.inner_text("#receipts-formal")
