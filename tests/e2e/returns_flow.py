"""What the browser tests of returns share: a delivered order to return from, and the walk through
the wizard's first steps (items, reason) up to the resolution step."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import httpx

from tests.conftest import fixture

NEXT = {"ja": "次へ", "en": "Continue"}


def delivered_order(server, external_id: str, number: str, lines: dict[str, int] | None = None) -> str:
    """A new yamakaze order (the jp_ship fixture, numbered `number`) whose parcel with `lines` (line id
    -> quantity; L1 and both L2 by default) went out three days ago: its hub token. The tracking
    number is the external id's own, so tests never share a parcel."""
    headers = {"Authorization": f"Bearer {server.api_key('yamakaze')}"}
    body = fixture("orders/jp_ship.json")
    body["number"] = number
    body["fulfillment"]["promised_date"] = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}", headers=headers, json=body, timeout=10)
    assert r.status_code in (200, 201), r.text
    hub = r.json()["hub_url"].split("/o/", 1)[1]
    digits = f"{zlib.crc32(external_id.encode()) % 10**8:08d}"
    shipment = {"carrier": "yamato", "tracking_number": f"4012-{digits[:4]}-{digits[4:]}",
                "lines": [{"line_id": line, "quantity": qty} for line, qty in (lines or {"L1": 1, "L2": 2}).items()],
                "shipped_at": (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()}
    r = httpx.put(f"{server.url}/api/v1/orders/{external_id}/shipments/S1", headers=headers, json=shipment, timeout=10)
    assert r.status_code in (200, 201), r.text
    return hub


def next_step(page, step: str) -> None:
    """The wizard's "Continue", then wait until `step` (items, reason, resolution, …) is shown."""
    page.locator(".wizard-actions button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/returns/new/{step}"))


def to_resolution(page, quantities: dict[str, int] | None = None, reason: str = "too_small") -> None:
    """From the items step: return `quantities` (line id -> quantity; one L1 by default) for one
    `reason`, and stop at the resolution step."""
    for line, qty in (quantities or {"L1": 1}).items():
        page.select_option(f"#f-qty_{line}", str(qty))
    next_step(page, "reason")
    page.wait_for_selector("#f-comment")
    page.check(f"input[name=reason][value={reason}]")
    next_step(page, "resolution")
    page.wait_for_selector("input[name=resolution]")
