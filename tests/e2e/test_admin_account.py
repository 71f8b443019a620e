"""The admin's door in a real browser: sign in with the demo owner, the team page, invite a store
clerk, the clerk accepts in another browser context and lands on the staff pages; axe-core finds
nothing on any of these pages at phone and desktop width, in Japanese and English."""

from __future__ import annotations

import re

import pytest

OWNER = ("owner@yamakaze.example.jp", "admin-demo-2026")  # printed by `orderhub demo`


def _sign_in(page, server, email: str, password: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin(\?|$|/(?!sign-in))"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sign_in_page(open_page, server, check_axe, shoot, lang):
    for viewport in ("phone", "desktop"):
        page = open_page(f"/admin/sign-in?lang={lang}", viewport=viewport, lang=lang)
        page.fill("input[name=email]", OWNER[0])
        page.fill("input[name=password]", "not the password")
        page.locator("button[type=submit]").click()
        page.wait_for_selector("#admin-signin [role=alert]")
        assert ("don't match" if lang == "en" else "正しくありません") in page.inner_text("#admin-signin")
        check_axe(page)
        shoot(page, f"admin-sign-in-{lang}-{viewport}")
        page.console_errors.clear()  # the browser logs the 422 answer itself


def test_owner_invites_a_clerk_who_joins(open_page, server, check_axe, shoot):
    page = open_page("/admin/sign-in?lang=en", viewport="desktop", lang="en")
    _sign_in(page, server, *OWNER)
    assert page.url.endswith("/admin?lang=en") or "/admin" in page.url
    page.goto(f"{server.url}/admin/users?lang=en")
    check_axe(page)
    page.fill("#f-email", "new.clerk@yamakaze.example.jp")
    page.check("input[name=role][value=staff]")
    page.select_option("#f-store", "shibuya")
    page.locator("button", has_text="Create invitation link").click()
    link = page.locator(".admin-secret").inner_text()
    assert "/admin/invitations/" in link
    check_axe(page)
    shoot(page, "admin-team-en-desktop")
    page.goto(f"{server.url}/admin/users?lang=ja")
    assert "new.clerk@yamakaze.example.jp" in page.inner_text("main")  # open invitation listed
    check_axe(page)
    shoot(page, "admin-team-ja-desktop")
    assert not page.console_errors, page.console_errors

    path = re.search(r"/admin/invitations/[A-Za-z0-9_-]+", link).group(0)
    clerk = open_page(path + "?lang=ja", viewport="phone", lang="ja")  # another browser, not signed in
    assert "new.clerk@yamakaze.example.jp" in clerk.inner_text("main")
    check_axe(clerk)
    shoot(clerk, "admin-join-ja-phone")
    clerk.fill("#f-password", "clerk password 2026")
    clerk.fill("#f-confirm", "clerk password 2026")
    clerk.locator("button[type=submit]").click()
    clerk.wait_for_url(re.compile(r"/admin/returns"))
    nav = clerk.inner_text(".admin-nav")
    assert "返品" in nav and "チーム" not in nav  # staff see their lists, not the owners' pages
    check_axe(clerk)
    shoot(clerk, "admin-staff-returns-ja-phone")
    assert not clerk.console_errors, clerk.console_errors
