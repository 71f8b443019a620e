"""Issue 18 in a browser, against a real `orderhub serve` with its access log ON and everything it
logs going to a file: hub and invitation tokens never reach that file; an invitation opens once and
then says it was accepted; the account page changes the password (screenshots, axe)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.admin_ops_login import sign_in
from tests.e2e.conftest import VIEWPORTS, start_server, stop_server

OWNER = ("hardening-owner@yamakaze.example", "hardening e2e password")
NEW_PASSWORD = "hardening e2e password, new"


@pytest.fixture(scope="module")
def logged_server():
    s = start_server(extra_env={"ORDERHUB_ACCESS_LOG": "1"})
    yield s
    stop_server(s)


def _context(browser, viewport: str = "phone", lang: str = "ja"):
    return browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US",
                               extra_http_headers={"Accept-Language": lang})


def test_tokens_never_reach_the_logs_and_invitations_open_once(browser, logged_server, check_axe, shoot):
    server = logged_server
    owner = _context(browser, "desktop", "en")
    page = owner.new_page()
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/users?lang=en")
    page.fill("input[name=email]", "new-clerk@yamakaze.example")
    page.check("input[name=role][value=owner]")
    page.locator("form:has(input[name=email]) button[type=submit]").click()
    page.wait_for_selector(".admin-secret")
    link = re.search(r"https?://\S+/admin/invitations/[A-Za-z0-9_-]+", page.inner_text(".admin-secret")).group(0)
    invitation_token = link.rsplit("/", 1)[1]

    guest = _context(browser, "phone", "ja")
    join = guest.new_page()
    join.goto(link)
    assert join.locator("input[name=password]").count() == 1
    join.fill("input[name=password]", "a new member's password")
    join.fill("input[name=confirm]", "a new member's password")
    join.locator("form button[type=submit]").click()
    join.wait_for_url(re.compile(r"/admin(/|$)"))
    again = guest.new_page()
    answer = again.goto(link)
    assert answer.status == 410 and "この招待はすでに受け付けられています" in again.inner_text("main")
    check_axe(again)
    shoot(again, "admin-invitation-used-ja-phone")

    hub_tokens = list(server.tokens.values())[:3]
    shopper = _context(browser, "phone", "ja").new_page()
    for token in hub_tokens:
        for section in ("", "/tracking", "/returns", "/receipt"):
            shopper.goto(f"{server.url}/o/{token}{section}")
    shopper.goto(f"{server.url}/o/{'x' * 32}")  # an unknown token: a 404 with the path in the access log
    for context in (owner, guest, shopper.context):
        context.close()

    stop_server(server)  # flush and close the log file
    log = server.log.read_text()
    assert "GET /o/[redacted]" in log and "/admin/invitations/[redacted]" in log  # the access log was on
    for secret in (invitation_token, *hub_tokens, "x" * 32):
        assert secret not in log


@pytest.mark.parametrize("viewport, lang", [("phone", "ja"), ("desktop", "en"), ("phone", "en"), ("desktop", "ja")])
def test_the_account_page(browser, server, check_axe, shoot, viewport, lang):
    email = f"account-{viewport}-{lang}@yamakaze.example"
    context = _context(browser, viewport, lang)
    page = context.new_page()
    sign_in(page, server, email, OWNER[1])
    page.goto(f"{server.url}/admin/account/password?lang={lang}")
    check_axe(page)
    page.fill("input[name=current]", "wrong password here")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.locator("#password-title ~ form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#f-current-error").count() == 1
    check_axe(page)
    shoot(page, f"admin-password-error-{lang}-{viewport}")
    page.fill("input[name=current]", OWNER[1])
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.locator("#password-title ~ form button[type=submit]").click()
    page.wait_for_url(re.compile(r"changed=1"))
    check_axe(page)
    shoot(page, f"admin-password-{lang}-{viewport}")
    context.close()
