"""Hub links in a real browser (issue 18 item 11): the merchant sets links to expire a day after the
order date in the admin settings, the demo's older links then land on the shop's lookup page with the
"expired" message (ja/en, phone/desktop); the admin finds an order by number, confirms and replaces
its link, and sees the new one once. axe-core finds nothing on any of these pages. On a server of
its own: the expiry setting must not reach the other browser tests' pages."""

from __future__ import annotations

import re

import pytest

from tests.e2e.admin_ops_login import sign_in
from tests.e2e.conftest import VIEWPORTS, start_server, stop_server

OWNER = ("links-owner@yamakaze.example", "hub links e2e password")
EXPIRED = {"ja": "このリンクは有効期限が切れています。注文番号とメールアドレスまたは郵便番号で注文を探してください。",
           "en": "This link has expired. Find your order with its number and your email or postal code."}


@pytest.fixture(scope="module")
def own_server():
    s = start_server()
    yield s
    stop_server(s)


def test_admin_replaces_a_link_and_expired_links_reach_the_lookup(browser, own_server, check_axe, shoot):
    server = own_server
    contexts = []

    def new_page(viewport: str, lang: str):
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US",
                                      extra_http_headers={"Accept-Language": lang})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        return page

    try:
        admin = new_page("desktop", "en")
        sign_in(admin, server, *OWNER)
        # the order page, found by its number; the confirmation step; the new link shown once
        for viewport in ("desktop", "phone"):
            admin.set_viewport_size(VIEWPORTS[viewport])
            for lang in ("en", "ja"):
                admin.goto(f"{server.url}/admin/orders?number=YK-100219&lang={lang}")
                admin.wait_for_selector("#order-page")
                check_axe(admin)
                admin.locator("a", has_text="…").click()
                admin.wait_for_selector(".ops-confirm")
                check_axe(admin)
                shoot(admin, f"admin-order-revoke-confirm-{lang}-{viewport}")
                admin.locator(".ops-confirm button[type=submit]").click()
                admin.wait_for_selector("#order-new-link")
                link = admin.inner_text("#order-new-link")
                assert re.fullmatch(rf"{re.escape(server.url)}/o/[A-Za-z0-9_-]{{32}}", link), link
                check_axe(admin)
                shoot(admin, f"admin-order-new-link-{lang}-{viewport}")
                shopper = new_page("phone", lang)
                shopper.goto(link)
                assert shopper.url == link and "YK-100219" in shopper.inner_text("main")
        assert not admin.console_errors, admin.console_errors

        # links expire one day after the order date: the demo's older orders' links are past it
        admin.goto(f"{server.url}/admin/settings/links?lang=en")
        admin.fill("input[name=expire_days]", "1")
        admin.select_option("select[name=after]", "order")
        admin.locator("form.settings-form button[type=submit]").click()
        admin.wait_for_url(re.compile(r"saved=1"))
        check_axe(admin)
        shoot(admin, "admin-settings-links-en-desktop")
        delivered = server.token("yamakaze", "delivered")
        for viewport in ("phone", "desktop"):
            for lang in ("ja", "en"):
                shopper = new_page(viewport, lang)
                shopper.goto(f"{server.url}/o/{delivered}?lang={lang}")
                assert "/lookup?merchant=yamakaze&expired=1" in shopper.url
                message = shopper.inner_text("#lookup-form .alert")
                assert message == EXPIRED[lang]
                check_axe(shopper)
                shoot(shopper, f"lookup-expired-{lang}-{viewport}")
                assert not shopper.console_errors, shopper.console_errors
    finally:
        for context in contexts:
            context.close()
