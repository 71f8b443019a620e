"""The merchant dashboard and the returns queue in a real browser: sign in as the demo owner,
the dashboard's charts at desktop width in Japanese and English, approve a return from the queue
(htmx swaps its row), the shipments list; axe-core finds nothing on any of these pages."""

from __future__ import annotations

import re

from tests.e2e.admin_ops_login import DEMO_OWNER, sign_in


def test_dashboard_and_returns_queue(open_page, server, check_axe, shoot):
    page = open_page("/admin/sign-in", viewport="desktop", lang="ja")
    page.set_default_timeout(15_000)
    sign_in(page, server, *DEMO_OWNER)
    for lang in ("ja", "en"):
        page.goto(f"{server.url}/admin?lang={lang}")
        page.wait_for_selector("#dashboard-figures svg.chart__svg")
        assert page.locator("svg[role=img]").count() >= 4
        assert int(page.inner_text(".ops-kpi__value >> nth=0").replace(",", "")) > 0  # demo visits
        check_axe(page)
        shoot(page, f"admin-dashboard-{lang}-desktop")
        assert not page.console_errors, page.console_errors
    # a bad date: the message is next to the field
    page.goto(f"{server.url}/admin?start=2026-02-31&lang=en")
    assert "Enter a date like 2026-11-01." in page.inner_text("#dashboard-figures")
    check_axe(page)
    page.console_errors.clear()  # the browser logs the 422 answer itself
    # the returns queue: approve the demo's requested return of order YK-100219 (htmx swaps the row)
    page.goto(f"{server.url}/admin/returns?lang=en")
    row = page.locator("tr", has_text="YK-100219").filter(has_text="Requested").first
    row_id = row.get_attribute("id")
    check_axe(page)
    shoot(page, "admin-returns-en-desktop")
    row.locator("button", has_text="Approve").click()
    swapped = page.locator(f"#{row_id}")
    swapped.locator(".ops-msg--good").wait_for()
    assert "Approved" in swapped.inner_text() and "Mark received" in swapped.inner_text()
    assert re.search(r"/admin/returns", page.url)
    check_axe(page)
    page.goto(f"{server.url}/admin/returns?lang=ja")
    check_axe(page)
    shoot(page, "admin-returns-ja-desktop")
    page.goto(f"{server.url}/admin/shipments?lang=en")
    page.wait_for_selector("#shipments-lists")
    check_axe(page)
    assert not page.console_errors, page.console_errors


def test_returns_queue_without_javascript(open_page, server):
    page = open_page("/admin/sign-in", viewport="phone", lang="en", javascript=False)
    sign_in(page, server, *DEMO_OWNER)
    page.goto(f"{server.url}/admin/returns?status=approved&lang=en")
    row = page.locator("tr", has_text="YK-100219").filter(has_text="Approved").first
    number = row.locator(".ops-row__id .ops-strong").inner_text()
    row.locator("button", has_text="Mark received").click()
    page.wait_for_url(re.compile(r"done=receive"))
    assert f"{number} marked as received." in page.inner_text("main")
