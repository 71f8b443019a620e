"""The merchant's settings pages in a real browser: every page passes axe-core in Japanese and
English at desktop and phone width; a wrong value shows its message next to the field and keeps
what was typed; an API key is shown once after it is created."""

from __future__ import annotations

import pytest

from tests.e2e.admin_ops_login import sign_in

OWNER = ("settings-owner@yamakaze.example", "settings e2e password")
PAGES = ("", "/support", "/policy", "/cross-sells", "/feedback", "/emails", "/stores", "/stores/shibuya",
         "/stores/new", "/webhooks", "/api-keys")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_settings_page_is_accessible(open_page, server, check_axe, shoot, lang):
    page = open_page(f"/admin/sign-in?lang={lang}", viewport="desktop", lang=lang)
    sign_in(page, server, *OWNER)
    for path in PAGES:
        page.goto(f"{server.url}/admin/settings{path}?lang={lang}")
        assert page.locator("h1").count() == 1, path
        check_axe(page)
    page.goto(f"{server.url}/admin/settings?lang={lang}")
    shoot(page, f"admin-settings-{lang}-desktop")
    page.goto(f"{server.url}/admin/settings/policy?lang={lang}")
    shoot(page, f"admin-settings-policy-{lang}-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("", "/stores/shibuya", "/webhooks", "/api-keys"):
        page.goto(f"{server.url}/admin/settings{path}?lang={lang}")
        check_axe(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shoot(page, f"admin-settings-api-keys-{lang}-phone")
    assert not page.console_errors, page.console_errors


def test_wrong_value_is_explained_next_to_its_field(open_page, server, check_axe, shoot):
    page = open_page("/admin/sign-in?lang=ja", viewport="desktop", lang="ja")
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/settings/support?lang=ja")
    kept = page.input_value("#f-email")
    page.fill("#f-email", "support-at-yamakaze")
    page.locator("form.settings-form button[type=submit]").click()
    page.wait_for_selector("#f-email-error")
    assert "メールアドレスを入力してください" in page.inner_text("#f-email-error")
    assert page.input_value("#f-email") == "support-at-yamakaze"
    assert page.get_attribute("#f-email", "aria-describedby").strip().endswith("f-email-error")
    check_axe(page)
    shoot(page, "admin-settings-support-error-ja-desktop")
    page.fill("#f-email", kept)
    page.locator("form.settings-form button[type=submit]").click()
    page.wait_for_selector("[role=status]")
    assert "保存しました" in page.inner_text("[role=status]")
    page.console_errors.clear()  # the browser logs the 422 answer itself


def test_api_key_is_shown_once(open_page, server, check_axe):
    page = open_page("/admin/sign-in?lang=en", viewport="desktop", lang="en")
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/settings/api-keys?lang=en")
    page.fill("#f-label", "Browser test")
    page.locator("button", has_text="Create the key").click()
    key = page.locator(".admin-secret").inner_text().strip()
    assert len(key) > 30
    check_axe(page)
    page.goto(f"{server.url}/admin/settings/api-keys?lang=en")
    assert key not in page.content() and key[:8] in page.content()
    assert "Browser test" in page.inner_text("main")
