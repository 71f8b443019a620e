"""Following links in a real browser: htmx boosts them (the body is swapped, no full reload), and the
new page's own stylesheets and scripts still arrive (hx-head merges <head>), so a section reached by
a click looks and behaves exactly like one opened directly."""

from __future__ import annotations

import re

from tests.e2e.admin_ops_login import sign_in
from tests.e2e.test_tracking import post_event, wait_live

OWNER = ("navigation-owner@yamakaze.example", "navigation e2e password")


def style(page, selector: str, prop: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r}))[{prop!r}]")


def test_hub_section_reached_by_a_click_has_its_styles_and_live_updates(open_page, server):
    page = open_page(f"/o/{server.token('yamakaze', 'shipped')}?lang=en", viewport="desktop", lang="en")
    page.evaluate("window.__marker = 'same document'")
    page.locator("nav a", has_text="Tracking").first.click()
    page.wait_for_url(re.compile(r"/tracking"))
    page.wait_for_selector(".tracking")
    assert page.evaluate("window.__marker") == "same document"  # boosted: no full reload
    page.wait_for_function("getComputedStyle(document.querySelector('.tracking')).display === 'grid'")
    assert style(page, ".tracking", "display") == "grid"  # tracking.css, linked in the new page's head
    wait_live(page)  # live.js and hx-sse arrived with the page and connected
    number = page.inner_text(".shipment__carrier a").split("(")[0].strip()
    r = post_event(server, "yamakaze", number, "yamato", "e2e-nav-1", "out_for_delivery", "Nav Depot E2E")
    assert r.status_code == 202, r.text
    page.wait_for_selector("text=Nav Depot E2E", timeout=5_000)
    assert page.console_errors == [], page.console_errors


def test_admin_page_reached_by_a_click_has_its_styles(open_page, server):
    page = open_page("/admin/sign-in?lang=en", viewport="desktop", lang="en")
    sign_in(page, server, *OWNER)
    page.goto(f"{server.url}/admin/returns?lang=en")
    page.evaluate("window.__marker = 'same document'")
    page.locator(".admin-nav a", has_text="Settings").click()
    page.wait_for_url(re.compile(r"/admin/settings"))
    page.wait_for_function("getComputedStyle(document.querySelector('.settings-index')).display === 'grid'")
    assert page.evaluate("window.__marker") == "same document"
    page.locator(".settings-index a", has_text="Return policy").click()
    page.wait_for_url(re.compile(r"/admin/settings/policy"))
    page.wait_for_function("getComputedStyle(document.querySelector('.settings-grid')).display === 'grid'")
    assert page.console_errors == [], page.console_errors
