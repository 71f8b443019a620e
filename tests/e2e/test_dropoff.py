"""Where to drop a return, in a real browser: the wizard's method step lists the stores and partner
points (New York: nearest first from the delivery address; Tokyo: by name, the page says the distance
is unknown), the review says the send-by day, the approved return page lists the places, and the
merchant's drop-off points pages; each in Japanese and English, phone and desktop, with zero axe-core
violations. Screenshots: docs/screenshots/dropoff-*.png."""

from __future__ import annotations

import re

from tests.e2e.admin_ops_login import sign_in

VIEWPORTS = ("phone", "desktop")
OWNER = ("dropoff-owner@yamakaze.example", "drop-off e2e password")


def _both(page, shoot, check_axe, url: str, name: str, wait: str) -> None:
    """The page at `url` in both languages and both widths."""
    for lang in ("ja", "en"):
        for viewport in VIEWPORTS:
            page.set_viewport_size({"width": 390, "height": 844} if viewport == "phone" else {"width": 1280, "height": 900})
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            page.wait_for_selector(wait)
            check_axe(page)
            shoot(page, f"{name}-{lang}-{viewport}")


def _to_method(page, base: str) -> None:
    page.goto(f"{base}/new/items?lang=en")
    page.locator("select[name^=qty_]").first.select_option("1")
    page.click("button:has-text('Continue')")
    page.wait_for_url(re.compile(r"/returns/new/reason"))
    page.check("input[name=reason][value=too_small]")
    page.click("button:has-text('Continue')")
    page.wait_for_url(re.compile(r"/returns/new/resolution"))
    page.check("input[name=resolution][value=refund]")
    page.click("button:has-text('Continue')")
    page.wait_for_url(re.compile(r"/returns/new/method"))
    page.wait_for_selector("#returns-dropoff")


def test_new_york_nearest_first_then_the_approved_return_page(open_page, server, check_axe, shoot):
    base = f"/o/{server.token('acme', 'delivered')}/returns"
    page = open_page(f"{base}/new/items", viewport="desktop", lang="en")
    page.set_default_timeout(15_000)
    _to_method(page, f"{server.url}{base}")
    listed = page.inner_text("#returns-dropoff")
    assert "Nearest first, measured from your delivery address" in listed
    names = page.locator(".dropoff__place strong").all_inner_texts()
    assert names[0].startswith("Hudson St parcel locker") or names[0].startswith("Acme Outfitters SoHo")
    assert names[-1].startswith("Brooklyn Main Post Office")  # the furthest
    assert re.search(r"\d(\.\d)? mi", listed)
    # another postal code: the list is measured from there
    page.fill("#dropoff-postal", "11201")
    page.click("button:has-text('Sort by distance')")
    page.wait_for_url(re.compile(r"postal=11201"))
    assert page.locator(".dropoff__place strong").first.inner_text().startswith("Brooklyn Main Post Office")
    _both(page, shoot, check_axe, f"{server.url}{base}/new/method", "dropoff-method-us", "#returns-dropoff")
    page.goto(f"{server.url}{base}/new/method?lang=en")
    page.check("input[name=method][value=drop_off]")
    page.click("button:has-text('Continue')")
    page.wait_for_url(re.compile(r"/returns/new/review"))
    review = page.inner_text("#returns-wizard")
    assert re.search(r"Please send it by \w{3} \d{1,2}, \d{4}\.", review), review
    day = re.search(r"Please send it by (\w{3} \d{1,2}, \d{4})\.", review).group(1)
    page.click("button:has-text('Submit return')")
    page.wait_for_url(re.compile(r"/returns/\d+"))
    page.wait_for_selector("#returns-dropoff")
    assert day in page.inner_text(".returns-send-by")
    detail = page.url.split("?")[0]
    _both(page, shoot, check_axe, detail, "dropoff-return-us", "#returns-dropoff")


def test_tokyo_by_name_when_the_distance_is_unknown(open_page, server, check_axe, shoot):
    base = f"/o/{server.token('yamakaze', 'delivered')}/returns"
    page = open_page(f"{base}/new/items", viewport="phone", lang="ja")
    page.set_default_timeout(15_000)
    _to_method(page, f"{server.url}{base}")
    page.goto(f"{server.url}{base}/new/method?lang=ja")
    listed = page.inner_text("#returns-dropoff")
    assert "距離がわからないため、名前順" in listed and "コンビニ" in listed and "郵便局" in listed
    _both(page, shoot, check_axe, f"{server.url}{base}/new/method", "dropoff-method-jp", "#returns-dropoff")


def test_merchant_manages_partner_points(open_page, server, check_axe, shoot):
    page = open_page("/admin/sign-in", viewport="desktop", lang="en")
    page.set_default_timeout(15_000)
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/settings/drop-off-points?lang=en")
    assert "FamilyMart Udagawacho" in page.inner_text("#admin-points") or "ファミリーマート" in page.inner_text("#admin-points")
    _both(page, shoot, check_axe, f"{server.url}/admin/settings/drop-off-points", "dropoff-admin-list", "#admin-points")
    page.goto(f"{server.url}/admin/settings/drop-off-points/new?lang=en")
    page.fill("#f-name", "Lawson Jinnan")
    page.fill("#f-address_postal_code", "15000")  # not a Japanese postal code
    page.fill("#f-address_city", "渋谷区")
    page.fill("#f-address_line1", "神南 1-1")
    page.click("button:has-text('Add the drop-off point')")
    page.wait_for_selector("#f-address_postal_code-error")
    assert "not a postal code of that country" in page.inner_text("#f-address_postal_code-error")
    check_axe(page)
    shoot(page, "dropoff-admin-error-en-desktop")
    page.fill("#f-address_postal_code", "150-0041")
    page.click("button:has-text('Add the drop-off point')")
    page.wait_for_url(re.compile(r"/admin/settings/drop-off-points\?"))
    assert "Lawson Jinnan" in page.inner_text("#admin-points")
    _both(page, shoot, check_axe, f"{server.url}/admin/settings/drop-off-points/new", "dropoff-admin-form", "#admin-point")
