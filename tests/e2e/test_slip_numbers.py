"""The 着払い slip's tracking number (送り状番号) in a real browser: on a phone, in Japanese, the shopper
of an approved mail return types a wrong number (the message appears next to the field), then the number
from the carrier's receipt with full-width digits; htmx swaps the return page's block, which then shows
the number. Checked with axe; the return page is shot at phone and desktop width in Japanese and English."""

from __future__ import annotations

import httpx

from tests.e2e.labels_flow import choose_label_provider
from tests.e2e.test_return_labels import _mail_return, _sign_in, label_server, labels_page  # noqa: F401

NUMBER = "444413758703"  # a Yamato number: 11 digits, then their remainder modulo 7


def test_shopper_enters_the_slip_number_on_a_phone(labels_page, label_server, check_axe, shoot):  # noqa: F811
    admin = labels_page("/admin/settings/labels", viewport="desktop", lang="ja")
    _sign_in(admin, label_server, "yamakaze")
    choose_label_provider(admin, label_server, "jp_slip", selects={"jp_carrier": "yamato"})
    token, rid = _mail_return(label_server, "yamakaze")

    for viewport in ("phone", "desktop"):
        for lang in ("ja", "en"):
            page = labels_page(f"/o/{token}/returns/{rid}", viewport=viewport, lang=lang)
            page.locator("#returns-slip-number form").wait_for()
            check_axe(page)
            shoot(page, f"return-slip-number-{viewport}-{lang}")

    page = labels_page(f"/o/{token}/returns/{rid}", viewport="phone", lang="ja")
    field = page.locator("#f-tracking_number")
    field.fill("4444-1375-8704")
    page.locator("#returns-slip-number button[type=submit]").click()
    error = page.locator("#f-tracking_number-error")
    error.wait_for()
    assert "番号が合いません" in error.inner_text()
    assert page.locator("#f-tracking_number").get_attribute("aria-invalid") == "true"
    check_axe(page)
    shoot(page, "return-slip-number-error-phone-ja")

    page.locator("#f-tracking_number").fill("４４４４－１３７５－８７０３")
    page.locator("#returns-slip-number button[type=submit]").click()
    page.locator("#returns-slip-number .alert--good").wait_for()
    assert NUMBER in page.locator("#returns-slip-number").inner_text()
    assert page.url.endswith(f"/o/{token}/returns/{rid}") or f"/returns/{rid}" in page.url
    check_axe(page)
    shoot(page, "return-slip-number-saved-phone-ja")
    headers = {"Authorization": f"Bearer {label_server.api_key('yamakaze')}"}
    api = httpx.get(f"{label_server.url}/api/v1/returns/{rid}", headers=headers, timeout=10).json()
    assert api["label"]["tracking_number"] == NUMBER

    admin.goto(f"{label_server.url}/admin/returns/{rid}?lang=en")
    admin.locator("#rd-prepaid").wait_for()
    assert NUMBER in admin.locator("section:has(#rd-prepaid)").inner_text()
    check_axe(admin)
    shoot(admin, "admin-return-slip-number-desktop-en")
