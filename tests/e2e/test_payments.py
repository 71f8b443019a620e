"""A konbini order in a real browser (issue 19 items 1-2): pending, the hub shows the deadline and the
payment number and offers the order confirmation, not a receipt; the storefront marks it paid through
the API and the receipt link appears. Then a refund's credit note and the admin's issue log. Both
languages, phone and desktop, axe-core clean; screenshots of each state and document."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.documents_support import to_png
from tests.e2e.admin_ops_login import DEMO_OWNER, sign_in
from tests.e2e.conftest import ROOT, SCREENSHOTS

DEADLINE = "2099-12-25T14:59:00+00:00"  # far ahead: the page says "pay by", whatever today is


def put_konbini_order(server, external_id: str) -> dict:
    body = copy.deepcopy(json.loads((FIXTURES / "orders" / "jp_ship.json").read_text()))
    body["number"] = f"YK-PAY-{external_id}"
    body["payment"] = {"method": "konbini", "status": "pending", "deadline": DEADLINE, "reference": "7788-1122-3344"}
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}", json=body,
                  headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"})
    assert r.status_code in (200, 201), r.text
    return r.json()


def hub_path(answer: dict) -> str:
    return "/o/" + answer["hub_url"].rsplit("/o/", 1)[1]


def pay(server, external_id: str) -> None:
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}/payment", json={"status": "paid"},
                  headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"})
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text


def refund(server, order_id: str, amount: int) -> None:
    """record_refund on the server's database, as a cancellation would (there is no API call for it)."""
    code = (
        "import asyncio\n"
        "from orderhub.cli import _with_engine\n"
        "from orderhub.db.clock import system_clock\n"
        "from orderhub.db.payments.services import record_refund\n"
        "from orderhub.settings import Settings\n"
        f"asyncio.run(_with_engine(Settings.from_env(), lambda: record_refund({int(order_id)}, {amount}, "
        "reason='キャンセル', source='cancellation', now=system_clock())))\n"
    )
    subprocess.run([sys.executable, "-c", code], env=server.env, cwd=ROOT, check=True, capture_output=True)


def pdf_shot(server, path: str, name: str, lang: str) -> None:
    r = httpx.get(f"{server.url}{path}?lang={lang}", timeout=90)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text[:300]
    to_png(r.content, SCREENSHOTS / f"{name}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_konbini_pending_then_paid_then_refunded(open_page, server, check_axe, shoot, lang):
    external_id = f"e2e-konbini-{lang}"
    answer = put_konbini_order(server, external_id)
    hub = hub_path(answer)
    for viewport in ("phone", "desktop"):
        page = open_page(hub, viewport=viewport, lang=lang)
        card = page.locator("#confirmation-payment")
        assert card.get_attribute("data-payment") == "awaiting"
        assert "7788-1122-3344" in card.inner_text()
        assert ("2099年12月25日 23:59" if lang == "ja" else "Dec 25, 2099, 11:59 PM") in card.inner_text()
        assert page.locator('[data-document="receipt"]').count() == 0
        assert page.locator('[data-document="confirmation"]').count() == 1
        assert page.locator("nav a[href*='/receipt']").count() == 0
        check_axe(page)
        assert page.console_errors == [], page.console_errors
        card.scroll_into_view_if_needed()
        shoot(page, f"payment-pending-{lang}-{viewport}")
    pdf_shot(server, hub + "/confirmation.pdf", f"order-confirmation-{lang}", lang)

    pay(server, external_id)
    page = open_page(hub, viewport="phone", lang=lang)
    assert page.locator("#confirmation-payment").get_attribute("data-payment") == "paid"
    receipt = page.locator('#confirmation-payment [data-document="receipt"]')
    assert receipt.count() == 1 and page.locator('[data-document="confirmation"]').count() == 0
    check_axe(page)
    shoot(page, f"payment-paid-{lang}-phone")
    receipt.click()
    page.wait_for_url(f"**{hub}/receipt**")
    assert page.locator(".doc__title").inner_text() in ("領収書", "Receipt")

    refund(server, answer["id"], 2160)
    page = open_page(hub, viewport="desktop", lang=lang)
    note = page.locator('[data-document="credit-note"]')
    assert note.count() == 1 and "C-" in note.inner_text()
    check_axe(page)
    shoot(page, f"payment-refunded-{lang}-desktop")
    pdf_shot(server, note.get_attribute("href").split("?")[0], f"credit-note-{lang}", lang)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_admin_issue_log(browser, open_page, server, check_axe, shoot, lang):
    external_id = f"e2e-log-{lang}"
    answer = put_konbini_order(server, external_id)
    pay(server, external_id)
    assert httpx.get(f"{server.url}{hub_path(answer)}/receipt.pdf", timeout=90).status_code == 200
    for viewport in ("desktop", "phone"):
        page = open_page("/admin/sign-in", viewport=viewport, lang=lang)
        sign_in(page, server, *DEMO_OWNER)
        page.goto(f"{server.url}/admin/documents?lang={lang}")
        rows = page.locator("tr[data-number]")
        assert rows.count() >= 1
        check_axe(page)
        assert page.console_errors == [], page.console_errors
        shoot(page, f"admin-documents-{lang}-{viewport}")
    page.goto(f"{server.url}/admin/documents?lang={lang}&amount_min=17560&amount_max=17560")
    assert page.locator("tr[data-number]").count() >= 1
    page.goto(f"{server.url}/admin/orders/{external_id}?lang={lang}")
    with page.expect_navigation():
        page.locator("#order-documents button[type=submit]").click()
    assert page.locator("#order-documents .badge--bad").count() == 1  # the old number, marked void
    check_axe(page)
    shoot(page, f"admin-order-receipt-void-{lang}-desktop")
