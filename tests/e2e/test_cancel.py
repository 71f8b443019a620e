"""A shopper cancels a paid konbini order in a real browser (issue 19 item 3): the order page's
"Cancel order" link, the step-up (the code read from the email outbox, as the shopper reads their
mail), the lines, reason and refund preview, the request; the merchant accepts through the API; the
page then shows the cancellation and the refund, and the "order cancelled" email is in the log.
Both languages, phone and desktop, axe-core clean; screenshots of every state."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
import time

import httpx
import pytest

from tests.conftest import FIXTURES

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _db(server) -> sqlite3.Connection:
    return sqlite3.connect(server.env["DATABASE_URL"].removeprefix("sqlite:///"))


def latest_code(server, order_id: str) -> str:
    with _db(server) as db:
        row = db.execute("SELECT payload FROM email_messages WHERE order_id = ? AND event = 'stepup.code' "
                         "ORDER BY id DESC LIMIT 1", (int(order_id),)).fetchone()
    assert row is not None, "no step-up email in the outbox"
    return str(json.loads(row[0])["code"])


def emails_of(server, order_id: str) -> list[str]:
    with _db(server) as db:
        return [r[0] for r in db.execute("SELECT event FROM email_messages WHERE order_id = ? ORDER BY id",
                                         (int(order_id),))]


def put_paid_konbini_order(server, external_id: str) -> dict:
    """A konbini order placed five minutes ago (inside the one-hour cancel window), then paid."""
    body = copy.deepcopy(json.loads((FIXTURES / "orders" / "jp_ship.json").read_text()))
    body["number"] = f"YK-CXL-{external_id}"
    body["placed_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    body["payment"] = {"method": "konbini", "status": "pending", "deadline": "2099-12-25T14:59:00+00:00",
                       "reference": "7788-1122-3344"}
    auth = {"Authorization": f"Bearer {server.api_key('yamakaze')}"}
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}", json=body, headers=auth)
    assert r.status_code in (200, 201), r.text
    paid = httpx.put(f"{server.url}/api/v1/orders/{external_id}/payment", json={"status": "paid"}, headers=auth)
    assert paid.status_code == 200, paid.text
    return r.json()


def receipt(server, hub: str) -> int:
    """The receipt PDF (issuing it); a busy PDF pool answers 503 with Retry-After: ask again, as a browser would."""
    status = 0
    for _ in range(6):
        r = httpx.get(f"{server.url}{hub}/receipt.pdf", timeout=120)
        status = r.status_code
        if status != 503:
            break
        time.sleep(int(r.headers.get("retry-after", "2")))
    return status


def both(page, check_axe, shoot, name: str) -> None:
    """axe-core on the state, and a screenshot at the phone's and the desktop's size."""
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        check_axe(page)
        shoot(page, f"{name}-{viewport}")
    page.set_viewport_size(VIEWPORTS["phone"])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_shopper_cancels_and_merchant_accepts(open_page, server, check_axe, shoot, lang):
    external_id = f"e2e-cancel-{lang}"
    answer = put_paid_konbini_order(server, external_id)
    hub = "/o/" + answer["hub_url"].rsplit("/o/", 1)[1]
    assert receipt(server, hub) == 200  # the 領収書 was issued

    page = open_page(hub, viewport="phone", lang=lang)
    page.locator("a.cancel-link").click()
    page.wait_for_url(f"**{hub}/cancel**")
    card = page.locator("#stepup-card")
    assert card.count() == 1 and page.locator("#cancel-form").count() == 0
    both(page, check_axe, shoot, f"cancel-stepup-{lang}")

    card.locator("form.stepup__send button").click()  # htmx: the card comes back with the code field
    page.wait_for_selector("#f-answer")
    both(page, check_axe, shoot, f"cancel-stepup-code-{lang}")
    page.fill("#f-answer", "000000" if latest_code(server, answer["id"]) != "000000" else "111111")
    page.locator("form.stepup__check button").click()
    page.wait_for_selector("#f-answer-error")  # a wrong code: the message next to the field, no reload
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 422 "
                                   "(Unprocessable Entity)"], page.console_errors  # that 422, nothing else
    page.console_errors.clear()
    page.fill("#f-answer", latest_code(server, answer["id"]))
    page.locator("form.stepup__check button").click()
    page.wait_for_selector("#cancel-form")
    both(page, check_axe, shoot, f"cancel-form-{lang}")

    page.select_option("#f-reason", "ordered_by_mistake")
    page.fill("#f-comment", "<b>two by mistake</b>")
    page.locator("#cancel-form button[type=submit]").click()
    page.wait_for_selector("#cancel-review, .field__error, .alert", timeout=15000)
    assert page.locator("#cancel-review").count() == 1, page.locator("#cancel-flow").inner_text()
    assert "¥17,560" in page.locator("#cancel-review").inner_text()
    both(page, check_axe, shoot, f"cancel-review-{lang}")
    page.locator("#cancel-review button[type=submit]").click()
    page.wait_for_selector("#cancel-state")
    assert page.locator("#cancel-state .badge--info").count() == 1  # requested
    assert page.console_errors == [], page.console_errors
    both(page, check_axe, shoot, f"cancel-requested-{lang}")

    r = httpx.post(f"{server.url}/api/v1/orders/{external_id}/cancellation",
                   json={"decision": "accept", "note": "承知しました" if lang == "ja" else "Done — sorry to see it go"},
                   headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"})
    assert r.status_code == 200 and r.json()["cancellation"]["refund"] == "17560", r.text

    page.reload()
    state = page.locator("#cancel-state").inner_text()
    assert "¥17,560" in state and ("キャンセル済み" in state if lang == "ja" else "Order cancelled" in state)
    both(page, check_axe, shoot, f"cancel-accepted-{lang}")
    page.goto(f"{server.url}{hub}?lang={lang}")
    hero = page.locator("#confirmation-summary").inner_text()
    assert ("キャンセル" in hero) if lang == "ja" else ("cancelled" in hero.lower())
    assert page.locator('[data-document="credit-note"]').count() == 1  # the refund's 適格返還請求書
    both(page, check_axe, shoot, f"cancel-order-page-{lang}")
    assert "order.cancelled" in emails_of(server, answer["id"])
    api = httpx.get(f"{server.url}/api/v1/orders/{external_id}",
                    headers={"Authorization": f"Bearer {server.api_key('yamakaze')}"}).json()
    assert api["status"] == "cancelled" and api["payment"]["status"] == "refunded"
