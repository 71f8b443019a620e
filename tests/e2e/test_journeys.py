"""The order page follows a pickup live (issue 17, item 4), and the return page says where and by
when (item 5): in a real browser, ja and en at phone width, accessible, with screenshots."""

from __future__ import annotations

from tests.e2e.test_pickup import new_pickup_order, order_number, staff_page


def test_order_page_pickup_card_follows_arrival_and_hand_over_live(open_page, server, check_axe, shoot):
    token = new_pickup_order(server, "e2e-journey-0001")
    shopper = open_page(f"/o/{token}", viewport="phone", lang="ja")
    shopper.evaluate("window.__marker = 'order page'")
    shopper.wait_for_selector('#confirmation-pickup-live[data-live="open"]', timeout=10_000)
    card = shopper.locator("#confirmation-pickup")
    assert card.locator("svg.qr").count() == 1 and "到着しました" in card.inner_text()
    check_axe(shopper)
    shoot(shopper, "order-pickup-ready-ja-phone")
    assert shopper.console_errors == [], shopper.console_errors

    # something outside the page (an extension, a password manager, the screenshot above) may give the
    # form's fields an inline style through the CSSOM; htmx's swap must not copy it as an attribute (CSP)
    shopper.evaluate("document.querySelectorAll('#confirmation-pickup input').forEach(e => e.style.color = '')")
    assert shopper.evaluate("document.querySelectorAll('#confirmation-pickup input[style]').length") > 0
    shopper.click("#confirmation-pickup >> text=到着しました")
    shopper.wait_for_selector("#confirmation-pickup >> text=ご到着をお店に伝えました", timeout=5_000)
    assert shopper.evaluate("window.__marker") == "order page"  # answered in place, no navigation
    assert card.locator("text=到着しました").count() == 0 and card.locator("svg.qr").count() == 1
    check_axe(shopper)
    shoot(shopper, "order-pickup-arrived-ja-phone")

    staff = staff_page(open_page, viewport="phone")
    staff.locator(".staff-row--arrived", has_text=order_number("e2e-journey-0001")).locator("a").click()
    staff.wait_for_selector("#staff-detail")
    staff.click("text=お渡しを確定")
    staff.wait_for_selector("text=お渡ししました。", timeout=5_000)
    assert "担当 staff@" in staff.inner_text("#staff-detail")  # who handed it over, and when
    shoot(staff, "staff-pickup-handed-over-ja-phone")

    # the order page hears the hand-over without reload
    shopper.wait_for_selector("#confirmation-pickup >> text=お受け取りになりました", timeout=5_000)
    assert shopper.evaluate("window.__marker") == "order page"
    assert card.locator("svg.qr").count() == 0
    check_axe(shopper)
    shoot(shopper, "order-pickup-picked-up-ja-phone")
    english = open_page(f"/o/{token}", viewport="phone", lang="en")
    assert "Picked up at" in english.inner_text("#confirmation-pickup")
    check_axe(english)
    shoot(english, "order-pickup-picked-up-en-phone")
    # no console error or CSP violation on either side, through every swap
    assert shopper.console_errors == [], shopper.console_errors
    assert english.console_errors == [], english.console_errors
    assert staff.console_errors == [], staff.console_errors


def test_order_page_pickup_card_without_javascript(open_page, server, shoot):
    token = new_pickup_order(server, "e2e-journey-0002")
    page = open_page(f"/o/{token}", viewport="phone", lang="en", javascript=False)
    page.click("#confirmation-pickup >> text=I'm on my way")
    page.wait_for_selector("#confirmation-pickup >> text=We know you're on your way")
    assert page.url.split("?")[0].endswith(f"/o/{token}")
    page.click("#confirmation-pickup >> text=I'm here")
    page.wait_for_selector("#confirmation-pickup >> text=We know you're here")
    shoot(page, "order-pickup-arrived-en-phone")


def test_order_page_shows_the_refund_of_a_returned_order(open_page, server, check_axe, shoot):
    token = server.token("yamakaze", "returned")
    for lang, words in (("ja", "返金しました"), ("en", "Refunded")):
        page = open_page(f"/o/{token}", viewport="phone", lang=lang)
        assert words in page.inner_text("#confirmation-refunds")
        check_axe(page)
        shoot(page, f"order-refunds-{lang}-phone")
