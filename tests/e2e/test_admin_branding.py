"""The branding editor in a real browser: sign in as an owner, change the primary colour and watch
the live preview follow (computed style), an unreadable colour flagged next to the field while
typing, save the draft, publish, and see the new colour on a shopper's hub (computed style).
axe-core finds nothing on the editor; screenshots at desktop width in both languages and at phone
width. The demo brand is put back at the end (the server is shared by the whole e2e session)."""

from __future__ import annotations

import re

from tests.e2e.admin_ops_login import sign_in

OWNER = ("brand-owner@yamakaze.example", "branding e2e password")
NEW = "rgb(11, 61, 145)"  # #0B3D91
PREVIEW_BAR = ".branding-preview__frame--desktop .brand-bar"


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def wait_background(page, selector: str, rgb: str) -> None:
    page.wait_for_function(
        "([sel, rgb]) => { const el = document.querySelector(sel); return el && getComputedStyle(el).backgroundColor === rgb; }",
        arg=[selector, rgb])


def publish_colour(page, server, colour: str) -> None:
    page.goto(f"{server.url}/admin/branding?lang=en")
    page.fill("#f-primary_color", colour)
    page.fill("#f-words_confirmation_en", "")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"done=draft"))
    publish = page.get_by_role("button", name="Publish the draft")
    if publish.count():
        publish.click()
        page.wait_for_url(re.compile(r"done=published"))


def test_change_colour_preview_publish_and_hub(open_page, server, check_axe, shoot):
    page = open_page("/admin/sign-in", viewport="desktop", lang="en")
    page.set_default_timeout(15_000)
    sign_in(page, server, *OWNER)
    try:
        for lang in ("ja", "en"):
            page.goto(f"{server.url}/admin/branding?lang={lang}")
            page.wait_for_selector(PREVIEW_BAR)
            wait_background(page, PREVIEW_BAR, "rgb(31, 95, 63)")  # the demo brand #1F5F3F
            check_axe(page)
            shoot(page, f"admin-branding-{lang}-desktop")
        page.goto(f"{server.url}/admin/branding?lang=en")  # a fresh page: axe's injected script is gone
        # type a new primary colour: the preview follows without saving
        page.fill("#f-primary_color", "#0B3D91")
        wait_background(page, PREVIEW_BAR, NEW)
        wait_background(page, ".branding-preview__frame--phone .brand-bar", NEW)
        assert page.input_value("input[name=primary_color_picker]") == "#0b3d91"
        # an unreadable colour is flagged next to the field while typing
        page.fill("#f-primary_color", "#FFFF00")
        page.wait_for_selector("#f-primary_color-error")
        assert "1.01:1" in page.inner_text("#f-primary_color-error")
        page.fill("#f-primary_color", "#0B3D91")
        page.wait_for_selector("#f-primary_color-error", state="detached")
        wait_background(page, PREVIEW_BAR, NEW)
        page.fill(
            "#f-words_confirmation_en", "<b>Thanks</b> for shopping with us! <a href='https://example.com/care'>Care guide</a>"
        )
        page.wait_for_selector(".branding-preview__words b")
        # the hub does not change with a draft
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_url(re.compile(r"done=draft"))
        hub = open_page(f"/o/{server.token('yamakaze', 'delivered')}", viewport="phone", lang="en")
        assert background(hub, ".brand-bar") == "rgb(31, 95, 63)"
        # publish: the hub shows the new colour
        page.get_by_role("button", name="Publish the draft").click()
        page.wait_for_url(re.compile(r"done=published"))
        hub.reload()
        wait_background(hub, ".brand-bar", NEW)
        assert "Thanks for shopping with us!" in hub.inner_text(".merchant-words")
        check_axe(hub)
        assert not page.console_errors, page.console_errors
        # the live error state passes axe too
        page.fill("#f-accent_color", "#777777")
        page.wait_for_selector("#f-accent_color-error")
        check_axe(page)
        phone = open_page("/admin/sign-in", viewport="phone", lang="ja")
        sign_in(phone, server, *OWNER)
        phone.goto(f"{server.url}/admin/branding?lang=ja")
        phone.wait_for_selector(PREVIEW_BAR)
        check_axe(phone)
        shoot(phone, "admin-branding-ja-phone")
    finally:
        publish_colour(page, server, "#1F5F3F")  # the demo brand, for the rest of the e2e session
