"""Changing the delivery before shipment in a real browser (issue 19 item 4): the shopper confirms it's
them with the code emailed to the order's address, changes the delivery time and the address (one in
the same zone applies at once, one in another zone waits for the shop), the shop accepts through the
API; the carrier's redelivery link after a failed delivery attempt. Every state accessible, in both
languages, on phone and desktop, with screenshots in docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path

import httpx

from tests.conftest import fixture

COMBOS = [("phone", "ja"), ("phone", "en"), ("desktop", "ja"), ("desktop", "en")]


def _api(server, method: str, path: str, body: dict | None = None) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/v1{path}", json=body, timeout=20,
                         headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"})


def _new_order(server, suffix: str) -> tuple[str, str]:
    """A fresh unshipped order of its own (other tests keep the demo orders as they are): (external id, token)."""
    external_id = f"e2e-change-{suffix}-{uuid.uuid4().hex[:6]}"
    body = fixture("orders/jp_ship.json") | {"number": f"YK-CHG-{uuid.uuid4().hex[:6].upper()}",
                                             "placed_at": dt.datetime.now(dt.UTC).isoformat()}
    r = _api(server, "PUT", f"/orders/{external_id}", body)
    assert r.status_code == 201, r.text
    return external_id, r.json()["hub_url"].rsplit("/o/", 1)[1]


def _latest_code(server, token_hint: str) -> str:
    """The newest step-up code in the outbox, as the shopper reads it in their inbox (no SMTP in e2e)."""
    path = Path(server.env["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT payload FROM email_messages WHERE event = 'stepup.code' "
                         "ORDER BY id DESC LIMIT 1").fetchone()
    assert row, "no step-up email"
    return str(json.loads(row[0])["code"])


def _same_browser(browser, first_page, viewport: str, lang: str):
    """Another window of the same browser (its step-up cookie), in another size and language."""
    from tests.e2e.conftest import VIEWPORTS

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US")
    context.add_cookies(first_page.context.cookies())
    return context


def _submit(page, form: str, what: str) -> None:
    """Submit a change form and wait until htmx has put its answer in place of the page's block: the block
    on screen before the click is marked, and the wait ends when the block on screen is an unmarked one
    (a 'done' notice from an earlier change is already on the page, so waiting for it would not wait)."""
    page.eval_on_selector("#change-page", "block => block.dataset.beforeSubmit = 'yes'")
    with page.expect_response(lambda r: f"/change/{what}" in r.url and r.request.method == "POST") as answer:
        page.click(f"{form} button[type=submit]")
    assert answer.value.status == 200, answer.value.status
    page.wait_for_selector("#change-page:not([data-before-submit])")


def _shots(browser, page, server, path: str, name: str, check_axe, shoot, expect: str = "") -> None:
    for viewport, lang in COMBOS:
        context = _same_browser(browser, page, viewport, lang)
        try:
            other = context.new_page()
            other.goto(f"{server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
            if expect:
                assert other.locator(expect).count() >= 1, (name, lang, viewport)
            check_axe(other)
            shoot(other, f"{name}-{lang}-{viewport}")
        finally:
            context.close()


def test_change_the_time_slot_and_the_address_before_shipment(open_page, browser, server, check_axe, shoot):
    external_id, token = _new_order(server, "flow")
    page = open_page(f"/o/{token}", viewport="phone", lang="ja")
    page.click("[data-change-delivery]")
    page.wait_for_url(f"**/o/{token}/change**")
    assert "まず、ご本人" in page.inner_text("#stepup-card") or "ご本人" in page.inner_text("#stepup-card")
    check_axe(page)
    shoot(page, "change-stepup-ja-phone")
    page.click("#stepup-card .stepup__send button")
    page.wait_for_selector("#f-answer")
    page.fill("#f-answer", _latest_code(server, token))
    page.click("#stepup-card .stepup__check button")
    page.wait_for_selector("#change-window form")
    assert page.input_value("#f-line1") == "神南1-2-3"  # stepped up: the street address to edit
    _shots(browser, page, server, f"/o/{token}/change", "change-form", check_axe, shoot, "#change-address form")

    # the delivery time: applied at once
    page.select_option("#f-window", "morning")
    _submit(page, "#change-window", "window")
    page.wait_for_selector('[data-change-done="applied"]')
    assert "午前中" in page.inner_text('[data-now="window"]')

    # an address in the same zone (Tokyo -> Kanagawa): applied at once
    page.fill("#f-postal_code", "220-0012")
    page.select_option("#f-region", "神奈川県")
    page.fill("#f-city", "横浜市西区")
    page.fill("#f-line1", "みなとみらい2-2-1")
    page.fill("#f-line2", "")
    _submit(page, "#change-address", "address")
    page.wait_for_selector('[data-change-done="applied"]')
    assert "横浜市西区みなとみらい2-2-1" in page.inner_text('[data-now="address"]')

    # an address in another zone (Osaka): a request the shop answers
    page.fill("#f-postal_code", "530-0001")
    page.select_option("#f-region", "大阪府")
    page.fill("#f-city", "大阪市北区")
    page.fill("#f-line1", "梅田3-1-1")
    _submit(page, "#change-address", "address")
    page.wait_for_selector('[data-change-done="pending"]')
    assert page.locator('[data-state="pending"]').count() == 1
    check_axe(page)
    assert page.console_errors == [], page.console_errors
    _shots(browser, page, server, f"/o/{token}/change", "change-pending", check_axe, shoot, '[data-state="pending"]')
    _shots(browser, page, server, f"/o/{token}", "change-order-page-pending", check_axe, shoot, "[data-pending-changes]")

    order = _api(server, "GET", f"/orders/{external_id}").json()
    assert order["delivery"]["window"] == "morning" and order["delivery"]["address"]["region"] == "神奈川県"
    [pending] = order["pending_changes"]
    r = _api(server, "POST", f"/orders/{external_id}/changes/{pending['id']}", {"decision": "accept"})
    assert r.status_code == 200 and r.json()["state"] == "applied"
    page.reload()
    assert page.locator('[data-state="pending"]').count() == 0
    assert "大阪市北区" in page.inner_text('[data-now="address"]')
    _shots(browser, page, server, f"/o/{token}/change", "change-applied", check_axe, shoot, '[data-state="applied"]')


def test_a_failed_delivery_attempt_links_the_carriers_redelivery_page(open_page, server, check_axe, shoot):
    external_id, token = _new_order(server, "redelivery")
    shipment = fixture("tracking/yamato_delivered.json")["shipment"]
    number = f"4012-{uuid.uuid4().int % 10000:04d}-{uuid.uuid4().int % 10000:04d}"
    r = _api(server, "PUT", f"/orders/{external_id}/shipments/S1",
             {k: v for k, v in shipment.items() if k != "id"} | {"tracking_number": number})
    assert r.status_code in (200, 201), r.text
    now = dt.datetime.now(dt.UTC)
    r = _api(server, "POST", "/tracking-events", {"carrier": "yamato", "tracking_number": number, "events": [
        {"id": "e2e-r1", "status": "in_transit", "occurred_at": (now - dt.timedelta(hours=20)).isoformat(),
         "location": "羽田クロノゲートベース"},
        {"id": "e2e-r2", "status": "failed_attempt", "substatus": "recipient_unavailable",
         "occurred_at": (now - dt.timedelta(hours=1)).isoformat(), "location": "渋谷神南センター",
         "message": "ご不在のため持ち戻りました"}]})
    assert r.status_code == 202, r.text
    digits = number.replace("-", "")
    for viewport, lang in COMBOS:
        page = open_page(f"/o/{token}/tracking", viewport=viewport, lang=lang)
        link = page.locator("[data-redelivery]")
        assert link.count() == 1
        assert link.get_attribute("href") == f"https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id={digits}"
        assert ("再配達" if lang == "ja" else "Arrange a redelivery") in link.inner_text()
        check_axe(page)
        shoot(page, f"tracking-redelivery-{lang}-{viewport}")
