"""The hub's confirmation page in a real browser: both languages, phone and desktop, axe-core,
cross-sells fetched when the shopper scrolls near them, and a complete page without JavaScript."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_hub_page_renders_accessibly(open_page, server, check_axe, shoot, viewport, lang):
    fetched: list[str] = []
    page = open_page(f"/o/{server.token('yamakaze', 'delivered')}", viewport=viewport, lang=lang,
                     on_request=lambda request: fetched.append(request.url))
    page.wait_for_load_state("networkidle")
    # the first view (the order's status) fetches no products: the last card is far below
    assert fetched and not [u for u in fetched if "/cross-sells" in u], fetched
    assert page.locator("#confirmation-crosssells .product-card").count() == 0
    page.locator("#confirmation-crosssells").scroll_into_view_if_needed()
    page.wait_for_selector("#confirmation-crosssells .product-card")  # arrived as it came into view
    assert page.locator("h1").inner_text()
    assert "¥17,560" in page.inner_text("#confirmation-items")
    check_axe(page)
    assert page.console_errors == [], page.console_errors
    shoot(page, f"hub-yamakaze-{lang}-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_us_hub_page(open_page, server, check_axe, shoot, viewport):
    page = open_page(f"/o/{server.token('acme', 'placed')}", viewport=viewport, lang="en")
    page.locator("#confirmation-crosssells").scroll_into_view_if_needed()
    page.wait_for_selector("#confirmation-crosssells .product-card")
    assert "$155.64" in page.inner_text("#confirmation-items")
    titles = page.locator(".product-card__title").all_inner_texts()
    assert titles and "Ridge Headlamp" not in titles  # out of stock is never offered
    assert "Trail Runner GTX" not in titles  # nor what was bought
    check_axe(page)
    shoot(page, f"hub-acme-en-{viewport}")


def test_hub_without_javascript_is_complete(open_page, server):
    page = open_page(f"/o/{server.token('yamakaze', 'delivered')}", lang="ja", javascript=False)
    text = page.inner_text("main")
    assert "YK-100234" in text and "¥17,560" in text
    link = page.locator("#confirmation-crosssells a")
    link.click()
    page.wait_for_selector(".product-card")
    assert page.locator(".product-card").count() >= 1


def test_lookup_finds_the_order(open_page, server, check_axe, shoot):
    page = open_page("/lookup", lang="en", viewport="phone")
    check_axe(page)
    page.fill("#f-number", "1042")
    page.fill("#f-proof", "wrong@example.com")
    page.click("button[type=submit]")
    page.wait_for_selector(".alert")
    check_axe(page)
    shoot(page, "lookup-en-phone")
    page.fill("#f-proof", "jordan.lee@example.com")
    page.click("button[type=submit]")
    page.wait_for_url("**/o/**")
    assert "1042" in page.inner_text("main")
