"""Store pickup in a real browser: the shopper's section and the staff console (Japanese, phone
width, accessible), and the two-page flow: the shopper taps "I'm here", the staff console shows the
arrival without reload, staff confirm, the shopper's page shows picked up without reload."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import httpx

from orderhub.db.pickup.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def order_number(external_id: str) -> str:
    """A number of its own per test order ("e2e-pickup-0001" -> "YK-E2E-PICKUP-0001"): the staff
    console of one server lists every test's pickups."""
    return "YK-E2E-" + external_id.removeprefix("e2e-").upper()


def new_pickup_order(server, external_id: str) -> str:
    """A fresh pickup order made ready through the API; returns its hub token."""
    body = copy.deepcopy(json.loads((ROOT / "orderhub/demo/fixtures/orders/jp_pickup.json").read_text()))
    body["number"] = order_number(external_id)
    body["customer"]["name"] = "高橋 美咲"
    headers = {"Authorization": f"Bearer {server.api_key('yamakaze')}"}
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}", json=body, headers=headers, timeout=10)
    assert r.status_code in (200, 201), r.text
    now = dt.datetime.now(dt.UTC)
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}/pickup", headers=headers, timeout=10,
                  json={"status": "ready", "ready_at": now.isoformat(),
                        "pickup_deadline": (now + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 200, r.text
    return r.json() and httpx.get(f"{server.url}/api/v1/orders/{external_id}/links", headers=headers,
                                  timeout=10).json()["hub"].rsplit("/o/", 1)[1]


def staff_page(open_page, viewport="phone", lang="ja"):
    page = open_page("/staff", viewport=viewport, lang=lang)
    page.fill("#f-email", DEMO_STAFF_EMAIL)
    page.fill("#f-password", DEMO_STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#staff-queue")
    return page


def test_pickup_section_and_staff_console_render_accessibly(open_page, server, check_axe, shoot):
    token = server.token("yamakaze", "ready_for_pickup")
    for viewport, lang in (("phone", "ja"), ("desktop", "en"), ("phone", "en")):
        page = open_page(f"/o/{token}/pickup", viewport=viewport, lang=lang)
        assert page.locator("svg.qr").count() == 1
        box = page.locator("svg.qr").bounding_box()
        assert box["width"] >= 200  # large enough to scan at arm's length
        check_axe(page)
        assert page.console_errors == [], page.console_errors
        shoot(page, f"pickup-{lang}-{viewport}")
    assert "受け取りの準備ができました" in open_page(f"/o/{token}/pickup").inner_text("#pickup-state")
    staff = staff_page(open_page)
    assert "受取待ちリスト" in staff.inner_text("h1")
    check_axe(staff)
    shoot(staff, "staff-console-ja-phone")
    staff.click(".staff-row__link >> nth=0")
    staff.wait_for_selector("#staff-detail")
    check_axe(staff)
    shoot(staff, "staff-pickup-ja-phone")
    assert staff.console_errors == [], staff.console_errors


def test_arrival_reaches_the_staff_console_live_and_hand_over_reaches_the_shopper(open_page, server, shoot):
    token = new_pickup_order(server, "e2e-pickup-0001")
    staff = staff_page(open_page, viewport="desktop")
    staff.evaluate("window.__marker = 'staff page'")
    staff.wait_for_selector('#staff-live[data-live="open"]', timeout=10_000)
    assert "高橋 美咲" in staff.inner_text(".staff-queue__group:has(#q-ready)")

    shopper = open_page(f"/o/{token}/pickup", viewport="phone", lang="ja")
    shopper.evaluate("window.__marker = 'shopper page'")
    shopper.wait_for_selector('#pickup-live[data-live="open"]', timeout=10_000)
    shopper.select_option("#f-bay", "P2")
    shopper.fill("#f-car", "白いプリウス 品川 300 あ 12-34")
    shopper.click("text=到着しました")
    shopper.wait_for_selector("text=ご到着をお店に伝えました", timeout=15_000)
    assert shopper.evaluate("window.__marker") == "shopper page"

    arrived = staff.locator(".staff-row--arrived", has_text=order_number("e2e-pickup-0001"))
    arrived.wait_for(timeout=15_000)
    assert "P2" in arrived.inner_text() and "白いプリウス" in arrived.inner_text()
    assert staff.evaluate("window.__marker") == "staff page"  # no reload
    assert staff.get_attribute("#staff-queue", "data-alerted") == "true"  # the visible (and audible) alert
    shoot(staff, "staff-console-arrival-ja-desktop")

    arrived.locator("a").click()
    staff.wait_for_selector("#staff-detail")
    staff.click("text=お渡しを確定")
    staff.wait_for_selector("text=お渡ししました。", timeout=15_000)

    shopper.wait_for_selector("text=受け取り済みです", timeout=15_000)
    assert shopper.evaluate("window.__marker") == "shopper page"
    assert shopper.locator("svg.qr").count() == 0  # the code is gone after hand-over
    shoot(shopper, "pickup-picked-up-ja-phone")
    assert shopper.console_errors == [] and staff.console_errors == [], (shopper.console_errors,
                                                                           staff.console_errors)
