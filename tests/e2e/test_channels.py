"""The channel settings in a real browser: the page passes axe-core in Japanese and English at
desktop and phone width; saving SMS without its credentials explains it next to the field; saved
credentials come back only as "…abcd"; the shopper's updates page offers the channel turned on."""

from __future__ import annotations

import pytest

from tests.e2e.admin_ops_login import sign_in

OWNER = ("channels-owner@yamakaze.example", "channels e2e password")
TOKEN = "line-access-token-abcdefghijklmnop"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_channel_settings_page(open_page, server, check_axe, shoot, lang):
    page = open_page(f"/admin/sign-in?lang={lang}", viewport="desktop", lang=lang)
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/settings/channels?lang={lang}")
    assert page.locator("h1").count() == 1
    check_axe(page)
    # turning SMS on without credentials: the message is next to the field
    sms = page.locator("#channel-sms")
    sms.locator("input[name=sms_enabled]").check()
    sms.locator("button[type=submit]").click()
    page.wait_for_selector("#f-account_sid-error")
    assert page.locator("#f-sms_enabled").is_checked()  # what was chosen is kept
    check_axe(page)
    shoot(page, f"admin-channels-error-{lang}-desktop")
    # LINE with its credentials: saved, shown back only as a hint
    page.goto(f"{server.url}/admin/settings/channels?lang={lang}")
    line = page.locator("#channel-line")
    line.locator("input[name=line_enabled]").check()
    line.locator("input[name=channel_secret]").fill("line-channel-secret-0123456789")
    line.locator("input[name=access_token]").fill(TOKEN)
    line.locator("button[type=submit]").click()
    page.wait_for_selector("[role=status]")
    assert TOKEN not in page.content() and "…mnop" in page.content()
    check_axe(page)
    shoot(page, f"admin-channels-{lang}-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/admin/settings/channels?lang={lang}")
    check_axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, f"admin-channels-{lang}-phone")
    # the shopper's page lists LINE now that it is on
    page.goto(f"{server.url}/o/{server.token('yamakaze', 'delivered')}/updates?lang={lang}")
    assert page.locator("h1").count() == 1 and "LINE" in page.inner_text("#updates-channels")
    check_axe(page)
    shoot(page, f"hub-updates-{lang}-phone")
    page.console_errors.clear()  # the browser logs the 422 answer itself
