"""Exchanging for a different product with a price difference, in a real browser (issue 20 item 5):
the shopper returns the shoes, browses the shop's in-stock catalog (search, choose) and picks
dearer items; the storefront answers exchange.created through the API with a payment URL; the hub
shows "Pay the difference". Every page is checked with axe and shot at phone and desktop width in
Japanese and English (docs/screenshots/exchange-*)."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.e2e.admin_ops_login import DEMO_OWNER, sign_in
from tests.e2e.returns_flow import delivered_order, to_resolution


def _choose(page, product: str, sku: str) -> None:
    card = page.locator(".exchange-product", has_text=product)
    card.locator("select[name=sku]").select_option(sku)
    card.locator("button[type=submit]").click()
    page.wait_for_selector(f".exchange-chosen:has-text('{product}')")


def test_exchange_for_a_dearer_product_and_pay_the_difference(open_page, server, check_axe, shoot):
    hub = delivered_order(server, "e2e-exchange-other", "YK-E2E-XOTHER", {"L1": 1})
    page = open_page(f"/o/{hub}/returns/new/items", viewport="phone", lang="ja")
    page.set_default_timeout(15_000)
    to_resolution(page)
    page.wait_for_selector("input[value=exchange_other]")
    page.check("input[name=resolution][value=exchange_other]")
    check_axe(page)
    shoot(page, "exchange-ja-phone-1-resolution")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/exchange"))  # htmx swapped the catalog in and pushed its URL
    page.wait_for_selector(".exchange-products")
    budget = page.inner_text(".exchange-budget")
    assert "¥13,200" in budget and "¥1,320" in budget and "¥14,520" in budget
    assert page.locator(".exchange-product", has_text="トレイルランナー").count() == 1
    check_axe(page)
    shoot(page, "exchange-ja-phone-2-catalog")

    # search by name, then choose the shoes in black and the socks: dearer than the returned pair
    page.fill("#f-exchange-q", "ソックス")
    page.click("button:has-text('検索')")
    page.wait_for_url(re.compile(r"q="))
    expect(page.locator(".exchange-product")).to_have_count(1)
    assert "メリノウール ソックス" in page.inner_text(".exchange-products")
    _choose(page, "メリノウール ソックス", "SOCK-M-GRY")
    page.fill("#f-exchange-q", "")
    page.click("button:has-text('検索')")
    expect(page.locator(".exchange-product", has_text="トレイルランナー")).to_have_count(1)
    _choose(page, "トレイルランナー", "TR-255-BLK")
    summary = page.inner_text(".exchange-chosen")
    # 13,200 + 2,200 = 15,400 against 13,200 and the 1,320 bonus: 880 to pay
    assert "¥15,400" in summary and "¥880" in summary and "お支払いいただく差額" in summary
    check_axe(page)
    shoot(page, "exchange-ja-phone-3-chosen")
    desktop = open_page(f"/o/{hub}/returns/new/exchange", viewport="desktop", lang="en")
    desktop.wait_for_selector(".exchange-products")
    assert "You pay the difference" in desktop.inner_text(".exchange-chosen")
    check_axe(desktop)
    shoot(desktop, "exchange-en-desktop-catalog")

    page.click(".exchange-chosen a:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/method"))
    page.check("input[name=method][value=drop_off]")
    page.click("button:has-text('次へ')")
    page.wait_for_url(re.compile(r"/returns/new/review"))
    page.wait_for_selector(".exchange-summary")
    assert "¥880" in page.inner_text(".exchange-summary")
    check_axe(page)
    shoot(page, "exchange-ja-phone-4-review")
    page.click("button:has-text('返品を申し込む')")
    page.wait_for_url(re.compile(r"/returns/\d+"))
    page.wait_for_selector("#returns-exchange")
    assert "差額のお支払いリンクをまもなく" in page.inner_text("#returns-exchange")
    return_id = int(re.search(r"/returns/(\d+)", page.url).group(1))

    # the storefront answers exchange.created with its payment page
    headers = {"Authorization": f"Bearer {server.api_key('yamakaze')}"}
    r = httpx.put(f"{server.url}/api/v1/returns/{return_id}/exchange", headers=headers,
                  json={"payment_url": "https://shop.example.jp/pay/e2e-880"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["exchange_for"]["difference_to_pay"] == "880"
    page.reload()
    button = page.locator("#returns-exchange a.button")
    assert button.inner_text().startswith("差額を支払う")
    assert button.get_attribute("href") == "https://shop.example.jp/pay/e2e-880"
    check_axe(page)
    shoot(page, "exchange-ja-phone-5-pay")
    assert page.console_errors == [], page.console_errors
    for viewport, lang in (("desktop", "ja"), ("phone", "en"), ("desktop", "en")):
        other = open_page(f"/o/{hub}/returns/{return_id}", viewport=viewport, lang=lang)
        other.wait_for_selector("#returns-exchange")
        if lang == "en":
            assert "Pay the difference" in other.inner_text("#returns-exchange a.button")
        check_axe(other)
        shoot(other, f"exchange-{lang}-{viewport}-pay")

    # the merchant sees the chosen items, the difference and its payment state
    admin = open_page("/admin/sign-in", viewport="desktop", lang="ja")
    admin.set_default_timeout(15_000)
    sign_in(admin, server, *DEMO_OWNER)
    for viewport, lang in (("desktop", "ja"), ("phone", "en")):
        admin.set_viewport_size({"width": 1280, "height": 800} if viewport == "desktop" else
                                {"width": 390, "height": 844})
        admin.goto(f"{server.url}/admin/returns/{return_id}?lang={lang}")
        admin.wait_for_selector("#rd-exchange")
        text = admin.inner_text("section:has(#rd-exchange)")
        assert "TR-255-BLK" in text and "SOCK-M-GRY" in text and "880" in text
        check_axe(admin)
        shoot(admin, f"exchange-admin-{lang}-{viewport}")

    # the storefront reports the difference paid, then the shopper withdraws the return: the paid
    # difference is refunded, on the hub (ja/en) and in the admin's queue and detail
    r = httpx.put(f"{server.url}/api/v1/returns/{return_id}/exchange", headers=headers, json={"status": "paid"},
                  timeout=10)
    assert r.status_code == 200 and r.json()["exchange_for"]["payment"]["status"] == "paid"
    admin.set_viewport_size({"width": 1280, "height": 800})
    admin.goto(f"{server.url}/admin/returns?status=all&lang=en")
    assert "Difference paid: ¥880" in admin.inner_text(f"#return-{return_id}")
    page = open_page(f"/o/{hub}/returns/{return_id}", viewport="phone", lang="ja")
    page.set_default_timeout(15_000)
    page.click("button:has-text('この返品をキャンセル')")
    page.wait_for_selector("#returns-exchange:has-text('返金しました')")
    assert "¥880" in page.inner_text("#returns-exchange")
    check_axe(page)
    shoot(page, "exchange-ja-phone-6-refunded")
    for viewport, lang in (("desktop", "ja"), ("phone", "en"), ("desktop", "en")):
        other = open_page(f"/o/{hub}/returns/{return_id}", viewport=viewport, lang=lang)
        other.wait_for_selector("#returns-exchange")
        if lang == "en":
            assert "the difference you paid, ¥880, was refunded" in other.inner_text("#returns-exchange")
        check_axe(other)
        shoot(other, f"exchange-{lang}-{viewport}-refunded")
    for viewport, lang in (("desktop", "ja"), ("phone", "ja"), ("desktop", "en"), ("phone", "en")):
        admin.set_viewport_size({"width": 1280, "height": 800} if viewport == "desktop" else
                                {"width": 390, "height": 844})
        admin.goto(f"{server.url}/admin/returns?status=all&lang={lang}")
        row = admin.inner_text(f"#return-{return_id}")
        assert ("返金済みの差額: ¥880" if lang == "ja" else "Difference refunded: ¥880") in row
        assert ("別の商品と交換" if lang == "ja" else "Exchange for something else") in row
        check_axe(admin)
        shoot(admin, f"exchange-admin-queue-{lang}-{viewport}")
        admin.goto(f"{server.url}/admin/returns/{return_id}?lang={lang}")
        assert ("別の商品と交換" if lang == "ja" else "Exchange for something else") in admin.inner_text("h1")
        check_axe(admin)
        shoot(admin, f"exchange-admin-refunded-{lang}-{viewport}")
